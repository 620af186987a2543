"""Worked formulas with the numbers substituted, for the page and the quiz to show step by step.

Each function returns LaTeX (for ``st.latex``) whose last number is the result the matching
function in :mod:`core.sizes` computes.
"""

from __future__ import annotations

from fractions import Fraction

from .errors import ConvConfigError
from .sizes import (
    conv_input_sizes,
    conv_output_size,
    conv_transpose_output_size,
    dilated_kernel_size,
    keras_conv_output_size,
    keras_conv_transpose_output_size,
)


def _fraction_text(numerator: int, denominator: int) -> str:
    value = Fraction(numerator, denominator)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}".rstrip("0").rstrip(".")


def _aligned(symbol: str, *steps: str) -> str:
    """``symbol = step₁ = step₂ …``, one step per line, so a projector-width column never cuts off the result."""
    lines = [rf"{symbol} &= {steps[0]}"] + [rf"&= {step}" for step in steps[1:]]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def conv_size_latex(size, kernel_size, stride=1, padding=0, dilation=1, symbol="o") -> str:
    """``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1`` with the numbers in, the floor shown, and the result.

    Three lines: the formula, the numbers substituted, then the floor step and the result.
    """
    out = conv_output_size(size, kernel_size, stride, padding, dilation)
    numerator = size + 2 * padding - dilation * (kernel_size - 1) - 1
    return _aligned(
        symbol,
        r"\left\lfloor \frac{i + 2p - d(k-1) - 1}{s} \right\rfloor + 1",
        rf"\left\lfloor \frac{{{size} + 2\cdot{padding} - {dilation}\cdot({kernel_size}-1) - 1}}{{{stride}}} \right\rfloor + 1",
        rf"\left\lfloor {_fraction_text(numerator, stride)} \right\rfloor + 1 = {numerator // stride} + 1 = {out}",
    )


def conv_transpose_size_latex(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1, symbol="o") -> str:
    """``o = (i − 1)s − 2p + d(k − 1) + output_padding + 1`` with the numbers in and the result.

    Three lines: the formula, the numbers substituted, the result.
    """
    out = conv_transpose_output_size(size, kernel_size, stride, padding, output_padding, dilation)
    return _aligned(
        symbol,
        r"(i-1)s - 2p + d(k-1) + \mathrm{op} + 1",
        rf"({size}-1)\cdot{stride} - 2\cdot{padding} + {dilation}\cdot({kernel_size}-1) + {output_padding} + 1",
        str(out),
    )


def keras_claim_rows(output_size, kernel_size, stride) -> list[dict]:
    """The lesson's Keras claim against Keras's exact rule, for every conv input that gives ``output_size``.

    The lesson: a transposed convolution of an input ``i'`` gives ``s(i' − 1) + k``, and Keras adds 1
    "when i − k is not a multiple of s" (i being the convolution's input). Keras 3 (valid, no
    output_padding) gives ``i'·s + max(k − s, 0) = s(i' − 1) + max(k, s)``: it never looks at i.
    Each row holds i, the claim, Keras's value, PyTorch's value (output_padding 0) and whether
    each gets i back.
    """
    rows = []
    base = stride * (output_size - 1) + kernel_size
    keras = keras_conv_transpose_output_size(output_size, kernel_size, stride, "valid")
    for size in conv_input_sizes(output_size, kernel_size, stride):
        claim = base + (1 if (size - kernel_size) % stride else 0)
        rows.append({
            "conv input i": size,
            "i − k multiple of s": (size - kernel_size) % stride == 0,
            "lesson's claim": claim,
            "Keras (valid)": keras,
            "claim = Keras": claim == keras,
            "PyTorch (output_padding 0)": conv_transpose_output_size(output_size, kernel_size, stride),
            "PyTorch output_padding to get i back": size - base,
        })
    return rows


