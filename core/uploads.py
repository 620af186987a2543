"""Safe decoding of an image a student uploads, in memory only (nothing is written to disk).

Uploaded bytes are untrusted: they may be empty, a renamed text file, a truncated download, a
format Pillow should not parse here, or a decompression bomb (a few KB that claim 20 000 × 20 000
pixels). :func:`decode_upload` reads only the header first, refuses anything too big before a single
pixel is decoded, and turns every failure into an :class:`ImageUploadError` whose message tells the
student what is wrong and what to do.

Global Pillow settings are read, never changed (Streamlit serves every session from one process):
``ImageFile.LOAD_TRUNCATED_IMAGES`` must stay False, so a truncated file is an error rather than an
image padded with grey.
"""

from __future__ import annotations

import codecs
import io
import numbers

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .images import composite_on_white, resize_long_side, resized_shape

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest upload accepted, in bytes (10 MiB): a phone photo fits, a disk-filling upload does not."""

MAX_PIXELS = 40_000_000
"""Largest image accepted, in pixels (about 7700 × 5200).

Decoded as RGB that is 120 MB, and conversion briefly needs two or three times that; one session
must not take the whole memory of a small server. Checked on the header, before decoding.
Pillow's own limit (``Image.MAX_IMAGE_PIXELS``, about 89 million) also applies if it is lower.
"""

WORKING_LONG_SIDE_MAX = 512
"""Long side, in pixels, the pages shrink an upload to before convolving it (see :func:`decode_upload_for_work`)."""

ACCEPTED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
"""Pillow format names accepted. Only these parsers ever see the bytes."""

# Pillow opens a JPEG carrying extra pictures (many phone photos) with its JPEG parser but reports
# it as "MPO"; it is still a JPEG. ("MPO" must not go in Image.open's formats: it has no opener.)
_DECODED_FORMATS = ACCEPTED_FORMATS + ("MPO",)
_ACCEPTED_IN_WORDS = "PNG, JPEG, WebP, BMP, GIF or TIFF"
_HIGH_BIT_DEPTH_GRAY_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_GRAY_MODES = frozenset({"1", "L", "LA", "La"})
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})


class ImageUploadError(ValueError):
    """An upload that cannot be used as an image, explained for a student.

    The message says what is wrong with the file and what to do about it, so a page can show it
    as it is (``st.error(str(err))``).
    """


def decode_upload(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode uploaded bytes to ``uint8`` pixels: RGB ``(H, W, 3)`` or gray ``(H, W)``.

    Accepts PNG, JPEG, WebP, BMP, GIF (first frame only) and TIFF (first page only). The EXIF
    orientation is applied, so a phone photo comes out the way up it was taken. Transparency
    (RGBA, gray + alpha, palette or colour-key transparency) is composited onto white:
    ``out = colour·α + 255·(1 − α)``. 16-bit and float grayscale are stretched to 0–255 by their
    actual minimum and maximum, not clipped. Palette, CMYK and other colour modes become RGB;
    1-bit and 8-bit gray stay gray.

    The header is checked before anything is decoded: format, and ``width × height ≤ max_pixels``.
    Raises :class:`ImageUploadError` for any bytes that are not such an image (empty, too large,
    not an image, unsupported format, corrupt or truncated); no other exception escapes.
    """
    return _decode(data, max_pixels, long_side=None)


def decode_upload_for_work(
    data: bytes, long_side: int = WORKING_LONG_SIDE_MAX, max_pixels: int = MAX_PIXELS
) -> np.ndarray:
    """:func:`decode_upload`, shrunk so the long side is at most ``long_side`` (never enlarged).

    A JPEG is decoded straight at a reduced scale (1/2, 1/4 or 1/8, Pillow's ``draft`` mode) that
    stays at least ``long_side``: a 48-megapixel phone photo then costs megabytes, not hundreds.
    The final shrink is :func:`core.images.resize_long_side` (``cv2.INTER_AREA``), aspect ratio kept.
    Same checks and errors as :func:`decode_upload`.
    """
    resized_shape(1, 1, long_side)  # the caller's mistake: a ValueError now, not an upload error later
    pixels = _decode(data, max_pixels, long_side=long_side)
    if max(pixels.shape[:2]) <= long_side:
        return pixels
    return resize_long_side(pixels, long_side)


