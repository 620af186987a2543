"""A corpus of uploads, good and bad, generated in memory (nothing on disk, no network).

Not a test file: test modules import it (``from upload_corpus import ...``) to feed
``core.uploads.decode_upload`` or the images page's file uploader.

- ``GOOD_UPLOADS``: name → bytes of an image the app must accept; ``expected_shape(name)`` is the
  shape ``decode_upload`` must return (the EXIF-rotated JPEG has height and width swapped).
- ``BAD_UPLOADS``: name → bytes the app must refuse with ``ImageUploadError``;
  ``expected_message_word(name)`` is a word the refusal message must contain (lower case).
- ``oversized_upload()``: a file just over ``MAX_UPLOAD_BYTES``, kept out of ``BAD_UPLOADS`` so
  the dictionary stays small.

The images are 12 × 20 (height × width, deliberately not square) unless the name says otherwise.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

HEIGHT, WIDTH = 12, 20
RGB_SHAPE = (HEIGHT, WIDTH, 3)
GRAY_SHAPE = (HEIGHT, WIDTH)

FIRST_GIF_FRAME_RGB = (255, 0, 0)
"""Colour of the first frame of ``animated.gif`` (the second is blue): the decoder must return the first."""

TRANSPARENT_COLUMNS = slice(0, WIDTH // 2)
"""Columns that are fully transparent in ``rgba.png``, ``gray_alpha.png`` and ``palette_transparent.png``: 255 once composited on white."""


def _gradient_rgb(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    red = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    green = (y * 255 // max(height - 1, 1)).astype(np.uint8)
    blue = np.full((height, width), 96, dtype=np.uint8)
    return np.stack([red, green, blue], axis=2)


def _saved(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _rgb_image(height: int = HEIGHT, width: int = WIDTH) -> Image.Image:
    return Image.fromarray(_gradient_rgb(height, width))


def _rgba_image() -> Image.Image:
    pixels = np.dstack([_gradient_rgb(), np.full(GRAY_SHAPE, 255, dtype=np.uint8)])
    pixels[:, TRANSPARENT_COLUMNS] = (0, 0, 0, 0)  # transparent black: must still come out white
    return Image.fromarray(pixels)


def _gray_alpha_image() -> Image.Image:
    gray = _gradient_rgb()[..., 0]
    alpha = np.full(GRAY_SHAPE, 255, dtype=np.uint8)
    alpha[:, TRANSPARENT_COLUMNS] = 0
    gray[:, TRANSPARENT_COLUMNS] = 0
    return Image.fromarray(np.dstack([gray, alpha]))


def _palette_image(transparent: bool) -> bytes:
    indices = np.zeros(GRAY_SHAPE, dtype=np.uint8)
    indices[:, WIDTH // 2 :] = 1
    image = Image.fromarray(indices).convert("P")
    image.putpalette([0, 0, 0, 200, 30, 30] + [0, 0, 0] * 254)
    return _saved(image, "PNG", transparency=0) if transparent else _saved(image, "PNG")


def _gray16_png() -> bytes:
    # 1000…5000: the 16-bit range is used, so clipping to 8 bits would give all-255.
    values = np.linspace(1000, 5000, HEIGHT * WIDTH).reshape(GRAY_SHAPE).astype(np.uint16)
    return _saved(Image.fromarray(values), "PNG")


def _float_tiff() -> bytes:
    values = np.linspace(-1.0, 3.0, HEIGHT * WIDTH, dtype=np.float32).reshape(GRAY_SHAPE)
    return _saved(Image.fromarray(values), "TIFF")


def _exif_rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    return _saved(_rgb_image(), "JPEG", exif=exif.tobytes())


def _animated_gif() -> bytes:
    red = Image.new("RGB", (WIDTH, HEIGHT), FIRST_GIF_FRAME_RGB)
    blue = Image.new("RGB", (WIDTH, HEIGHT), (0, 0, 255))
    return _saved(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)


def _multi_picture_jpeg() -> bytes:
    return _saved(_rgb_image(), "MPO", save_all=True, append_images=[_rgb_image()])


def _noise_image(side: int = 64) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8))


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of ``width × height`` built without ever holding its pixels.

    Each row is a filter byte plus ``⌈width / 8⌉`` zero bytes; the zlib stream of all those zeros
    is about 1000 times smaller (20 000 × 20 000 → about 50 KB).
    """
    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows_per_block = max(1, (1 << 20) // len(row))
    compressed = []
    for start in range(0, height, rows_per_block):
        compressed.append(compressor.compress(row * min(rows_per_block, height - start)))
    compressed.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit gray, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(compressed))
        + _png_chunk(b"IEND", b"")
    )


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