def keras_sizes(size, kernel_size, stride=1, dilation=1, output_padding=0, transposed=False) -> dict:
    """Keras's output length along one axis for the paddings it has, by column name.

    Convolution: ``"same"`` = ⌈size / stride⌉ and ``"valid"`` = ⌊(size − k′) / stride⌋ + 1 with
    k′ = dilation·(kernel_size − 1) + 1, or "—" when the kernel does not fit. Transposed: ``"valid"``
    = size·stride + max(k′ − stride, 0), ``"same"`` = size·stride, and ``"valid + op"`` = (size − 1)·stride
    + k′ + op with op = ``output_padding``, or "—" when op ≥ stride (Keras refuses it). The names are
    the same on every axis, so the rows of a table share their columns.
    """
    if transposed:
        row = {name: keras_conv_transpose_output_size(size, kernel_size, stride, name, None, dilation)
               for name in ("valid", "same")}
        row["valid + op"] = (keras_conv_transpose_output_size(size, kernel_size, stride, "valid", output_padding,
                                                              dilation) if output_padding < stride else "—")
        return row
    row = {"same": keras_conv_output_size(size, kernel_size, stride, "same", dilation)}
    try:
        row["valid"] = keras_conv_output_size(size, kernel_size, stride, "valid", dilation)
    except ConvConfigError:
        row["valid"] = "—"
    return row


def output_padding_picks(output_size, kernel_size, stride=1, padding=0, dilation=1) -> tuple[int, dict[int, int]]:
    """The transposed layer's base length and, for each Conv2d input that gives ``output_size``, the
    output_padding that returns it: ``(i₀, {output_padding: i})``.

    ``i₀ = (output_size − 1)·stride − 2·padding + dilation·(kernel_size − 1) + 1`` is what
    ConvTranspose2d returns with output_padding 0; each ``i`` of :func:`core.conv_input_sizes` is
    ``i₀ + output_padding`` with ``0 ≤ output_padding < stride``. Raises ConvConfigError when no input gives
    ``output_size``.
    """
    sizes = conv_input_sizes(output_size, kernel_size, stride, padding, dilation)
    base = (output_size - 1) * stride - 2 * padding + dilated_kernel_size(kernel_size, dilation)
    return base, {size - base: size for size in sizes}


def span_latex(kernel_size, dilation) -> str:
    """The dilated kernel's span ``d(k − 1) + 1`` with the numbers in."""
    return rf"d(k-1)+1 = {dilation}\cdot({kernel_size}-1)+1 = {dilated_kernel_size(kernel_size, dilation)}"


def round_trip_lines(input_size, output_size, kernel_size, stride, padding, dilation, output_padding) -> list[str]:
    """Per axis (H, W): which Conv2d inputs map to this transposed layer's input, and whether its output is one.

    A ConvTranspose2d maps ``i`` to ``o = (i−1)s − 2p + d(k−1) + op + 1``; the Conv2d with the same
    k, s, p, d maps every size in :func:`core.conv_input_sizes` (``i``) back to ``i``, so the round
    trip restores ``o`` exactly when ``o`` is among them (``op`` picks which one). Markdown, one line per axis.
    """
    lines = []
    for axis, n, out, k, s, p, d, op in zip("HW", input_size, output_size, kernel_size, stride, padding, dilation,
                                            output_padding, strict=True):
        sizes = conv_input_sizes(n, k, s, p, d)
        verdict = "yes" if out in sizes else "no — output_padding ≥ stride adds extra rows"
        lines.append(f"**{axis}:** Conv2d(k={k}, s={s}, p={p}, d={d}) maps each of {sizes} to {n}; this layer returns "
                     f"{out} (output_padding = {op}). Round trip restores {out}: {verdict}.")
    return lines


def markdown_table(rows: list[dict], number_format: str = "{:.4g}") -> str:
    """``rows`` (dicts sharing their keys, in order) as a Markdown table for ``st.markdown``.

    A Markdown table is plain HTML in the browser: large, crisp text on a projector and cheap to
    redraw on every rerun, unlike an interactive data grid. Booleans show as ✓/✗, floats through
    ``number_format``; a ``|`` inside a cell is escaped. Rows whose keys differ raise ValueError.
    """
    if not rows:
        return ""

    def cell(value) -> str:
        if isinstance(value, bool):
            text = "✓" if value else "✗"
        elif isinstance(value, float):
            text = number_format.format(value)
        else:
            text = str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    header = list(rows[0])
    for row in rows:
        if list(row) != header:  # a cell under no header, or an empty one, would read as a wrong number
            raise ValueError(f"markdown_table: a row has columns {list(row)}, the first has {header}")
    lines = ["| " + " | ".join(cell(name) for name in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(row.get(name, "")) for name in header) + " |" for row in rows]
    return "\n".join(lines)
