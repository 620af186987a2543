"""Quiz, "what shape comes out?": a seeded set of questions, graded as you type, each with a worked answer."""

import random
from urllib.parse import urlencode

import streamlit as st

from core.quiz import DIFFICULTIES, check_answer, make_quiz, score
from core.sizes import conv_output_size
from widgets import Controls, run_through_dashboard

run_through_dashboard()

PAGE_TITLES = {"output_size": "Output size", "matrix": "Convolution as a matrix", "channels": "Channels and groups"}
# Controls of the target pages that the quiz can overshoot: (URL key, largest value the page's slider takes).
PAGE_LIMITS = {"matrix": {"c_in": 4, "c_out": 4}}


@st.cache_resource(max_entries=64, show_spinner=False)
def questions_for(seed: int, difficulty: str, count: int):
    """The quiz for these settings: the same for every student who opens the same link."""
    return make_quiz(seed, difficulty, count)


def page_query(question) -> dict | None:
    """The URL query that opens ``question.page`` preset to the question's layer, in that page's own keys.

    core.quiz writes one ``stride``/``padding``/``dilation`` for the matrix page and one ``k`` for the channels
    page; those pages take ``s_h``/``s_w``… and ``k_h``/``k_w`` (and the channels page its ``layer``). Keys
    already in the page's form pass through unchanged. None when the layer is larger than the page's sliders allow.
    """
    query, params = dict(question.query), question.params
    if question.page == "matrix":
        for old, new in (("stride", "s"), ("padding", "p"), ("dilation", "d")):
            if old in query:
                query[f"{new}_h"] = query[f"{new}_w"] = query.pop(old)
        query.update({key: params[name] for key, name in (("c_in", "in_channels"), ("c_out", "out_channels"))
                      if params.get(name, 1) != 1 and key not in query})
        if "output_index" in params and "sel" not in query:  # receptive field: light up the asked output cell
            out_w = conv_output_size(query["in_w"], query["k_w"], query["s_w"], query["p_w"], query["d_w"])
            query["sel"] = f"row:{params['output_index'][0] * out_w + params['output_index'][1]}"
    elif question.page == "channels":
        if "k" in query:
            query["k_h"] = query["k_w"] = query.pop("k")
        query.setdefault("layer", params["layer"])
    if any(query.get(key, 0) > limit for key, limit in PAGE_LIMITS.get(question.page, {}).items()):
        return None
    return query


def worked_answer(question) -> str:
    """The question's explanation and a link that opens its layer on its page (one element, not two)."""
    query = page_query(question)
    title = PAGE_TITLES.get(question.page, question.page)
    if query is None:
        link = f"*This layer is larger than the “{title}” page's sliders go.*"
    else:
        link = f"[Open this layer on the “{title}” page]({question.page}?{urlencode(query, safe=':')})"
    return f"{question.explanation}\n\n{link}"


def new_set() -> None:
    st.session_state["seed"] = random.randrange(100_000)


st.title("Quiz: what shape comes out?")
controls = Controls()
left, middle, right = st.columns([2, 3, 2], vertical_alignment="bottom")
seed = controls.number("Seed", "seed", 0, 99_999, 1, help="The same seed and difficulty give everyone the same set.",
                       where=left)
difficulty = controls.radio("Difficulty", "difficulty", list(DIFFICULTIES), where=middle)
count = controls.slider("Questions", "count", 1, 12, 6, where=right)
controls.report_url_problems()
st.button("New set", icon=":material/casino:", on_click=new_set, key="new_set",
          help="A new random seed. Share the address: it holds the seed and the difficulty.")
summary = st.container()

quiz = questions_for(seed, difficulty, count)
answers = []
for number, question in enumerate(quiz, start=1):
    with st.container(border=True):
        st.markdown(f"**{number}.** {question.prompt}")
        answer = st.text_input(f"Your answer: {question.answer_format}", key=f"answer-{difficulty}-{seed}-{number}",
                               placeholder=question.answer_format)
        answers.append(answer)
        if answer.strip():
            if check_answer(question, answer):
                st.success("✓ Correct.")
            else:
                st.error("✗ Not this one: check each axis, or open “Show me”.")
        # The worked answer is built only while its panel is open: a closed panel's text is still sent and
        # drawn on every rerun, and six of them were a sixth of what a change of this page cost the browser.
        panel = st.expander("Show me", key=f"show-{difficulty}-{seed}-{number}", on_change="rerun")
        if panel.open:
            panel.markdown(worked_answer(question))

with summary:
    answered = sum(bool(answer.strip()) for answer in answers)
    st.metric("Score", f"{score(quiz, answers)} / {len(quiz)}", border=True,
              help=f"{answered} of {len(quiz)} answered. Answers are not part of the link; reloading clears them.")
