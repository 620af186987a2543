""""What shape comes out?": seeded practice questions on convolution shapes, with lenient grading.

``make_quiz(seed, difficulty)`` draws questions from ``random.Random(seed)`` only (never the global
RNG), so a seed is a shareable quiz. Every configuration is checked with core's own size rules
before it becomes a question; an impossible draw is thrown away and drawn again from the same RNG.
``check_answer`` reads what a student types ("5x5", "(5, 5)", "stride 2 padding 1", …) and never raises.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from .errors import ConvConfigError
from .matrix import receptive_field
from .params import as_int, as_pair, check_groups
from .sizes import conv_output_size, conv_transpose_output_size, dilated_kernel_size

KINDS = ("conv_output", "transpose_output", "matrix_shape", "receptive_field", "find_params", "weight_shape")
DIFFICULTIES = ("easy", "medium", "hard")

# Draws per question before giving up; a valid draw takes a handful, so hitting this is a bug.
_MAX_DRAWS = 1000
_MAX_ANSWER_CHARS = 500
_MAX_DIGITS = 12


@dataclass(frozen=True)
class Question:
    """One quiz question.

    ``answer`` is canonical: a tuple of ints (shapes, ``(stride, padding)``) or, for
    ``receptive_field``, ``((row_start, row_stop, row_step), (col_start, col_stop, col_step))``
    with stops included and padding cells at coordinates outside the input. ``params`` holds the
    configuration under torch's names; ``page`` and ``query`` open the dashboard page preset to it.
    """

    kind: str
    prompt: str
    answer: tuple
    answer_format: str
    params: dict = field(hash=False)
    explanation: str
    page: str
    query: dict = field(hash=False)


@dataclass(frozen=True)
class _Level:
    """What a difficulty may draw. Ranges are inclusive."""

    input_sizes: tuple[int, int]
    square: bool
    max_kernel: int
    max_stride: int
    max_padding: int
    max_dilation: int
    output_padding: bool
    transposed_weights: bool
    channels: tuple[int, ...]
    groups: bool
    matrix_channels: bool


_LEVELS = {
    "easy": _Level((4, 12), True, 5, 2, 0, 1, False, False, (1, 3, 8, 16, 32, 64), False, False),
    "medium": _Level((5, 20), False, 5, 3, 2, 1, False, True, (1, 3, 8, 16, 32, 64), False, False),
    "hard": _Level((6, 28), False, 7, 4, 3, 3, True, True, (4, 6, 8, 12, 16, 24, 32, 48, 64), True, True),
}


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def make_quiz(seed: int, difficulty: str = "easy", count: int = 8) -> list[Question]:
    """``count`` distinct questions drawn from ``random.Random(seed)``: same arguments, same quiz.

    Kinds are dealt in shuffled rounds of all six, so every kind appears once before any repeats.
    ``difficulty``: "easy" (square, stride ≤ 2, no padding or dilation), "medium" (non-square, stride and
    padding up to 3 and 2), "hard" (dilation, output_padding, channels, groups). ``count``: 1 to 200.
    """
    seed = as_int("seed", seed)
    count = as_int("count", count, 1)
    if count > 200:
        raise ConvConfigError(f"count = {count} is more questions than a quiz needs: use at most 200.")
    if difficulty not in _LEVELS:
        raise ConvConfigError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}.")
    rng = random.Random(seed)
    level = _LEVELS[difficulty]
    kinds: list[str] = []
    while len(kinds) < count:
        round_ = list(KINDS)
        rng.shuffle(round_)
        kinds += round_
    seen: set[str] = set()
    return [_draw_question(rng, level, kind, seen) for kind in kinds[:count]]


def check_answer(question: Question, text) -> bool:
    """Whether ``text`` is a correct answer to ``question``. Lenient in form, strict in value; never raises.

    Numbers are read in order, whatever separates them ("5x5", "5×5", "(5, 5)", "5 5"); "1,024"
    may be a thousands separator. ``find_params`` accepts every (stride, padding) pair that produces
    the asked output ("stride 2 padding 1", "p=1, s=2", "2, 1"); ``receptive_field`` accepts the
    window with or without its padding cells.
    """
    if not isinstance(text, str) or len(text) > _MAX_ANSWER_CHARS:
        return False
    try:
        grader = _GRADERS.get(question.kind, _grade_exact)
        return bool(grader(question, text))
    except (ValueError, TypeError, OverflowError):
        return False


def score(questions, answers) -> int:
    """Number of correct answers, pairing ``questions[n]`` with ``answers[n]``; missing answers count as wrong."""
    return sum(check_answer(question, answer) for question, answer in zip(questions, answers, strict=False))


def format_answer(question: Question) -> str:
    """The canonical answer written the way a student would type it (and ``check_answer`` accepts)."""
    if question.kind == "receptive_field":
        (r0, r1, rs), (c0, c1, cs) = question.answer
        return f"rows {r0}..{r1} step {rs}, cols {c0}..{c1} step {cs}"
    if question.kind == "find_params":
        return f"stride {question.answer[0]}, padding {question.answer[1]}"
    return "×".join(str(value) for value in question.answer)


def stride_padding_solutions(input_size, output_size, kernel_size, dilation=1) -> list[tuple[int, int]]:
    """Every ``(stride, padding)`` with ``0 ≤ padding ≤ span − 1`` that turns ``input_size`` into ``output_size``.

    ``span = dilation·(kernel_size − 1) + 1``; sizes are ``(H, W)`` pairs, the same stride and padding on both
    axes, ``⌊(in + 2·padding − span) / stride⌋ + 1 = out`` on each. Strides are tried up to
    ``max(H, W) + 2·(span − 1)``: any larger stride only ever gives a 1-pixel output.
    """
    in_h, in_w = as_pair("input_size", input_size, 1)
    out_h, out_w = as_pair("output_size", output_size, 1)
    kernel_size = as_int("kernel_size", kernel_size, 1)
    dilation = as_int("dilation", dilation, 1)
    span = dilated_kernel_size(kernel_size, dilation)
    return [
        (stride, padding)
        for stride in range(1, max(in_h, in_w) + 2 * (span - 1) + 1)
        for padding in range(span)
        # conv_output_size's rule inlined (this loop runs thousands of times); the window must fit first.
        if all(size + 2 * padding >= span and (size + 2 * padding - span) // stride + 1 == out
               for size, out in ((in_h, out_h), (in_w, out_w)))
    ]


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


class _Redraw(Exception):
    """A draw that is valid but makes a poor question (e.g. a 1-pixel target)."""


def _draw_question(rng: random.Random, level: _Level, kind: str, seen: set[str]) -> Question:
    maker = _MAKERS[kind]
    for _ in range(_MAX_DRAWS):
        try:
            question = maker(rng, level)
        except (ConvConfigError, _Redraw):
            continue  # impossible or dull configuration: draw again from the same RNG
        if question.prompt not in seen:
            seen.add(question.prompt)
            return question
    raise RuntimeError(f"No valid {kind} question after {_MAX_DRAWS} draws: the difficulty ranges are too tight.")


def _pair(rng: random.Random, low: int, high: int, square: bool) -> tuple[int, int]:
    first = rng.randint(low, high)
    return (first, first) if square else (first, rng.randint(low, high))


def _input_size(rng: random.Random, level: _Level) -> tuple[int, int]:
    """Square at easy; at medium and hard the two sides always differ, so the student must keep H and W apart."""
    low, high = level.input_sizes
    if level.square:
        return _pair(rng, low, high, True)
    height = rng.randint(low, high)
    return height, rng.choice([w for w in range(low, high + 1) if w != height])


def _layer(rng: random.Random, level: _Level, square: bool):
    """kernel_size, stride, dilation, padding as (h, w) pairs; padding ≤ span − 1 so no window is all padding."""
    kernel = _pair(rng, 1, level.max_kernel, square)
    stride = _pair(rng, 1, level.max_stride, square)
    dilation = _pair(rng, 1, level.max_dilation, square)
    spans = [dilated_kernel_size(k, d) for k, d in zip(kernel, dilation, strict=True)]
    if square:
        padding = (rng.randint(0, min(level.max_padding, spans[0] - 1)),) * 2
    else:
        padding = tuple(rng.randint(0, min(level.max_padding, span - 1)) for span in spans)
    return kernel, stride, dilation, padding


def _conv_sizes_or_none(input_size, kernel_size, stride, padding, dilation):
    try:
        return tuple(conv_output_size(size, kernel_size, stride, padding, dilation) for size in input_size)
    except ConvConfigError:
        return None


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def _shape(values) -> str:
    return "×".join(str(v) for v in values)


def _a_shape(values) -> str:
    """"a 7×7" / "an 8×13" / "an 11×5": the article follows how the first number is spoken."""
    first = str(values[0])
    article = "an" if first.startswith("8") or first in ("11", "18") else "a"
    return f"{article} {_shape(values)}"


def _listing(values) -> str:
    return ", ".join(str(v) for v in values) or "none"


def _arg(pair) -> str:
    """A torch argument as written in code: ``3`` for a square pair, ``(3, 5)`` otherwise."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _layer_code(name: str, in_channels: int, out_channels: int, params: dict) -> str:
    """``nn.Conv2d(...)`` as code, showing dilation/output_padding/groups only when not torch's default."""
    args = [str(in_channels), str(out_channels), f"kernel_size={_arg(params['kernel_size'])}"]
    args += [f"stride={_arg(params['stride'])}", f"padding={_arg(params['padding'])}"]
    defaults = {"output_padding": (0, 0), "dilation": (1, 1), "groups": 1}
    for key, default in defaults.items():
        if key in params and params[key] != default:
            value = params[key]
            args.append(f"{key}={_arg(value) if isinstance(value, tuple) else value}")
    return f"`nn.{name}({', '.join(args)})`"