def _decode(data: bytes, max_pixels: int, long_side: int | None) -> np.ndarray:
    data = _as_bytes(data)
    _check_byte_count(data)
    pixel_limit = _effective_pixel_limit(max_pixels)
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            _check_format(image)
            _check_pixel_count(image.size, pixel_limit)
            if long_side is not None:
                _decode_jpeg_at_reduced_scale(image, long_side)
            image.load()
            _apply_exif_orientation(image)
            return _pixels_as_uint8(image)
    except ImageUploadError:
        raise
    except UnidentifiedImageError as err:
        raise ImageUploadError(_unrecognised_file_message(data)) from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        # The warning only arrives as an exception when warnings are errors (e.g. under test);
        # either way Pillow found the image too big, the same refusal as our own check.
        raise ImageUploadError(_too_many_pixels_message(None, pixel_limit)) from err
    except MemoryError as err:
        raise ImageUploadError(_TOO_BIG_TO_DECODE) from err
    except Exception as err:
        # Pillow's parsers report malformed input with a zoo of types (OSError, SyntaxError,
        # EOFError, ValueError, struct.error, IndexError, ...): for untrusted bytes they all mean
        # "this file is damaged", and the page must get one type it can show.
        raise ImageUploadError(_damaged_file_message(err)) from err


def _apply_exif_orientation(image: Image.Image) -> None:
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001 — a broken EXIF block should not cost the student pixels that decoded fine
        pass


def _decode_jpeg_at_reduced_scale(image: Image.Image, long_side: int) -> None:
    if image.format in ("JPEG", "MPO"):
        # draft() picks the smallest DCT scale whose size is still at least the requested one.
        height, width = resized_shape(image.height, image.width, long_side)
        image.draft(None, (width, height))


def _as_bytes(data) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    # A caller's mistake, not the student's: say so in developer terms.
    raise TypeError(f"decode_upload expects bytes (e.g. uploaded_file.getvalue()), got {type(data).__name__}.")


def _check_byte_count(data: bytes) -> None:
    if not data:
        raise ImageUploadError("The file is empty (0 bytes). Choose the image file again and re-upload it.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageUploadError(
            f"The file is {_megabytes(len(data))}, more than the {_megabytes(MAX_UPLOAD_BYTES)} limit. "
            "Save a smaller version (for example a JPEG, or resized to about 2000 pixels wide) and upload that."
        )


def _effective_pixel_limit(max_pixels: int) -> int:
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, numbers.Integral) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a whole number ≥ 1, got {max_pixels!r}.")
    # Pillow warns above its own limit; refusing there too makes that warning a refusal without
    # touching the process-wide warning filters (not thread-safe, and shared by all sessions).
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return int(max_pixels) if pillow_limit is None else min(int(max_pixels), int(pillow_limit))


def _check_format(image: Image.Image) -> None:
    if image.format not in _DECODED_FORMATS:
        raise ImageUploadError(
            f"{image.format or 'This'} files are not supported here. Save the image as {_ACCEPTED_IN_WORDS} and upload that."
        )


