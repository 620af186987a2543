"""core.images: bundled samples, HWC ↔ CHW, the lesson's reshape mistake, resizing."""

import cv2
import numpy as np
import pytest
import torch

from core.images import (
    SAMPLE_NAMES,
    as_uint8,
    chw_to_hwc,
    composite_on_white,
    hwc_to_chw,
    lesson_reshape_chw,
    load_sample,
    resize_long_side,
    to_grayscale,
    to_rgb,
)

# A small, non-square RGB image with a different pattern in each channel.
RNG = np.random.default_rng(0)
SMALL_RGB = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_sample_loads_offline_as_uint8_gray_or_rgb(name):
    image = load_sample(name)
    assert image.dtype == np.uint8
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    assert min(image.shape[:2]) >= 100
    assert image.max() > image.min()  # not blank: the conversion to 0–255 kept the picture


def test_astronaut_is_the_default_sample():
    assert SAMPLE_NAMES[0] == "astronaut"


def test_samples_are_cached_and_read_only():
    assert load_sample("camera") is load_sample("camera")
    with pytest.raises(ValueError):
        load_sample("camera")[0, 0] = 0


def test_unknown_sample_lists_the_valid_names():
    with pytest.raises(ValueError, match="astronaut.*camera"):
        load_sample("lena")


def test_special_samples_are_converted():
    assert set(np.unique(load_sample("horse"))) == {0, 255}  # bool → 0 / 255
    assert load_sample("shepp_logan_phantom").max() == 255  # float 0–1 → 0–255
    logo = load_sample("logo")  # RGBA on white
    assert logo.shape[2] == 3 and tuple(logo[0, 0]) == (255, 255, 255)


def test_as_uint8_maps_bools_and_unit_floats():
    assert as_uint8(np.array([False, True])).tolist() == [0, 255]
    assert as_uint8(np.array([0.0, 0.5, 1.0, 2.0])).tolist() == [0, 128, 255, 255]


def test_composite_on_white():
    rgba = np.array([[[10, 20, 30, 0], [10, 20, 30, 255], [0, 0, 0, 128]]], dtype=np.uint8)
    assert composite_on_white(rgba).tolist() == [[[255, 255, 255], [10, 20, 30], [127, 127, 127]]]
    gray_alpha = np.array([[[0, 0], [40, 255]]], dtype=np.uint8)
    assert composite_on_white(gray_alpha).tolist() == [[255, 40]]


def test_to_grayscale_matches_opencv_and_bt601():
    gray = to_grayscale(SMALL_RGB)
    assert gray.shape == (5, 7)
    np.testing.assert_array_equal(gray, cv2.cvtColor(SMALL_RGB, cv2.COLOR_RGB2GRAY))
    luma = SMALL_RGB.astype(float) @ [0.299, 0.587, 0.114]
    assert np.abs(gray - luma).max() <= 1


def test_to_grayscale_and_to_rgb_pass_through_their_own_kind():
    gray = SMALL_RGB[..., 0]
    assert to_grayscale(gray) is gray
    assert to_rgb(SMALL_RGB) is SMALL_RGB
    rgb = to_rgb(gray)
    assert rgb.shape == (5, 7, 3) and all((rgb[..., c] == gray).all() for c in range(3))


@pytest.mark.parametrize(
    "image", [SMALL_RGB, SMALL_RGB[..., 0], load_sample("astronaut")], ids=["rgb", "gray", "astronaut"]
)
def test_hwc_chw_round_trip_is_exact(image):
    chw = hwc_to_chw(image)
    assert chw.shape == ((1,) + image.shape if image.ndim == 2 else (3,) + image.shape[:2])
    np.testing.assert_array_equal(chw_to_hwc(chw), image)


def test_single_channel_can_stay_three_dimensional():
    assert chw_to_hwc(np.zeros((1, 4, 6)), squeeze_gray=False).shape == (4, 6, 1)


def test_hwc_to_chw_is_torch_permute():
    image = load_sample("astronaut").copy()  # writable: torch.from_numpy warns on read-only arrays
    expected = torch.from_numpy(image).permute(2, 0, 1).numpy()
    np.testing.assert_array_equal(hwc_to_chw(image), expected)
    np.testing.assert_array_equal(hwc_to_chw(image)[0], image[..., 0])  # channel 0 is red


def test_lesson_reshape_scrambles_the_channels():
    image = load_sample("astronaut").copy()
    reshaped = lesson_reshape_chw(image)
    assert reshaped.shape == hwc_to_chw(image).shape  # right shape, which is why the bug hides…
    np.testing.assert_array_equal(reshaped, torch.from_numpy(image).reshape(3, 512, 512).numpy())
    assert not np.array_equal(reshaped, hwc_to_chw(image))  # …wrong pixels
    assert not np.array_equal(reshaped[0], image[..., 0])  # "channel 0" is not the red channel
    # What it really is: the first third of the raw R G B R G B … stream, cut into rows.
    np.testing.assert_array_equal(reshaped[0].ravel(), image.ravel()[: 512 * 512])


def test_lesson_reshape_agrees_with_permute_only_for_gray():
    gray = SMALL_RGB[..., 0]
    np.testing.assert_array_equal(lesson_reshape_chw(gray), hwc_to_chw(gray))


@pytest.mark.parametrize(
    ("shape", "long_side", "expected"),
    [
        ((512, 512, 3), 128, (128, 128, 3)),  # shrink, square
        ((300, 451, 3), 200, (133, 200, 3)),  # shrink, landscape
        ((451, 300), 200, (200, 133)),  # shrink, portrait gray
        ((12, 20, 3), 100, (60, 100, 3)),  # enlarge
        ((1, 1000), 10, (1, 10)),  # a side never drops to 0
        ((2, 2, 3), 2, (2, 2, 3)),  # already that size
    ],
)
def test_resize_long_side_keeps_aspect_ratio(shape, long_side, expected):
    image = RNG.integers(0, 256, shape, dtype=np.uint8)
    resized = resize_long_side(image, long_side)
    assert resized.shape == expected and resized.dtype == np.uint8
    assert max(resized.shape[:2]) == long_side


def test_resize_shrinks_by_area_average():
    checker = np.indices((8, 8)).sum(axis=0) % 2 * 255  # finest checkerboard
    assert (resize_long_side(checker.astype(np.uint8), 4) == 128).all()  # averaged, not aliased


@pytest.mark.parametrize("long_side", [0, -3, 2.5, True])
def test_resize_refuses_a_bad_long_side(long_side):
    with pytest.raises(ValueError):
        resize_long_side(SMALL_RGB, long_side)


def test_module_does_not_import_torch_or_streamlit():
    import subprocess
    import sys

    code = "import sys, core.images; print('torch' in sys.modules, 'streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_repo_root())
    assert result.stdout.split() == ["False", "False"]


def _repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