def _conv_steps(axis: str, size: int, k: int, s: int, p: int, d: int) -> str:
    numerator = size + 2 * p - d * (k - 1) - 1
    out = numerator // s + 1
    return (
        f"- {axis}: floor(({size} + 2·{p} − {d}·({k} − 1) − 1) / {s}) + 1 = floor({numerator} / {s}) + 1 "
        f"= {numerator // s} + 1 = {out}"
    )


def _transpose_steps(axis: str, size: int, k: int, s: int, p: int, op: int, d: int) -> str:
    out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
    return (
        f"- {axis}: ({size} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 "
        f"= {(size - 1) * s} − {2 * p} + {d * (k - 1)} + {op} + 1 = {out}"
    )


_CONV_RULE = "Conv2d output size, per axis: out = floor((in + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1."
_TRANSPOSE_RULE = (
    "ConvTranspose2d output size, per axis: "
    "out = (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1."
)


def _conv_explanation(params: dict) -> str:
    lines = [_CONV_RULE, ""]
    for axis, index in (("Height", 0), ("Width", 1)):
        lines.append(_conv_steps(axis, *(params[key][index] for key in ("input_size", "kernel_size", "stride", "padding", "dilation"))))
    return "\n".join(lines)


def _size_query(mode: str, params: dict) -> dict:
    """Query for the "output_size" page: every per-axis value, output_padding 0 for a convolution."""
    keys = {"in": "input_size", "k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "op": "output_padding"}
    query = {"mode": mode}
    for short, key in keys.items():
        pair = params.get(key, (0, 0))
        query[f"{short}_h"], query[f"{short}_w"] = int(pair[0]), int(pair[1])
    return query


def _matrix_query(params: dict) -> dict:
    """Query for the "matrix" page, which takes one stride, padding and dilation for both axes."""
    return {
        "in_h": params["input_size"][0], "in_w": params["input_size"][1],
        "k_h": params["kernel_size"][0], "k_w": params["kernel_size"][1],
        "stride": params["stride"][0], "padding": params["padding"][0], "dilation": params["dilation"][0],
    }


# ---------------------------------------------------------------------------------------------
# Question makers: each draws a configuration, lets core compute the answer (raising
# ConvConfigError for an impossible draw) and writes the prompt and the worked explanation.
# ---------------------------------------------------------------------------------------------


def _make_conv_output(rng: random.Random, level: _Level) -> Question:
    input_size = _input_size(rng, level)
    kernel, stride, dilation, padding = _layer(rng, level, level.square)
    params = {"input_size": input_size, "kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    answer = tuple(conv_output_size(*(params[key][i] for key in params)) for i in range(2))
    prompt = (
        f"{_a_shape(input_size).capitalize()} input (height×width) goes through {_layer_code('Conv2d', 1, 1, params)}. "
        f"**What is the output height×width?**"
    )
    explanation = f"{_conv_explanation(params)}\n\nOutput: {_shape(answer)}."
    return Question("conv_output", prompt, answer, "H×W", params, explanation, "output_size", _size_query("conv", params))


def _make_transpose_output(rng: random.Random, level: _Level) -> Question:
    input_size = _input_size(rng, level)
    kernel, stride, dilation, padding = _layer(rng, level, level.square)
    output_padding = (0, 0)
    if level.output_padding:
        output_padding = tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation, strict=True))
    params = {
        "input_size": input_size, "kernel_size": kernel, "stride": stride, "padding": padding,
        "output_padding": output_padding, "dilation": dilation,
    }
    answer = tuple(conv_transpose_output_size(*(params[key][i] for key in params)) for i in range(2))
    prompt = (
        f"{_a_shape(input_size).capitalize()} input (height×width) goes through {_layer_code('ConvTranspose2d', 1, 1, params)}. "
        f"**What is the output height×width?**"
    )
    steps = [
        _transpose_steps(axis, *(params[key][i] for key in params)) for axis, i in (("Height", 0), ("Width", 1))
    ]
    explanation = "\n".join([_TRANSPOSE_RULE, "", *steps, "", f"Output: {_shape(answer)}."])
    return Question(
        "transpose_output", prompt, answer, "H×W", params, explanation, "output_size", _size_query("transpose", params)
    )


