"""AppTest of the quiz page: seeded sets, grading as you type, the score, bad links and the "show me" links."""

import re
from urllib.parse import parse_qsl

import pytest

from core.quiz import format_answer, make_quiz
from tests.app_helpers import assert_clean, figures, highlighted_cells, open_page

LINK = re.compile(r"\]\((\w+)\?([^)]*)\)")


def prompts(at):
    return [m.value for m in at.markdown if re.match(r"\*\*\d+\.\*\*", m.value)]


def open_every_answer(at):
    """Open every "Show me" panel (each is built only while open) and rerun."""
    seed, difficulty = at.number_input(key="seed").value, at.radio(key="difficulty").value
    for number in range(1, len(at.expander) + 1):
        at.session_state[f"show-{difficulty}-{seed}-{number}"] = True
    return at.run()


def links(at):
    """(page, query dict) of every "show me" link."""
    return [(page, dict(parse_qsl(query))) for m in at.markdown for page, query in LINK.findall(m.value)]


def test_default_set_renders_every_question_with_an_empty_score():
    at = open_page("quiz")
    assert_clean(at)
    quiz = make_quiz(1, "easy", 6)
    assert prompts(at) == [f"**{n}.** {q.prompt}" for n, q in enumerate(quiz, start=1)]
    assert len(at.text_input) == 6 and at.metric[0].value == "0 / 6"
    assert len(at.expander) == 6 and not at.success and not at.error


def test_a_worked_answer_is_built_only_while_its_panel_is_open():
    at = open_page("quiz", {"seed": "5", "difficulty": "medium"})
    quiz = make_quiz(5, "medium", 6)
    assert not links(at) and not any(q.explanation in m.value for q in quiz for m in at.markdown)
    at.session_state["show-medium-5-2"] = True
    at.run()
    assert_clean(at)
    shown = [m.value for m in at.expander[1].markdown]
    assert len(shown) == 1 and shown[0].startswith(quiz[1].explanation) and len(links(at)) == 1
    assert not at.expander[0].markdown and not at.expander[2].markdown
    at.text_input[1].input("1×1").run()  # typing an answer keeps the panel open
    assert [m.value for m in at.expander[1].markdown] == shown


@pytest.mark.parametrize("difficulty", ["easy", "hard"])
def test_right_answers_are_ticked_and_score_the_whole_set(difficulty):
    at = open_page("quiz", {"seed": "42", "difficulty": difficulty, "count": "8"})
    quiz = make_quiz(42, difficulty, 8)
    for field, question in zip(at.text_input, quiz, strict=True):
        field.input(format_answer(question))
    at.run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["✓ Correct."] * 8 and not at.error
    assert at.metric[0].value == "8 / 8"


def test_a_wrong_answer_is_crossed_and_not_scored():
    at = open_page("quiz")
    quiz = make_quiz(1, "easy", 6)
    at.text_input[0].input(format_answer(quiz[0])).run()
    at.text_input[1].input("999×999").run()
    assert_clean(at)
    assert at.success[0].value.startswith("✓") and at.error[0].value.startswith("✗")
    assert at.metric[0].value == "1 / 6"


def test_answers_are_not_put_in_the_link():
    at = open_page("quiz")
    at.text_input[0].input("3×3").run()
    assert not any(key.startswith("answer") for key in at.query_params)


def test_same_seed_same_questions_different_seed_different_questions():
    first, again = open_page("quiz", {"seed": "7", "difficulty": "medium"}), open_page("quiz", {"seed": "7", "difficulty": "medium"})
    other = open_page("quiz", {"seed": "8", "difficulty": "medium"})
    assert prompts(first) == prompts(again)
    assert prompts(first) != prompts(other)


def test_new_set_button_picks_a_new_seed_and_new_questions():
    at = open_page("quiz")
    before = prompts(at)
    at.button(key="new_set").click().run()
    assert_clean(at)
    assert at.number_input(key="seed").value != 1
    assert prompts(at) != before and at.metric[0].value == "0 / 6"


@pytest.mark.parametrize("query", [{"seed": "-1", "difficulty": "impossible"}, {"count": "500"}, {"seed": "abc"}])
def test_bad_url_values_give_a_notice_and_still_a_quiz(query):
    at = open_page("quiz", query)
    assert_clean(at)
    assert "could not be used" in at.warning[0].value
    assert len(prompts(at)) == 6


def test_every_show_me_link_opens_its_page_preset_to_the_question_without_a_notice():
    """Every link of two 12-question sets points at its page; one per question kind (the hard one) is opened."""
    chosen = {}
    for difficulty in ("hard", "medium"):
        at = open_every_answer(open_page("quiz", {"seed": "3", "difficulty": difficulty, "count": "12"}))
        shown = iter(links(at))
        for question in make_quiz(3, difficulty, 12):
            if question.page == "matrix" and question.params.get("out_channels", 1) > 4:
                continue  # no link: the matrix page shows at most 4 output channels (tested below)
            page, query = next(shown)
            assert page == question.page
            chosen.setdefault(question.kind, (query, question))
    assert len(chosen) == 6
    for query, question in chosen.values():
        at = open_page(question.page, query)
        assert_clean(at)
        assert not any("could not be used" in w.value for w in at.warning), (query, at.warning[0].value)
        assert not at.error, (query, at.error[0].value)
        if question.kind == "receptive_field":  # the asked output cell is the one lit up on the matrix page
            assert highlighted_cells(figures(at)[2]) == {tuple(question.params["output_index"])}, query
        if question.kind in ("conv_output", "transpose_output"):
            assert at.metric[0].value == " × ".join(map(str, question.answer)), query
        if question.kind == "weight_shape":
            assert at.metric[0].value == "(" + ", ".join(map(str, question.answer)) + ")", query


def test_a_layer_too_big_for_the_matrix_page_says_so_instead_of_linking():
    too_big = lambda q: q.page == "matrix" and q.params.get("out_channels", 1) > 4  # noqa: E731
    seed = next(s for s in range(200) if any(too_big(q) for q in make_quiz(s, "hard", 6)))
    at = open_every_answer(open_page("quiz", {"seed": str(seed), "difficulty": "hard"}))
    assert_clean(at)
    assert any("larger than the “Convolution as a matrix” page" in m.value for m in at.markdown)
