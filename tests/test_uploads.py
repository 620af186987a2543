"""core.uploads: every good upload decodes, every bad one is refused in plain words, nothing escapes."""

import builtins
import io
import os
import re
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile
from upload_corpus import (
    BAD_UPLOADS,
    FIRST_GIF_FRAME_RGB,
    GOOD_UPLOADS,
    TRANSPARENT_COLUMNS,
    expected_message_word,
    expected_shape,
    oversized_upload,
    png_bomb,
)

from core.uploads import (
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    WORKING_LONG_SIDE_MAX,
    ImageUploadError,
    decode_upload,
    decode_upload_for_work,
    try_decode_upload,
)

# Pillow warns about the 100-megapixel bomb it is handed, and about the damage the fuzz does.
pytestmark = [
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:PIL"),
]


@pytest.mark.parametrize("name", GOOD_UPLOADS)
def test_good_upload_decodes_to_expected_shape(name):
    pixels = decode_upload(GOOD_UPLOADS[name])
    assert isinstance(pixels, np.ndarray) and pixels.dtype == np.uint8
    assert pixels.shape == expected_shape(name)
    assert pixels.flags.writeable  # the caller owns the pixels


@pytest.mark.parametrize("name", ["rgba.png", "rgba.webp", "gray_alpha.png", "palette_transparent.png"])
def test_transparent_pixels_are_composited_onto_white(name):
    pixels = decode_upload(GOOD_UPLOADS[name])
    assert (pixels[:, TRANSPARENT_COLUMNS] == 255).all()
    assert (pixels[:, TRANSPARENT_COLUMNS.stop :] < 255).any()  # the opaque half keeps its colour


def test_exif_orientation_is_applied():
    upright = decode_upload(GOOD_UPLOADS["rgb.jpg"])
    rotated = decode_upload(GOOD_UPLOADS["exif_rotated.jpg"])
    assert rotated.shape == upright.shape[1::-1] + (3,)
    # Orientation 6 means "rotate 90° clockwise to display": stored row 0 becomes the last column.
    clockwise = np.rot90(upright, k=-1)
    assert np.abs(rotated.astype(int) - clockwise).mean() < 4  # JPEG noise only


def test_sixteen_bit_gray_is_stretched_not_clipped():
    pixels = decode_upload(GOOD_UPLOADS["gray16.png"])
    assert pixels.min() == 0 and pixels.max() == 255
    assert len(np.unique(pixels)) > 100  # a gradient, not a saturated white


def test_cmyk_jpeg_becomes_rgb_close_to_the_original():
    rgb = decode_upload(GOOD_UPLOADS["rgb.jpg"]).astype(int)
    from_cmyk = decode_upload(GOOD_UPLOADS["cmyk.jpg"]).astype(int)
    assert np.abs(rgb - from_cmyk).mean() < 10


def test_animated_gif_gives_its_first_frame():
    pixels = decode_upload(GOOD_UPLOADS["animated.gif"])
    assert (pixels == FIRST_GIF_FRAME_RGB).all()


def test_one_pixel_image_keeps_its_colour():
    assert decode_upload(GOOD_UPLOADS["one_pixel.png"]).tolist() == [[[10, 20, 30]]]


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_bad_upload_is_refused_with_a_helpful_message(name):
    with pytest.raises(ImageUploadError) as refusal:
        decode_upload(BAD_UPLOADS[name])
    message = str(refusal.value)
    assert expected_message_word(name) in message.lower()
    assert len(message) > 40 and message.endswith(".")  # whole sentences, with what to do
    assert any(verb in message for verb in ("upload", "Upload", "Export", "Choose"))


def test_upload_error_is_a_value_error():
    assert issubclass(ImageUploadError, ValueError)


def test_oversized_upload_is_refused_before_decoding():
    with pytest.raises(ImageUploadError, match="limit"):
        decode_upload(oversized_upload(MAX_UPLOAD_BYTES + 1))


def test_bytearray_and_memoryview_are_accepted():
    data = GOOD_UPLOADS["rgb.png"]
    expected = decode_upload(data)
    np.testing.assert_array_equal(decode_upload(bytearray(data)), expected)
    np.testing.assert_array_equal(decode_upload(memoryview(data)), expected)


def test_non_bytes_is_a_programming_error():
    with pytest.raises(TypeError, match="getvalue"):
        decode_upload("rgb.png")


@pytest.fixture
def pixel_decoding_calls(monkeypatch):
    """Records every attempt to decode pixels (the header is read without these)."""
    calls = []

    def record(original):
        def recorded(self, *args, **kwargs):
            calls.append(type(self).__name__)
            return original(self, *args, **kwargs)

        return recorded

    monkeypatch.setattr(ImageFile.ImageFile, "load", record(ImageFile.ImageFile.load))
    monkeypatch.setattr(Image.Image, "load", record(Image.Image.load))
    return calls


def test_the_decoding_probe_sees_a_real_decode(pixel_decoding_calls):
    decode_upload(GOOD_UPLOADS["rgb.png"])
    assert pixel_decoding_calls  # so an empty list below really means "never decoded"