def _square_layer_params(rng: random.Random, level: _Level) -> dict:
    """A configuration the "matrix" page can show: any kernel, one stride/padding/dilation for both axes."""
    input_size = _input_size(rng, level)
    kernel = _pair(rng, 1, level.max_kernel, level.square)
    stride = rng.randint(1, level.max_stride)
    dilation = rng.randint(1, level.max_dilation)
    padding = rng.randint(0, min(level.max_padding, dilated_kernel_size(min(kernel), dilation) - 1))
    return {
        "input_size": input_size, "kernel_size": kernel,
        "stride": (stride, stride), "padding": (padding, padding), "dilation": (dilation, dilation),
    }


def _make_matrix_shape(rng: random.Random, level: _Level) -> Question:
    params = _square_layer_params(rng, level)
    in_channels = rng.randint(1, 4) if level.matrix_channels else 1
    out_channels = rng.choice((1, 2, 4, 8)) if level.matrix_channels else 1
    params = {"in_channels": in_channels, "out_channels": out_channels, **params}
    (in_h, in_w) = params["input_size"]
    out_h, out_w = (conv_output_size(params["input_size"][i], params["kernel_size"][i], params["stride"][i],
                                     params["padding"][i], params["dilation"][i]) for i in range(2))
    answer = (out_channels * out_h * out_w, in_channels * in_h * in_w)
    if in_channels == out_channels == 1:
        setting = f"A single-channel {_shape((in_h, in_w))} input goes through {_layer_code('Conv2d', 1, 1, params)}."
    else:
        setting = (
            f"An input of {in_channels} channel(s), each {_shape((in_h, in_w))}, goes through "
            f"{_layer_code('Conv2d', in_channels, out_channels, params)}."
        )
    prompt = (
        f"{setting} Written as a matrix product vec(Y) = W · vec(X), "
        f"**what shape does W have (rows×columns)?**"
    )
    explanation = "\n".join([
        "W has one row per output number and one column per input number.",
        "",
        _CONV_RULE,
        "",
        _conv_steps("Height", in_h, params["kernel_size"][0], params["stride"][0], params["padding"][0], params["dilation"][0]),
        _conv_steps("Width", in_w, params["kernel_size"][1], params["stride"][1], params["padding"][1], params["dilation"][1]),
        "",
        f"- Rows = out_channels·H_out·W_out = {out_channels}·{out_h}·{out_w} = {answer[0]}",
        f"- Columns = in_channels·H·W = {in_channels}·{in_h}·{in_w} = {answer[1]}",
        "",
        f"W is {_shape(answer)}.",
    ])
    return Question("matrix_shape", prompt, answer, "rows×columns", params, explanation, "matrix", _matrix_query(params))