def _check_pixel_count(size: tuple[int, int], pixel_limit: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageUploadError(
            f"The image claims a size of {width} × {height} pixels, so it has no pixels to show. "
            "The file is probably damaged: save it again from an image editor and re-upload it."
        )
    if width * height > pixel_limit:
        raise ImageUploadError(_too_many_pixels_message(size, pixel_limit))


def _pixels_as_uint8(image: Image.Image) -> np.ndarray:
    if image.mode in _HIGH_BIT_DEPTH_GRAY_MODES:
        return _stretch_to_uint8(np.asarray(image))
    is_gray = image.mode in _GRAY_MODES
    try:
        if image.mode in _ALPHA_MODES or "transparency" in image.info:
            with_alpha = image.convert("LA" if is_gray else "RGBA")
            return composite_on_white(np.asarray(with_alpha))
        target_mode = "L" if is_gray else "RGB"
        if image.mode != target_mode:
            image = image.convert(target_mode)
        # np.array, not asarray: Pillow's buffer is read-only and callers expect to own the pixels.
        return np.array(image)
    except ValueError as err:  # Pillow has no conversion for this mode (e.g. LAB with alpha)
        raise ImageUploadError(
            f"The image uses the colour mode {image.mode!r}, which cannot be converted to RGB here. "
            "Open it in an image editor, save it as an 8-bit RGB PNG or JPEG and upload that."
        ) from err


def _stretch_to_uint8(values: np.ndarray) -> np.ndarray:
    """Map the finite range ``[lo, hi]`` of a high-bit-depth gray image onto 0–255 (NaN/inf → 0).

    ``out = round(255 · (v − lo) / (hi − lo))``. A constant image has no range to stretch: its value
    is kept if it fits 0–255, else clipped.
    """
    stretched = values.astype(np.float32)  # float32: half the memory of float64, ample precision for 8 bits out
    finite = np.isfinite(stretched)
    if not finite.any():
        return np.zeros(values.shape, dtype=np.uint8)
    low = float(np.min(stretched, where=finite, initial=np.inf))
    high = float(np.max(stretched, where=finite, initial=-np.inf))
    if high > low:
        stretched -= low
        stretched *= 255.0 / (high - low)
    else:
        stretched.fill(min(max(low, 0.0), 255.0))
    stretched[~finite] = 0
    np.rint(stretched, out=stretched)
    np.clip(stretched, 0, 255, out=stretched)
    return stretched.astype(np.uint8)


def _unrecognised_file_message(data: bytes) -> str:
    head = data[:1024]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        what = "This is a PDF document, not an image. Export the page as PNG or JPEG"
    elif stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in stripped):
        what = "This is an SVG drawing (vector graphics), which has no pixels yet. Export it as PNG"
    elif head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"}:
        what = (
            "This is a HEIC/AVIF photo (the iPhone's default format), which is not supported here. "
            "Export or share it as JPEG (iPhone: Settings › Camera › Formats › Most Compatible)"
        )
    elif _looks_like_text(head):
        what = "This file contains text, not an image (maybe a file renamed to .png or .jpg). Choose a real image file"
    else:
        what = (
            f"This file is not a {_ACCEPTED_IN_WORDS} image, or it is damaged. "
            f"Open it in an image editor, save it as PNG or JPEG"
        )
    return f"{what} and upload that."


def _looks_like_text(head: bytes) -> bool:
    try:
        # Incremental decoder: a character cut in two at the end of `head` is not an error.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return bool(text) and sum(ch.isprintable() or ch.isspace() for ch in text) >= 0.95 * len(text)


def _damaged_file_message(err: Exception) -> str:
    if "truncated" in str(err).lower() or isinstance(err, EOFError):
        return (
            "The image file is incomplete: it ends before all its pixels (the upload or download was "
            "probably interrupted). Download or export it again and re-upload it."
        )
    return (
        "The image file is damaged and cannot be read. Open it in an image editor, save it again "
        f"as PNG or JPEG and upload that. (Details: {type(err).__name__}: {str(err)[:120]})"
    )


def _too_many_pixels_message(size: tuple[int, int] | None, pixel_limit: int) -> str:
    if size is None:
        what = "This image has far too many pixels to open safely"
    else:
        width, height = size
        what = f"This image is {width:,} × {height:,} = {width * height / 1e6:,.1f} million pixels"
    return (
        f"{what}; the limit is {pixel_limit / 1e6:,.0f} million. "
        "Resize it (for example to 2000 pixels on the long side) and upload it again."
    )


_TOO_BIG_TO_DECODE = (
    "The image is too big to decode in the memory available. "
    "Resize it (for example to 2000 pixels on the long side) and upload it again."
)


def _megabytes(byte_count: int) -> str:
    return f"{byte_count / (1024 * 1024):.1f} MB"


def try_decode_upload(data: bytes) -> tuple[np.ndarray | None, str | None]:
    """``(pixels, None)`` from :func:`decode_upload_for_work`, or ``(None, message)`` when it refuses the file.

    For callers that show the message instead of raising (a page keeps working on a bad upload).
    """
    try:
        return decode_upload_for_work(data), None
    except ImageUploadError as error:
        return None, str(error)