@pytest.mark.parametrize("name", ["bomb_20000x20000.png", "bomb_10000x10000.png", "bomb_8000x8000.png"])
def test_bomb_is_refused_without_decoding_a_pixel(name, pixel_decoding_calls):
    data = BAD_UPLOADS[name]
    assert len(data) < 64 * 1024  # a few KB that claim tens of millions of pixels
    with pytest.raises(ImageUploadError, match="pixels"):
        decode_upload(data)
    assert pixel_decoding_calls == []


def test_pixel_limit_is_checked_on_the_header(pixel_decoding_calls):
    with pytest.raises(ImageUploadError, match=r"= 0\.0 million pixels; the limit is 0 million"):
        decode_upload(png_bomb(30, 20), max_pixels=599)
    assert pixel_decoding_calls == []
    assert decode_upload(png_bomb(30, 20), max_pixels=600).shape == (20, 30)


def test_images_between_ours_and_pillows_limit_are_refused():
    assert MAX_PIXELS < Image.MAX_IMAGE_PIXELS  # so Pillow's warning range is already refused
    with pytest.raises(ImageUploadError, match="pixels"):
        decode_upload(BAD_UPLOADS["bomb_10000x10000.png"], max_pixels=10**9)


def test_pillow_bomb_warning_as_error_is_the_same_refusal():
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ImageUploadError, match="pixels"):
            decode_upload(BAD_UPLOADS["bomb_10000x10000.png"])


def test_global_pillow_settings_are_left_alone():
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    for data in list(GOOD_UPLOADS.values()) + list(BAD_UPLOADS.values()):
        try:
            decode_upload(data)
        except ImageUploadError:
            pass
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == before
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # truncated files must stay errors


def test_nothing_is_written_to_disk(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("decode_upload touched the file system")

    touched = []

    def record_and_refuse(*args, **kwargs):
        touched.append(args)
        refuse()

    for owner, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (tempfile, "mkstemp"),
        (tempfile, "mkdtemp"),
        (tempfile, "NamedTemporaryFile"),
        (tempfile, "TemporaryFile"),
        (tempfile, "SpooledTemporaryFile"),
    ]:
        monkeypatch.setattr(owner, name, record_and_refuse)
    decoded = [decode_upload(data) for data in GOOD_UPLOADS.values()]
    for data in BAD_UPLOADS.values():
        with pytest.raises(ImageUploadError):
            decode_upload(data)
    monkeypatch.undo()
    assert touched == [] and len(decoded) == len(GOOD_UPLOADS)


@pytest.mark.parametrize("name", GOOD_UPLOADS)
def test_for_work_never_enlarges_small_uploads(name):
    np.testing.assert_array_equal(decode_upload_for_work(GOOD_UPLOADS[name]), decode_upload(GOOD_UPLOADS[name]))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_for_work_shrinks_large_uploads_to_the_working_size(image_format):
    large = Image.linear_gradient("L").resize((1500, 1000)).convert("RGB")
    buffer = io.BytesIO()
    large.save(buffer, image_format)
    pixels = decode_upload_for_work(buffer.getvalue())
    assert pixels.shape == (341, WORKING_LONG_SIDE_MAX, 3)


def test_for_work_applies_exif_orientation_after_reduced_decoding():
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), "red").save(buffer, "JPEG", exif=exif.tobytes())
    assert decode_upload_for_work(buffer.getvalue(), long_side=100).shape == (100, 50, 3)


def test_for_work_refuses_a_bad_long_side():
    with pytest.raises(ValueError):
        decode_upload_for_work(GOOD_UPLOADS["rgb.png"], long_side=0)


@st.composite
def mutated_good_uploads(draw):
    """A good corpus file with a few bytes overwritten, a slice cut out, or its tail dropped."""
    data = bytearray(GOOD_UPLOADS[draw(st.sampled_from(sorted(GOOD_UPLOADS)))])
    mutation = draw(st.sampled_from(["overwrite", "delete", "truncate"]))
    if mutation == "overwrite":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif mutation == "delete":
        start = draw(st.integers(0, len(data) - 1))
        del data[start : start + draw(st.integers(1, 64))]
    else:
        del data[draw(st.integers(0, len(data) - 1)) :]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2048), mutated_good_uploads()))
def test_any_bytes_give_pixels_or_an_upload_error(data):
    try:
        pixels = decode_upload(data)
    except ImageUploadError as refusal:
        assert str(refusal)
        return
    assert pixels.dtype == np.uint8
    assert pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
    assert pixels.size >= 1


def test_try_decode_upload_returns_pixels_or_the_refusal_message():
    buffer = io.BytesIO()
    Image.fromarray(np.full((3, 5, 3), 200, dtype=np.uint8)).save(buffer, format="PNG")
    pixels, message = try_decode_upload(buffer.getvalue())
    assert message is None and pixels.shape == (3, 5, 3) and int(pixels.max()) == 200
    pixels, message = try_decode_upload(b"not a picture at all")
    assert pixels is None and message
    with pytest.raises(ImageUploadError, match=re.escape(message[:20])):
        decode_upload_for_work(b"not a picture at all")