GOOD_UPLOADS: dict[str, bytes] = {
    "rgb.png": _saved(_rgb_image(), "PNG"),
    "rgb.jpg": _saved(_rgb_image(), "JPEG", quality=95),
    "rgb.webp": _saved(_rgb_image(), "WEBP", lossless=True),
    "rgb.bmp": _saved(_rgb_image(), "BMP"),
    "rgb.gif": _saved(_rgb_image(), "GIF"),
    "rgb.tiff": _saved(_rgb_image(), "TIFF"),
    "gray.png": _saved(_rgb_image().convert("L"), "PNG"),
    "bilevel.png": _saved(_rgb_image().convert("1"), "PNG"),
    "rgba.png": _saved(_rgba_image(), "PNG"),
    "rgba.webp": _saved(_rgba_image(), "WEBP", lossless=True),
    "gray_alpha.png": _saved(_gray_alpha_image(), "PNG"),
    "palette.png": _palette_image(transparent=False),
    "palette_transparent.png": _palette_image(transparent=True),
    "gray16.png": _gray16_png(),
    "float.tiff": _float_tiff(),
    "cmyk.jpg": _saved(_rgb_image().convert("CMYK"), "JPEG"),
    "exif_rotated.jpg": _exif_rotated_jpeg(),
    "multi_picture.mpo": _multi_picture_jpeg(),
    "one_pixel.png": _saved(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG"),
    "tiny_2x2.png": _saved(_rgb_image(2, 2), "PNG"),
    "animated.gif": _animated_gif(),
}

_EXPECTED_SHAPES: dict[str, tuple[int, ...]] = {
    "gray.png": GRAY_SHAPE,
    "bilevel.png": GRAY_SHAPE,
    "gray_alpha.png": GRAY_SHAPE,
    "gray16.png": GRAY_SHAPE,
    "float.tiff": GRAY_SHAPE,
    "exif_rotated.jpg": (WIDTH, HEIGHT, 3),  # orientation 6: displayed rotated a quarter turn
    "one_pixel.png": (1, 1, 3),
    "tiny_2x2.png": (2, 2, 3),
}


def expected_shape(name: str) -> tuple[int, ...]:
    """Shape ``decode_upload(GOOD_UPLOADS[name])`` must return: RGB 12 × 20 × 3 unless listed otherwise."""
    if name not in GOOD_UPLOADS:
        raise KeyError(f"{name!r} is not in GOOD_UPLOADS")
    return _EXPECTED_SHAPES.get(name, RGB_SHAPE)


BAD_UPLOADS: dict[str, bytes] = {
    "empty.png": b"",
    "text_renamed.png": b"Shopping list:\n- milk\n- eggs\n- a convolution kernel\n" * 3,
    "truncated.png": _truncated(_saved(_noise_image(), "PNG")),
    "truncated.jpg": _truncated(_saved(_noise_image(), "JPEG", quality=90)),
    "random_bytes.png": np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "png_signature_then_garbage.png": b"\x89PNG\r\n\x1a\n" + b"\x00\x01garbage" * 20,
    "bomb_20000x20000.png": png_bomb(20_000, 20_000),  # beyond Pillow's own hard limit too
    "bomb_10000x10000.png": png_bomb(10_000, 10_000),  # where Pillow only warns
    "bomb_8000x8000.png": png_bomb(8_000, 8_000),  # under Pillow's limits, over MAX_PIXELS
    "document.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n",
    "drawing.svg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="20" height="12">'
    b'<rect width="20" height="12" fill="red"/></svg>\n',
    "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
    "icon.ico": _saved(_rgb_image(16, 16), "ICO"),  # an image format Pillow reads but the app does not accept
}

_EXPECTED_MESSAGE_WORDS: dict[str, str] = {
    "empty.png": "empty",
    "text_renamed.png": "text",
    "truncated.png": "incomplete",
    "truncated.jpg": "incomplete",
    "random_bytes.png": "not a",
    "png_signature_then_garbage.png": "image file",
    "bomb_20000x20000.png": "pixels",
    "bomb_10000x10000.png": "pixels",
    "bomb_8000x8000.png": "pixels",
    "document.pdf": "pdf",
    "drawing.svg": "svg",
    "photo.heic": "heic",
    "icon.ico": "not a",
}


def expected_message_word(name: str) -> str:
    """A lower-case word the ``ImageUploadError`` message for ``BAD_UPLOADS[name]`` must contain."""
    return _EXPECTED_MESSAGE_WORDS[name]


def oversized_upload(byte_count: int) -> bytes:
    """A real PNG padded with zeros to ``byte_count`` bytes (pass ``MAX_UPLOAD_BYTES + 1``)."""
    png = GOOD_UPLOADS["rgb.png"]
    return png + bytes(max(0, byte_count - len(png)))
