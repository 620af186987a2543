"""Kernel and input presets: shapes, the sums that define them, the lesson's values, text round trip."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ConvConfigError
from core.kernels import (
    INPUT_PRESETS,
    KERNEL_PRESETS,
    LESSON_INPUT,
    LESSON_KERNEL,
    kernel_text,
    make_input,
    make_kernel,
    parse_kernel_text,
)

SIZES = list(itertools.product(range(1, 8), repeat=2))


@pytest.mark.parametrize("name", KERNEL_PRESETS)
def test_every_preset_at_every_size_is_finite_with_that_shape(name):
    for size in SIZES:
        kernel = make_kernel(name, size, seed=3)
        assert kernel.shape == size and np.isfinite(kernel).all()


def test_defining_sums():
    for size in SIZES:
        assert np.isclose(make_kernel("box blur", size).sum(), 1)
        assert np.isclose(make_kernel("gaussian", size).sum(), 1)
        assert np.isclose(make_kernel("sharpen", size).sum(), 1)
        assert np.isclose(make_kernel("laplacian", size).sum(), 0)
        assert np.isclose(make_kernel("sobel x", size).sum(), 0) and np.isclose(make_kernel("sobel y", size).sum(), 0)
        assert make_kernel("identity", size).sum() == 1


def test_lesson_values_and_the_lessons_2x2():
    assert np.array_equal(make_kernel("lesson", 3), LESSON_KERNEL)
    assert np.array_equal(make_input("lesson", (4, 4)), LESSON_INPUT)
    assert make_kernel("ramp", 2).tolist() == [[0, 1], [2, 3]] == make_input("ramp", (2, 2)).tolist()


def test_random_is_reproducible_from_its_seed():
    assert np.array_equal(make_kernel("random", 5, seed=7), make_kernel("random", 5, seed=7))
    assert not np.array_equal(make_kernel("random", 5, seed=7), make_kernel("random", 5, seed=8))
    assert np.array_equal(make_input("random", (6, 4), seed=1), make_input("random", (6, 4), seed=1))


@pytest.mark.parametrize("name", INPUT_PRESETS)
def test_inputs_have_their_shape(name):
    for size in SIZES:
        assert make_input(name, size).shape == size


@given(st.lists(st.lists(st.integers(-50, 50), min_size=3, max_size=3), min_size=1, max_size=7))
def test_kernel_text_round_trips(rows):
    kernel = np.array(rows, dtype=float)
    assert np.array_equal(parse_kernel_text(kernel_text(kernel)), kernel)


@pytest.mark.parametrize("text", ["", "1,2;3", "a,b", "1,,2;3", "1;2;3;4;5;6;7;8", "nan", "1,2;3,inf"])
def test_malformed_kernel_text_is_a_config_error(text):
    with pytest.raises(ConvConfigError):
        parse_kernel_text(text)


def test_unknown_names_are_config_errors():
    with pytest.raises(ConvConfigError, match="choose one of"):
        make_kernel("blurry", 3)
    with pytest.raises(ConvConfigError, match="choose one of"):
        make_input("noise", (3, 3))


def test_multichannel_weight_and_input_shapes_and_first_channel():
    from core.kernels import make_input_channels, make_weight

    weight = make_weight("lesson", 3, out_channels=4, in_per_group=2, seed=5)
    assert weight.shape == (4, 2, 3, 3) and np.array_equal(weight[0, 0], LESSON_KERNEL)
    assert len({kernel_text(k) for k in weight.reshape(-1, 3, 3)}) == 8
    x = make_input_channels("lesson", (4, 4), channels=3)
    assert x.shape == (3, 4, 4) and np.array_equal(x[0], LESSON_INPUT) and not np.array_equal(x[0], x[1])


def test_csv_exports_round_trip():
    import csv
    import io

    from core import conv_matrix_entries
    from core.codegen import array_csv, entries_csv

    entries = conv_matrix_entries((4, 4), LESSON_KERNEL)
    rows = list(csv.DictReader(io.StringIO(entries_csv(entries))))
    dense = np.zeros(entries.shape)
    for line in rows:
        dense[int(line["row"]), int(line["col"])] = float(line["value"])
    assert np.array_equal(dense, entries.to_dense())
    y = np.arange(12.0).reshape(2, 2, 3) / 7
    back = np.zeros_like(y)
    for line in csv.DictReader(io.StringIO(array_csv(y))):
        back[int(line["channel"]), int(line["row"]), int(line["col"])] = float(line["value"])
    assert np.array_equal(back, y)