def _window_text(axis: str, index: int, start: int, k: int, s: int, p: int, d: int) -> str:
    return (
        f"- {axis}: {index}·{s} − {p} + {d}·t for t = 0 … {k - 1}: from {index}·{s} − {p} = {start} "
        f"to {start} + {d}·({k} − 1) = {start + d * (k - 1)}, step {d}"
    )


def _make_receptive_field(rng: random.Random, level: _Level) -> Question:
    params = _square_layer_params(rng, level)
    (in_h, in_w) = params["input_size"]
    out_h, out_w = (conv_output_size(params["input_size"][i], params["kernel_size"][i], params["stride"][i],
                                     params["padding"][i], params["dilation"][i]) for i in range(2))
    if out_h * out_w < 2:
        raise _Redraw  # a single output cell makes "which output?" pointless
    if params["padding"][0] and rng.random() < 0.5:
        # A corner-side cell, so the window reaches into the padding and the note matters.
        output_index = (rng.choice((0, out_h - 1)), rng.choice((0, out_w - 1)))
    else:
        output_index = (rng.randrange(out_h), rng.randrange(out_w))
    params["output_index"] = output_index
    rows, cols = receptive_field(
        output_index, params["input_size"], params["kernel_size"],
        params["stride"][0], params["padding"][0], params["dilation"][0],
    )
    step = params["dilation"][0]
    answer = ((int(rows[0, 0]), int(rows[-1, 0]), step), (int(cols[0, 0]), int(cols[0, -1]), step))
    prompt = (
        f"{_a_shape((in_h, in_w)).capitalize()} input (height×width) goes through {_layer_code('Conv2d', 1, 1, params)}. "
        f"**Which input rows and columns does output cell (row {output_index[0]}, column {output_index[1]}) read?** "
        f"Count from 0 in the unpadded input, so padding cells have coordinates below 0 or past the last row/column. "
        f"Answer as `rows a..b step s, cols c..d step t` (b and d included)."
    )
    k_h, k_w = params["kernel_size"]
    s, p, d = params["stride"][0], params["padding"][0], step
    padded_rows = [r for r in range(answer[0][0], answer[0][1] + 1, d) if not 0 <= r < in_h]
    padded_cols = [c for c in range(answer[1][0], answer[1][1] + 1, d) if not 0 <= c < in_w]
    if padded_rows or padded_cols:
        padding_note = (
            f"Padding (zeros, not real pixels): rows {_listing(padded_rows)}; columns {_listing(padded_cols)}. "
            f"An answer that leaves them out is also accepted."
        )
    else:
        padding_note = "The whole window lies inside the input: no padding cell is read."
    explanation = "\n".join([
        "Output (i, j) reads input row i·stride − padding + dilation·t for each kernel row t (columns likewise).",
        "",
        _window_text("Rows", output_index[0], answer[0][0], k_h, s, p, d),
        _window_text("Columns", output_index[1], answer[1][0], k_w, s, p, d),
        "",
        padding_note,
    ])
    return Question(
        "receptive_field", prompt, answer, "rows a..b step s, cols c..d step t", params, explanation, "matrix",
        _matrix_query(params),
    )


