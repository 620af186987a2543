"""Checkerboard artifacts: overlap counts against torch, the even-overlap rule, the upsamplers."""

from __future__ import annotations

import dataclasses
import itertools
import math

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.checkerboard import (
    UPSAMPLING_METHODS,
    checkerboard_strength,
    is_even_overlap,
    overlap_counts_1d,
    overlap_counts_2d,
    overlap_interior,
    overlap_period,
    overlap_stack,
    overlap_verdict,
    repeated_layers,
    stacked_overlap_counts,
    torch_overlap_difference,
    torch_stacked_overlap_counts,
    transpose_recipe,
    upsample,
    upsample_comparison,
)
from core.errors import ConvConfigError

SIZES = range(1, 11)
KERNELS = range(1, 8)
STRIDES = range(1, 5)
PADDINGS = range(0, 4)
DILATIONS = range(1, 4)


def every_1d_config():
    """(size, k, s, p, op, d) over the whole grid, every output_padding torch allows."""
    for size, k, s, p, d in itertools.product(SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS):
        for op in range(max(s, d)):
            yield size, k, s, p, op, d


def full_length(size, k, s, op, d):
    return (size - 1) * s + d * (k - 1) + 1 + op


def torch_counts_1d(size, k, s, p, op, d) -> np.ndarray:
    ones = torch.ones(1, 1, size, dtype=torch.float64)
    return F.conv_transpose1d(ones, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p,
                              output_padding=op, dilation=d)[0, 0].numpy()


def torch_stack_2d(input_shape, layers) -> np.ndarray:
    x = torch.ones(1, 1, *input_shape, dtype=torch.float64)
    for k, s, p, op, d in layers:
        x = F.conv_transpose2d(x, torch.ones(1, 1, *k, dtype=torch.float64), stride=s, padding=p,
                               output_padding=op, dilation=d)
    return x[0, 0].numpy()


# ---------------------------------------------------------------------------------------------
# Overlap counts
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Thousands of tiny convolutions: thread start-up would cost more than the work."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def torch_counts() -> dict:
    """Torch's 1-D counts for every valid configuration of the grid, keyed (size, k, s, p, op, d).

    Batched: one conv_transpose1d per layer (k, s, p, op, d) runs all ten sizes at once, input n
    holding ones in its first n cells and zeros after. Zeros stamp nothing and the position of a
    stamp, ``i·s − p + t·d``, does not depend on the input length, so truncating output n to its own
    length gives exactly torch's result on an all-ones input of length n.
    """
    max_size = max(SIZES)
    batch = torch.tensor([[float(i < n) for i in range(max_size)] for n in SIZES], dtype=torch.float64)[:, None]
    counts = {}
    for k, s, p, d in itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS):
        for op in range(max(s, d)):
            if full_length(max_size, k, s, op, d) - 2 * p < 1:
                continue  # even the longest input is cropped away; the shorter ones too
            out = F.conv_transpose1d(batch, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p,
                                     output_padding=op, dilation=d)[:, 0].numpy()
            for size, row in zip(SIZES, out, strict=True):
                length = full_length(size, k, s, op, d) - 2 * p
                if length >= 1:
                    counts[size, k, s, p, op, d] = row[:length]
    return counts


def test_batched_torch_counts_equal_unbatched_torch(torch_counts):
    for config in list(torch_counts)[::97]:
        np.testing.assert_array_equal(torch_counts[config], torch_counts_1d(*config))


def test_1d_counts_equal_torch_exhaustively(torch_counts):
    mismatches, refused = [], 0
    for config in every_1d_config():
        if config not in torch_counts:
            with pytest.raises(ConvConfigError):
                overlap_counts_1d(*config)
            refused += 1
            continue
        counts = overlap_counts_1d(*config)
        if counts.dtype.kind != "i" or not np.array_equal(counts, torch_counts[config]):
            mismatches.append(config)
    assert not mismatches
    assert len(torch_counts) > 8000 and refused > 0


def test_torch_refuses_what_overlap_counts_refuse(torch_counts):
    refused = [config for config in every_1d_config() if config not in torch_counts]
    for config in refused[::7]:
        with pytest.raises(RuntimeError):
            torch_counts_1d(*config)


