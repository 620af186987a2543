"""The shape quiz: every answer recomputed by torch itself, grading leniency, determinism."""

from __future__ import annotations

import functools
import itertools
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.errors import ConvConfigError
from core.quiz import (
    DIFFICULTIES,
    KINDS,
    Question,
    check_answer,
    format_answer,
    make_quiz,
    score,
    stride_padding_solutions,
)

SEEDS = range(300)
FIND_PARAMS_ENUMERATION_SEEDS = range(50)  # every (stride, padding) pair tried: the slow part, on a sixth

PAGE_QUERY_KEYS = {
    "output_size": {"mode", "in_h", "in_w", "k_h", "k_w", "s_h", "s_w", "p_h", "p_w", "d_h", "d_w", "op_h", "op_w"},
    "matrix": {"in_h", "in_w", "k_h", "k_w", "stride", "padding", "dilation"},
    "channels": {"c_in", "c_out", "groups", "k"},
}
KIND_PAGES = {
    "conv_output": "output_size", "transpose_output": "output_size", "find_params": "output_size",
    "matrix_shape": "matrix", "receptive_field": "matrix", "weight_shape": "channels",
}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Thousands of tiny convolutions: thread start-up would cost more than the work, on a busy machine 100×."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def quizzes() -> dict:
    return {(seed, level): make_quiz(seed, level) for seed in SEEDS for level in DIFFICULTIES}


def all_questions(quizzes):
    for (seed, level), questions in quizzes.items():
        for question in questions:
            yield seed, level, question


def zeros(*shape):
    return torch.zeros(*shape, dtype=torch.float64)


# ---------------------------------------------------------------------------------------------
# torch oracles
# ---------------------------------------------------------------------------------------------


def torch_conv_output(params, in_channels=1, out_channels=1) -> torch.Tensor:
    x = zeros(1, in_channels, *params["input_size"])
    weight = zeros(out_channels, in_channels, *params["kernel_size"])
    return F.conv2d(x, weight, stride=params["stride"], padding=params["padding"], dilation=params["dilation"])


def torch_transpose_output(params) -> torch.Tensor:
    layer = nn.ConvTranspose2d(1, 1, params["kernel_size"], stride=params["stride"], padding=params["padding"],
                               output_padding=params["output_padding"], dilation=params["dilation"], bias=False,
                               dtype=torch.float64)
    with torch.no_grad():
        return layer(zeros(1, 1, *params["input_size"]))


def torch_read_cells(params) -> set[tuple[int, int]]:
    """Input cells whose gradient is nonzero when output cell (i, j) of an all-ones conv is backpropagated."""
    x = zeros(1, 1, *params["input_size"]).requires_grad_()
    weight = torch.ones(1, 1, *params["kernel_size"], dtype=torch.float64)
    y = F.conv2d(x, weight, stride=params["stride"], padding=params["padding"], dilation=params["dilation"])
    y[(0, 0, *params["output_index"])].backward()
    return {tuple(cell) for cell in x.grad[0, 0].nonzero().tolist()}


@functools.cache
def torch_conv_length(size, kernel, stride, padding, dilation):
    """Output length of conv1d by running it; None where torch refuses."""
    try:
        return F.conv1d(zeros(1, 1, size), zeros(1, 1, kernel), stride=stride, padding=padding, dilation=dilation).shape[-1]
    except RuntimeError:
        return None


def window_cells(answer, height=None, width=None):
    (r0, r1, rs), (c0, c1, cs) = answer
    cells = {(r, c) for r in range(r0, r1 + 1, rs) for c in range(c0, c1 + 1, cs)}
    if height is None:
        return cells
    return {(r, c) for r, c in cells if 0 <= r < height and 0 <= c < width}


# ---------------------------------------------------------------------------------------------
# Every answer, by torch
# ---------------------------------------------------------------------------------------------