def _make_find_params(rng: random.Random, level: _Level) -> Question:
    input_size = _input_size(rng, level)
    kernel = rng.randint(2, level.max_kernel)  # a 1×1 kernel leaves only padding 0: no question
    dilation = rng.randint(1, level.max_dilation)
    span = dilated_kernel_size(kernel, dilation)
    stride = rng.randint(1, max(level.max_stride, 2))
    # The canonical answer stays within the output-size page's padding slider (0–3); others may exceed it.
    padding = rng.randint(0, min(span - 1, max(level.max_padding, 1)))
    output_size = tuple(conv_output_size(size, kernel, stride, padding, dilation) for size in input_size)
    if min(output_size) < 2:
        raise _Redraw  # a 1-pixel target is reached by endless strides
    params = {
        "input_size": input_size, "output_size": output_size, "kernel_size": (kernel, kernel),
        "stride": (stride, stride), "padding": (padding, padding), "dilation": (dilation, dilation),
    }
    dilation_text = f", dilation={dilation}" if dilation > 1 else ""
    prompt = (
        f"`nn.Conv2d(1, 1, kernel_size={kernel}{dilation_text}, stride=?, padding=?)` must turn "
        f"{_a_shape(input_size)} input into {_a_shape(output_size)} output. "
        f"**Which stride and padding do it?** Use the same value on both axes, with padding at most {span - 1} "
        f"(so every output still reads at least one real pixel)."
    )
    others = [pair for pair in stride_padding_solutions(input_size, output_size, kernel, dilation) if pair != (stride, padding)]
    also = ", ".join(f"stride {s} padding {p}" for s, p in others[:6]) + (" …" if len(others) > 6 else "")
    explanation = "\n".join([
        _CONV_RULE,
        "",
        f"With stride {stride} and padding {padding}:",
        _conv_steps("Height", input_size[0], kernel, stride, padding, dilation),
        _conv_steps("Width", input_size[1], kernel, stride, padding, dilation),
        "",
        f"Also correct: {also}." if others else "No other pair works.",
    ])
    return Question(
        "find_params", prompt, (stride, padding), "stride, padding", params, explanation, "output_size",
        _size_query("conv", params),
    )