def test_2d_counts_equal_torch_on_many_axis_pairs(torch_counts):
    valid = list(torch_counts)
    rng = np.random.default_rng(0)
    for first, second in rng.choice(len(valid), size=(600, 2)):
        (h, kh, sh, ph, oph, dh), (w, kw, sw, pw, opw, dw) = valid[first], valid[second]
        counts = overlap_counts_2d((h, w), (kh, kw), (sh, sw), (ph, pw), (oph, opw), (dh, dw))
        expected = torch_stack_2d((h, w), [((kh, kw), (sh, sw), (ph, pw), (oph, opw), (dh, dw))])
        np.testing.assert_array_equal(counts, expected)


def test_2d_counts_take_ints_like_torch():
    np.testing.assert_array_equal(overlap_counts_2d(4, 3, 2), torch_stack_2d((4, 4), [((3, 3), 2, 0, 0, 1)]))


@pytest.mark.parametrize("bad", [dict(output_padding=2, stride=2), dict(padding=9), dict(stride=0), dict(kernel_size=1.5)])
def test_invalid_layers_raise_config_error(bad):
    kwargs = dict(size=4, kernel_size=3, stride=2) | bad
    with pytest.raises(ConvConfigError):
        overlap_counts_1d(**kwargs)


def test_interior_and_period_describe_the_counts(torch_counts):
    """Inside overlap_interior the counts repeat overlap_period; the interior is the formula's range."""
    for (size, k, s, p, op, d), counts in torch_counts.items():
        interior = overlap_interior(size, k, s, p, op, d)
        positions = np.arange(len(counts))
        expected_inside = ((k - 1) * d <= positions + p) & (positions + p <= (size - 1) * s)
        assert np.array_equal(np.flatnonzero(expected_inside), positions[interior])
        period = overlap_period(k, s, d)
        assert np.array_equal(counts[interior], period[(positions[interior] + p) % s]), (size, k, s, p, op, d)
        # Outside the interior some tap is missing, so a border position never exceeds the steady count.
        assert np.all(counts[~expected_inside] <= period[(positions[~expected_inside] + p) % s])


def test_even_overlap_rule_matches_interior_counts_exhaustively(torch_counts):
    """Interior constant ⇔ is_even_overlap, wherever the interior spans at least one full period."""
    decided = {True: 0, False: 0}
    for (size, k, s, p, op, d), counts in torch_counts.items():
        interior = counts[overlap_interior(size, k, s, p, op, d)]
        if len(interior) < s:
            continue  # too short to see every phase: no verdict either way
        constant = bool(np.all(interior == interior[0]))
        assert constant == is_even_overlap(k, s, d), (size, k, s, p, op, d)
        decided[constant] += 1
    assert min(decided.values()) > 500


def test_even_overlap_rule_on_a_long_input_beyond_the_grid():
    for k, s, d in itertools.product(range(1, 13), range(1, 9), range(1, 9)):
        size = 4 * (k * d + s)
        interior = overlap_counts_1d(size, k, s, dilation=d)[overlap_interior(size, k, s, dilation=d)]
        assert bool(np.all(interior == interior[0])) == is_even_overlap(k, s, d), (k, s, d)


def test_even_overlap_rule_examples():
    assert is_even_overlap(4, 2) and is_even_overlap(3, 1) and is_even_overlap(6, 3)
    assert not is_even_overlap(3, 2) and not is_even_overlap(5, 4)
    assert not is_even_overlap(4, 2, dilation=2)  # taps only reach even phases: holes
    assert is_even_overlap(4, 2, dilation=3)


def test_stacked_counts_equal_torch_in_sequence():
    rng = np.random.default_rng(1)
    checked = 0
    while checked < 300:
        layers = []
        for _ in range(rng.integers(1, 4)):
            k, s, d = (tuple(int(v) for v in rng.integers(1, hi, size=2)) for hi in (6, 4, 3))
            p = tuple(int(v) for v in rng.integers(0, 3, size=2))
            op = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d, strict=True))
            layers.append((k, s, p, op, d))
        shape = tuple(int(v) for v in rng.integers(1, 6, size=2))
        try:
            counts = stacked_overlap_counts(shape, layers)
        except ConvConfigError:
            with pytest.raises(RuntimeError):
                torch_stack_2d(shape, layers)
            continue
        np.testing.assert_array_equal(counts, torch_stack_2d(shape, layers))
        checked += 1