def test_every_answer_matches_torch(quizzes):
    checked = dict.fromkeys(KINDS, 0)
    for seed, level, question in all_questions(quizzes):
        params, answer = question.params, question.answer
        context = (seed, level, question.prompt)
        if question.kind == "conv_output":
            assert answer == tuple(torch_conv_output(params).shape[-2:]), context
        elif question.kind == "transpose_output":
            assert answer == tuple(torch_transpose_output(params).shape[-2:]), context
        elif question.kind == "matrix_shape":
            x_numel = params["in_channels"] * params["input_size"][0] * params["input_size"][1]
            y = torch_conv_output(params, params["in_channels"], params["out_channels"])
            assert answer == (y.numel(), x_numel), context
        elif question.kind == "receptive_field":
            height, width = params["input_size"]
            assert window_cells(answer, height, width) == torch_read_cells(params), context
            # The full window has one row per kernel row and one column per kernel column, padding included.
            assert len(window_cells(answer)) == params["kernel_size"][0] * params["kernel_size"][1], context
        elif question.kind == "find_params":
            stride, padding = answer
            y = torch_conv_output(params | {"stride": stride, "padding": padding})
            assert tuple(y.shape[-2:]) == params["output_size"], context
        elif question.kind == "weight_shape":
            layer = getattr(nn, params["layer"])(params["in_channels"], params["out_channels"], params["kernel_size"],
                                                 groups=params["groups"], device="meta")
            assert answer == tuple(layer.weight.shape), context
        checked[question.kind] += 1
    assert min(checked.values()) > 500, checked


def test_find_params_accepts_exactly_the_pairs_torch_confirms(quizzes):
    for seed, _, question in all_questions(quizzes):
        if question.kind != "find_params" or seed not in FIND_PARAMS_ENUMERATION_SEEDS:
            continue
        params = question.params
        kernel, dilation = params["kernel_size"][0], params["dilation"][0]
        span = dilation * (kernel - 1) + 1
        confirmed = set()
        forms = itertools.cycle(("{s}, {p}", "stride {s} padding {p}", "p={p} s={s}"))
        # Solutions have stride ≤ in + 2·padding − span ≤ max(in) + span − 2; a few more strides and paddings
        # past the allowed span − 1 show them refused.
        for stride in range(1, max(params["input_size"]) + span + 3):
            for padding in range(span + 2):
                lengths = tuple(torch_conv_length(size, kernel, stride, padding, dilation) for size in params["input_size"])
                valid = lengths == params["output_size"] and padding <= span - 1
                text = next(forms).format(s=stride, p=padding)
                assert check_answer(question, text) == valid, (question.prompt, text)
                if valid:
                    confirmed.add((stride, padding))
        assert question.answer in confirmed
        assert set(stride_padding_solutions(params["input_size"], params["output_size"], kernel, dilation)) == confirmed


# ---------------------------------------------------------------------------------------------
# Structure of every question
# ---------------------------------------------------------------------------------------------


def test_every_question_is_well_formed(quizzes):
    for _, _, question in all_questions(quizzes):
        assert question.kind in KINDS
        assert question.page == KIND_PAGES[question.kind]
        assert set(question.query) == PAGE_QUERY_KEYS[question.page], question.query
        assert all(isinstance(value, (int, str)) for value in question.query.values())
        assert question.prompt and question.explanation and question.answer_format
        assert "\\" not in question.explanation and "$" not in question.explanation  # no LaTeX
        assert check_answer(question, format_answer(question)), question
        hash(question)  # answers are tuples, params/query are left out of the hash


def test_query_presets_the_same_configuration(quizzes):
    for _, _, question in all_questions(quizzes):
        params, query = question.params, question.query
        if question.page == "output_size":
            assert (query["in_h"], query["in_w"]) == params["input_size"]
            assert (query["k_h"], query["k_w"]) == params["kernel_size"]
            assert (query["s_h"], query["s_w"]) == params["stride"]
            assert (query["p_h"], query["p_w"]) == params["padding"]
            assert (query["d_h"], query["d_w"]) == params["dilation"]
            assert (query["op_h"], query["op_w"]) == params.get("output_padding", (0, 0))
            assert query["mode"] == ("transpose" if question.kind == "transpose_output" else "conv")
        elif question.page == "matrix":
            assert (query["stride"],) * 2 == params["stride"] and (query["padding"],) * 2 == params["padding"]
            assert (query["dilation"],) * 2 == params["dilation"]
            assert (query["k_h"], query["k_w"]) == params["kernel_size"]
        else:
            assert query == {"c_in": params["in_channels"], "c_out": params["out_channels"],
                             "groups": params["groups"], "k": params["kernel_size"][0]}


# The output-size page's sliders (pages/output_size.py): a preset outside them could not be shown.
OUTPUT_SIZE_RANGES = {"in": (1, 64), "k": (1, 7), "s": (1, 4), "p": (0, 3), "d": (1, 3), "op": (0, 3)}


def test_output_size_presets_fit_the_page_sliders(quizzes):
    for _, _, question in all_questions(quizzes):
        if question.page != "output_size":
            continue
        for prefix, (low, high) in OUTPUT_SIZE_RANGES.items():
            for axis in "hw":
                assert low <= question.query[f"{prefix}_{axis}"] <= high, (question.prompt, question.query)