def _make_weight_shape(rng: random.Random, level: _Level) -> Question:
    layer = rng.choice(("Conv2d", "ConvTranspose2d")) if level.transposed_weights else "Conv2d"
    in_channels = rng.choice(level.channels)
    out_channels = rng.choice(level.channels)
    kernel = rng.randint(1, level.max_kernel)
    groups = 1
    if level.groups:
        common = [g for g in range(2, math.gcd(in_channels, out_channels) + 1) if in_channels % g == out_channels % g == 0]
        if not common:
            raise _Redraw  # no grouping possible: the hard level wants one
        groups = rng.choice(common)
    check_groups(groups, in_channels, out_channels)
    params = {
        "layer": layer, "in_channels": in_channels, "out_channels": out_channels,
        "kernel_size": (kernel, kernel), "groups": groups,
    }
    if layer == "Conv2d":
        answer = (out_channels, in_channels // groups, kernel, kernel)
        rule = "Conv2d stores its weight as (out_channels, in_channels / groups, kh, kw): one filter per output channel."
        first, second = f"{out_channels}", f"{in_channels} / {groups}"
    else:
        answer = (in_channels, out_channels // groups, kernel, kernel)
        rule = (
            "ConvTranspose2d stores its weight as (in_channels, out_channels / groups, kh, kw): the weight of the "
            "Conv2d it transposes, which maps out_channels back to in_channels."
        )
        first, second = f"{in_channels}", f"{out_channels} / {groups}"
    groups_text = f", groups={groups}" if groups > 1 else ""
    prompt = (
        f"What is the shape of `nn.{layer}({in_channels}, {out_channels}, kernel_size={kernel}{groups_text}).weight`?"
    )
    explanation = f"{rule}\n\n({first}, {second}, {kernel}, {kernel}) = {_shape(answer)}."
    query = {"c_in": in_channels, "c_out": out_channels, "groups": groups, "k": kernel}
    return Question("weight_shape", prompt, answer, "A×B×C×D (4 numbers)", params, explanation, "channels", query)


_MAKERS = {
    "conv_output": _make_conv_output,
    "transpose_output": _make_transpose_output,
    "matrix_shape": _make_matrix_shape,
    "receptive_field": _make_receptive_field,
    "find_params": _make_find_params,
    "weight_shape": _make_weight_shape,
}


# ---------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------

# A number: an optional minus sign that does not follow a digit ("5-7" is two numbers, "(-1" one).
_NUMBER = re.compile(r"(?<![0-9])-?[0-9]+")
# "1,024" / "1_024" / "1'024": a separator followed by exactly three digits.
_THOUSANDS = re.compile(r"(?<=[0-9])[,_'](?=[0-9]{3}(?![0-9]))")
_STRIDE = re.compile(r"\b(?:stride|s)\s*[=:]?\s*(-?[0-9]+)", re.IGNORECASE)
_PADDING = re.compile(r"\b(?:padding|pad|p)\s*[=:]?\s*(-?[0-9]+)", re.IGNORECASE)


def _number_readings(text: str) -> list[list[int]]:
    """The integers in ``text``, read with commas as separators and (if it differs) as thousands marks."""
    readings = []
    for variant in (text, _THOUSANDS.sub("", text)):
        tokens = _NUMBER.findall(variant)
        if any(len(token.lstrip("-")) > _MAX_DIGITS for token in tokens):
            continue
        numbers = [int(token) for token in tokens]
        if numbers not in readings:
            readings.append(numbers)
    return readings


def _grade_exact(question: Question, text: str) -> bool:
    expected = list(question.answer) if isinstance(question.answer, tuple) else [question.answer]
    square_shorthand = question.kind in ("conv_output", "transpose_output") and len(set(expected)) == 1
    for numbers in _number_readings(text):
        if numbers == expected or (square_shorthand and numbers == expected[:1]):
            return True
    return False


def _grade_find_params(question: Question, text: str) -> bool:
    stride_match, padding_match = _STRIDE.findall(text), _PADDING.findall(text)
    if len(stride_match) == 1 and len(padding_match) == 1:
        candidates = [(stride_match[0], padding_match[0])]
    else:
        candidates = [tuple(numbers) for numbers in _number_readings(text) if len(numbers) == 2]
    return any(_solves_find_params(question.params, *pair) for pair in candidates)


def _solves_find_params(params: dict, stride, padding) -> bool:
    """Whether (stride, padding) meets the question: padding in [0, span − 1] and the asked output size."""
    if len(str(stride)) > _MAX_DIGITS or len(str(padding)) > _MAX_DIGITS:
        return False
    stride, padding = int(stride), int(padding)
    kernel, dilation = params["kernel_size"][0], params["dilation"][0]
    if stride < 1 or not 0 <= padding < dilated_kernel_size(kernel, dilation):
        return False
    return _conv_sizes_or_none(params["input_size"], kernel, stride, padding, dilation) == tuple(params["output_size"])


def _grade_receptive_field(question: Question, text: str) -> bool:
    (in_h, in_w) = question.params["input_size"]
    (r0, r1, rs), (c0, c1, cs) = question.answer
    full_rows, full_cols = set(range(r0, r1 + 1, rs)), set(range(c0, c1 + 1, cs))
    # Either the whole window (padding cells included) or only its real pixels, per axis.
    accepted_rows = (full_rows, {r for r in full_rows if 0 <= r < in_h})
    accepted_cols = (full_cols, {c for c in full_cols if 0 <= c < in_w})
    for numbers in _number_readings(text):
        ranges = _as_ranges(numbers)
        if ranges and ranges[0] in accepted_rows and ranges[1] in accepted_cols:
            return True
    return False


def _as_ranges(numbers: list[int]):
    """Rows and columns as sets, from ``r0 r1 step c0 c1 step``, ``r0 r1 c0 c1`` (step 1) or one cell ``r c``."""
    if len(numbers) == 6:
        bounds = [numbers[0:3], numbers[3:6]]
    elif len(numbers) == 4:
        bounds = [[numbers[0], numbers[1], 1], [numbers[2], numbers[3], 1]]
    elif len(numbers) == 2:
        bounds = [[numbers[0], numbers[0], 1], [numbers[1], numbers[1], 1]]
    else:
        return None
    sets = []
    for start, stop, step in bounds:
        # The stop must itself be in the range ("0..5 step 2" is not a way to write 0, 2, 4).
        if step < 1 or stop < start or (stop - start) % step or (stop - start) // step > 10_000:
            return None
        sets.append(set(range(start, stop + 1, step)))
    return sets


_GRADERS = {
    "find_params": _grade_find_params,
    "receptive_field": _grade_receptive_field,
}