def test_torch_reference_runs_the_stack_it_is_given():
    """The page's check: the same layers, dicts or tuples, through torch one call per layer."""
    rng = np.random.default_rng(2)
    for _ in range(40):
        layers = [((int(rng.integers(1, 6)), int(rng.integers(1, 6))), (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
                   (0, 0), (0, 0), (int(rng.integers(1, 3)), int(rng.integers(1, 3)))) for _ in range(rng.integers(1, 4))]
        shape = tuple(int(v) for v in rng.integers(1, 6, size=2))
        reference = torch_stacked_overlap_counts(shape, layers)
        np.testing.assert_array_equal(reference, torch_stack_2d(shape, layers))
        np.testing.assert_array_equal(reference, stacked_overlap_counts(shape, layers))
    as_dicts = [{"kernel_size": (1, 3), "stride": (1, 2), "padding": (0, 1)}] * 2
    np.testing.assert_array_equal(torch_stacked_overlap_counts((1, 4), as_dicts),
                                  torch_stack_2d((1, 4), [((1, 3), (1, 2), (0, 1), (0, 0), (1, 1))] * 2))


# The checkerboard page's controls: input n, kernel k, stride s, padding p, dilation d, 1–3 layers.
PAGE_STACKS = list(itertools.product(range(1, 13), range(1, 8), range(1, 5), range(0, 4), range(1, 4)))


def test_overlap_verdict_names_what_the_interior_counts_show():
    """Even: one count everywhere inside; holes: dilation and stride share a factor, so some phases get no
    stamp at all; uneven: the rest, where the inside counts vary (with gaps too when k < s)."""
    for k, s, d in itertools.product(KERNELS, range(1, 5), range(1, 4)):
        counts = overlap_counts_1d(40, k, s, dilation=d)
        inside = counts[overlap_interior(40, k, s, dilation=d)]
        kind, sentence = overlap_verdict(k, s, d)
        expected = "even" if len(set(inside.tolist())) == 1 else "holes" if math.gcd(d, s) > 1 else "uneven"
        assert kind == expected, (k, s, d)
        if kind == "holes":
            assert 0 in inside
        if kind != "even":
            assert str(overlap_period(k, s, d).tolist()) in sentence


def test_repeated_layers_are_square_or_one_row():
    assert repeated_layers(3, 2, 1, 2, 2) == [{"kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1),
                                               "dilation": (2, 2)}] * 2
    assert repeated_layers(3, 2, 1, 2, 1, one_row=True) == [{"kernel_size": (1, 3), "stride": (1, 2),
                                                             "padding": (0, 1), "dilation": (1, 2)}]


def test_overlap_stack_equals_torch_over_the_pages_controls():
    """One layer: every setting of the page; 2–3 layers: a seeded sample. Impossible stacks raise in both."""
    rng = np.random.default_rng(3)
    deeper = [(*PAGE_STACKS[i], int(rng.integers(2, 4))) for i in rng.choice(len(PAGE_STACKS), 300, replace=False)]
    checked = 0
    for n, k, s, p, d, depth in [(*c, 1) for c in PAGE_STACKS] + deeper:
        layer = ((k, k), (s, s), (p, p), (0, 0), (d, d))
        try:
            stack = overlap_stack(n, k, s, p, d, depth)
        except ConvConfigError:
            with pytest.raises(RuntimeError):
                torch_stack_2d((n, n), [layer] * depth)
            continue
        np.testing.assert_array_equal(stack.counts, torch_stack_2d((n, n), [layer] * depth))
        row_layer = ((1, k), (1, s), (0, p), (0, 0), (1, d))
        np.testing.assert_array_equal(stack.row, torch_stack_2d((1, n), [row_layer] * depth)[0])
        if depth == 1:  # each output's stamps are the entries landing on it
            np.testing.assert_array_equal(np.bincount(stack.stamps.cols, minlength=stack.row.size), stack.row)
            assert stack.interior == overlap_interior(n, k, s, p, 0, d)
        else:
            assert stack.stamps is None and stack.interior is None
        checked += 1
    assert checked > 3000


def test_torch_overlap_difference_is_zero_and_sees_a_wrong_count():
    stack = overlap_stack(6, 3, 2, 0, 1, 2)
    assert torch_overlap_difference(stack) == 0
    wrong = stack.counts.copy()
    wrong[2, 3] += 1
    assert torch_overlap_difference(dataclasses.replace(stack, counts=wrong)) == 1


def test_stacked_counts_accept_dicts_and_short_tuples():
    as_dicts = [{"kernel_size": 3, "stride": 2}, {"kernel_size": 4, "stride": 2, "padding": 1}]
    as_tuples = [(3, 2), (4, 2, 1)]
    np.testing.assert_array_equal(stacked_overlap_counts((3, 4), as_dicts), stacked_overlap_counts((3, 4), as_tuples))
    np.testing.assert_array_equal(stacked_overlap_counts(5, [(3, 2)]), overlap_counts_2d(5, 3, 2))


@pytest.mark.parametrize("layers", [[], [(3, 2)] * 4, [{"stride": 2}], [{"kernel_size": 3, "strides": 2}], ["3"], 3, {"kernel_size": 3}])
def test_stacked_counts_reject_malformed_layers(layers):
    with pytest.raises(ConvConfigError):
        stacked_overlap_counts(4, layers)


# ---------------------------------------------------------------------------------------------
# Upsampling
# ---------------------------------------------------------------------------------------------

FACTORS = (2, 3, 4)


def smooth_image(height=24, width=20) -> np.ndarray:
    """A Gaussian blob on a ramp: smooth, so it holds no checkerboard of its own."""
    y, x = np.mgrid[:height, :width]
    return 0.3 + 0.2 * x / width + 0.4 * np.exp(-((y - height / 2) ** 2 + (x - width / 3) ** 2) / 60)


@pytest.mark.parametrize("factor", FACTORS)
@pytest.mark.parametrize("method", list(UPSAMPLING_METHODS))
@pytest.mark.parametrize("shape", [(5, 7), (6, 4, 3), (1, 1)])
def test_every_method_upsamples_to_factor_times_the_input(method, factor, shape):
    image = np.random.default_rng(2).random(shape)
    out = upsample(image, method, factor)
    assert out.shape == (shape[0] * factor, shape[1] * factor, *shape[2:])
    assert out.dtype == np.float64 and np.isfinite(out).all()


def test_transpose_recipes_give_factor_times_the_input():
    for factor, size in itertools.product(range(2, 7), range(1, 12)):
        for method in ("transpose_uneven", "transpose_even"):
            recipe = transpose_recipe(method, factor)
            out = overlap_counts_1d(size, recipe.kernel_size, recipe.stride, recipe.padding, recipe.output_padding)
            assert len(out) == factor * size
        assert not is_even_overlap(transpose_recipe("transpose_uneven", factor).kernel_size, factor)
        assert is_even_overlap(transpose_recipe("transpose_even", factor).kernel_size, factor)


def test_uint8_images_are_scaled_to_unit_range():
    image = np.full((4, 4, 3), 255, dtype=np.uint8)
    np.testing.assert_allclose(upsample(image, "resize_nearest_conv", 2), 1.0)


def flat_interior(method: str, factor: int, size: int):
    """Rows/columns of the output where a flat input has no border effect."""
    if method.startswith("transpose_"):
        recipe = transpose_recipe(method, factor)
        return overlap_interior(size, recipe.kernel_size, recipe.stride, recipe.padding, recipe.output_padding)
    return slice(None)  # replicate padding: no border at all


@pytest.mark.parametrize("factor", FACTORS)
def test_flat_image_even_methods_stay_flat_and_uneven_paints_its_overlap_counts(factor):
    size = 12
    flat = np.full((size, size), 0.7)
    for method in UPSAMPLING_METHODS:
        out = upsample(flat, method, factor)
        inside = flat_interior(method, factor, size)
        if method == "transpose_uneven":
            recipe = transpose_recipe(method, factor)
            counts = overlap_counts_2d(size, recipe.kernel_size, recipe.stride, recipe.padding, recipe.output_padding)
            # Box kernel: each stamp adds tap² · 0.7, so the output is the count pattern, scaled.
            expected = 0.7 * recipe.kernel_1d[0] ** 2 * counts
            np.testing.assert_allclose(out, expected, atol=1e-12)
            threshold = checkerboard_strength(expected[inside, inside], period=factor)
            assert threshold > 0.1  # derived from the counts: the uneven overlap's own pattern
            assert checkerboard_strength(out[inside, inside], period=factor) == pytest.approx(threshold)
            whole_cells = slice(inside.start, inside.start + (inside.stop - inside.start) // factor * factor)
            assert np.mean(out[whole_cells, whole_cells]) == pytest.approx(0.7)  # flat on average
        else:
            np.testing.assert_allclose(out[inside, inside], 0.7, atol=1e-12, err_msg=method)
            assert checkerboard_strength(out[inside, inside], period=factor) < 1e-12


@pytest.mark.parametrize("factor", FACTORS)
def test_uneven_kernel_checkerboards_a_smooth_image_more_than_every_other_method(factor):
    image = smooth_image()
    strengths = {}
    for method, out in upsample_comparison(image, factor).items():
        strengths[method] = checkerboard_strength(out, period=factor, border=2 * factor)
    uneven = strengths.pop("transpose_uneven")
    # The predicted checkerboard: the flat-image pattern, scaled by the image's mean brightness.
    recipe = transpose_recipe("transpose_uneven", factor)
    counts = overlap_counts_2d(64, recipe.kernel_size, recipe.stride, recipe.padding, recipe.output_padding)
    inside = flat_interior("transpose_uneven", factor, 64)
    predicted = checkerboard_strength(recipe.kernel_1d[0] ** 2 * counts[inside, inside], period=factor) * image.mean()
    assert uneven > predicted / 2
    assert max(strengths.values()) < uneven / 10, strengths


def test_pixel_shuffle_with_bilinear_sub_pixels_is_bilinear_resize():
    image = np.random.default_rng(3).random((9, 7, 3))
    for factor in FACTORS:
        expected = cv2.resize(image, (7 * factor, 9 * factor), interpolation=cv2.INTER_LINEAR)
        np.testing.assert_allclose(upsample(image, "pixel_shuffle", factor), expected, atol=1e-9)


def test_resize_nearest_is_pixel_repetition_before_smoothing():
    image = np.zeros((5, 5))
    image[2, 2] = 1.0
    out = upsample(image, "resize_nearest_conv", 2)
    # A 2×2 block of ones blurred by ¼[1 2 1]⊗¼[1 2 1]: total brightness kept, peak at the block.
    assert out.sum() == pytest.approx(4.0)
    assert out[4:6, 4:6].min() == out.max()


def test_checkerboard_strength_of_a_pure_pattern():
    pattern = np.tile([[1.0, 0.0], [0.0, 1.0]], (4, 4))
    assert checkerboard_strength(pattern) == pytest.approx(0.5)
    assert checkerboard_strength(np.ones((8, 8))) == 0.0
    assert checkerboard_strength(np.dstack([pattern, np.ones_like(pattern)])) == pytest.approx(0.25)


@pytest.mark.parametrize(
    "call",
    [
        lambda: upsample(np.ones((4, 4)), "magic", 2),
        lambda: upsample(np.ones((4, 4)), "pixel_shuffle", 1),
        lambda: upsample(np.ones(4), "pixel_shuffle", 2),
        lambda: upsample(np.array([[np.nan]]), "pixel_shuffle", 2),
        lambda: upsample(np.array([["a"]]), "pixel_shuffle", 2),
        lambda: checkerboard_strength(np.ones((4, 4)), period=2, border=2),
        lambda: transpose_recipe("pixel_shuffle", 2),
    ],
)
def test_invalid_upsampling_arguments_raise_config_error(call):
    with pytest.raises(ConvConfigError):
        call()


def test_methods_are_described_in_order():
    assert list(UPSAMPLING_METHODS)[:2] == ["transpose_uneven", "transpose_even"]
    assert all(isinstance(text, str) and text for text in UPSAMPLING_METHODS.values())