def test_a_quiz_of_eight_covers_every_kind(quizzes):
    for questions in quizzes.values():
        assert len(questions) == 8
        assert {question.kind for question in questions} == set(KINDS)
        assert len({question.prompt for question in questions}) == 8


def test_difficulty_ranges(quizzes):
    seen = {level: {"dilation": 0, "output_padding": 0, "groups": 0, "channels": 0, "padding": 0, "non_square": 0}
            for level in DIFFICULTIES}
    for _, level, question in all_questions(quizzes):
        params, tally = question.params, seen[level]
        if "stride" in params and question.kind != "find_params":
            assert max(params["stride"]) <= {"easy": 2, "medium": 3, "hard": 4}[level]
            tally["padding"] += max(params["padding"]) > 0
        if "input_size" in params:
            tally["non_square"] += params["input_size"][0] != params["input_size"][1]
        if "dilation" in params:
            tally["dilation"] += max(params["dilation"]) > 1
        tally["output_padding"] += max(params.get("output_padding", (0, 0))) > 0
        tally["groups"] += params.get("groups", 1) > 1
        tally["channels"] += question.kind == "matrix_shape" and params["in_channels"] * params["out_channels"] > 1
    assert seen["easy"]["non_square"] == seen["easy"]["padding"] == seen["easy"]["dilation"] == 0
    assert seen["easy"]["groups"] == seen["easy"]["channels"] == seen["easy"]["output_padding"] == 0
    assert seen["medium"]["padding"] > 0 and seen["medium"]["dilation"] == seen["medium"]["output_padding"] == 0
    assert seen["medium"]["groups"] == seen["medium"]["channels"] == 0
    assert all(count > 0 for count in seen["hard"].values()), seen["hard"]


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_quiz(quizzes):
    for level in DIFFICULTIES:
        for seed in (0, 7, 123456789, -5):
            assert make_quiz(seed, level) == make_quiz(seed, level)
        assert make_quiz(3, level) == quizzes[3, level]


def test_different_seeds_give_different_quizzes(quizzes):
    for level in DIFFICULTIES:
        prompts = {tuple(q.prompt for q in quizzes[seed, level]) for seed in SEEDS}
        assert len(prompts) == len(SEEDS)


def test_global_random_state_is_left_alone():
    random.seed(11)
    np.random.seed(11)
    python_state, numpy_state = random.getstate(), np.random.get_state()[1].copy()
    make_quiz(5, "hard", 20)
    assert random.getstate() == python_state
    assert np.array_equal(np.random.get_state()[1], numpy_state)


def test_count_is_respected():
    assert len(make_quiz(1, "medium", 1)) == 1
    assert len(make_quiz(1, "medium", 25)) == 25


@pytest.mark.parametrize("kwargs", [{"difficulty": "expert"}, {"count": 0}, {"seed": "abc"}, {"seed": 1.5}, {"count": 10_000}])
def test_invalid_quiz_arguments_raise_config_error(kwargs):
    with pytest.raises(ConvConfigError):
        make_quiz(**({"seed": 1} | kwargs))


# ---------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------


def question(kind, answer, **params) -> Question:
    return Question(kind, "", answer, "", params, "", "", {})


@pytest.mark.parametrize("text", ["5x5", "5×5", "5 × 5", "(5, 5)", "5, 5", "5 5", " 5X5 ", "5", "torch.Size([5, 5])"])
def test_square_shape_answers_in_any_form(text):
    assert check_answer(question("conv_output", (5, 5)), text)


@pytest.mark.parametrize("text", ["5x6", "6", "5x5x5", "", "five by five", "5.0x5", "-5x5", "5x-5", None, 55, "5" * 5000])
def test_wrong_or_malformed_shape_answers(text):
    assert not check_answer(question("conv_output", (5, 5)), text)


def test_non_square_answer_needs_both_numbers_in_order():
    q = question("transpose_output", (7, 9))
    assert check_answer(q, "7x9") and check_answer(q, "7-9") and not check_answer(q, "9x7")
    assert not check_answer(q, "7")


def test_thousands_separators_are_read():
    q = question("matrix_shape", (1024, 3072))
    for text in ("1024×3072", "1,024 × 3,072", "1_024x3_072", "(1024, 3072)"):
        assert check_answer(q, text), text
    assert check_answer(question("matrix_shape", (1, 24)), "1,024")  # also a plain pair: both readings count
    assert check_answer(question("matrix_shape", (100, 200)), "100,200")


def test_weight_shape_needs_all_four_numbers():
    q = question("weight_shape", (16, 4, 3, 3))
    assert check_answer(q, "torch.Size([16, 4, 3, 3])") and check_answer(q, "16×4×3×3")
    assert not check_answer(q, "16×4×3") and not check_answer(q, "4×16×3×3")


FIND_PARAMS = dict(input_size=(8, 8), output_size=(4, 4), kernel_size=(3, 3), dilation=(1, 1),
                   stride=(2, 2), padding=(1, 1))


@pytest.mark.parametrize("text", ["stride 2 padding 1", "2,1", "(2, 1)", "s=2, p=1", "padding 1, stride 2",
                                  "Stride: 2 Padding: 1", "stride, padding: 2, 1", "3, 2"])
def test_find_params_accepts_every_valid_pair(text):
    # 8 → 4 with k = 3: stride 2 padding 1 and stride 3 padding 2 both work, and padding ≤ 2.
    assert check_answer(question("find_params", (2, 1), **FIND_PARAMS), text)


@pytest.mark.parametrize("text", ["1, 2", "stride 2", "2, 0", "4, 3", "0, 1", "2, -1", "stride 2 padding 1 padding 0", "x"])
def test_find_params_rejects_invalid_pairs(text):
    assert not check_answer(question("find_params", (2, 1), **FIND_PARAMS), text)


def test_receptive_field_with_or_without_padding_cells():
    # 5×5 input, kernel 3, padding 1, stride 2, dilation 1: output (0, 2) reads rows −1..1, cols 3..5.
    q = question("receptive_field", ((-1, 1, 1), (3, 5, 1)), input_size=(5, 5))
    for text in ("rows -1..1 step 1, cols 3..5 step 1", "(-1, 1, 1), (3, 5, 1)", "rows -1..1, cols 3..5",
                 "rows 0..1, cols 3..4", "rows 0..1 step 1, cols 3..5 step 1"):
        assert check_answer(q, text), text
    for text in ("rows 0..2, cols 3..5", "rows -1..1 step 2, cols 3..5 step 1", "rows 1..-1, cols 3..5", "3..5, -1..1", "-1"):
        assert not check_answer(q, text), text


def test_receptive_field_steps_follow_the_dilation():
    q = question("receptive_field", ((0, 4, 2), (1, 5, 2)), input_size=(9, 9))
    assert check_answer(q, "rows 0..4 step 2, cols 1..5 step 2")
    assert not check_answer(q, "rows 0..4, cols 1..5")  # contiguous: misses the dilation
    assert not check_answer(q, "rows 0..5 step 2, cols 1..5 step 2")  # the stop must be a read row
    single = question("receptive_field", ((3, 3, 2), (4, 4, 2)), input_size=(9, 9))
    assert check_answer(single, "3, 4") and check_answer(single, "rows 3..3 step 1, cols 4..4 step 7")


def test_score_counts_correct_answers():
    questions = make_quiz(9, "medium")
    answers = [format_answer(q) for q in questions]
    assert score(questions, answers) == len(questions)
    assert score(questions, ["nonsense"] * len(questions)) == 0
    assert score(questions, answers[:3]) == 3
    assert score(questions, [None, *answers[1:]]) == len(questions) - 1


SAMPLE_QUESTIONS = [q for level in DIFFICULTIES for seed in range(4) for q in make_quiz(seed, level)]


@settings(max_examples=400, deadline=None)
@given(index=st.integers(0, len(SAMPLE_QUESTIONS) - 1), text=st.text(max_size=80))
def test_check_answer_never_raises_on_any_text(index, text):
    assert check_answer(SAMPLE_QUESTIONS[index], text) in (True, False)


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(0, len(SAMPLE_QUESTIONS) - 1),
    text=st.from_regex(r"[-0-9 ,x×().:=_'spstrideadingowcl]{0,40}", fullmatch=True),
)
def test_check_answer_never_raises_on_number_like_text(index, text):
    assert check_answer(SAMPLE_QUESTIONS[index], text) in (True, False)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(SAMPLE_QUESTIONS) - 1), numbers=st.lists(st.integers(-10**30, 10**30), max_size=8))
def test_check_answer_never_raises_on_huge_numbers(index, numbers):
    assert check_answer(SAMPLE_QUESTIONS[index], ", ".join(map(str, numbers))) in (True, False)
