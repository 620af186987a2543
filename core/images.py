"""Sample images and the array plumbing between an image and a convolution layer.

Images are numpy ``uint8`` arrays: RGB as ``(H, W, 3)`` (HWC, the layout of Pillow, skimage and
matplotlib) and grayscale as ``(H, W)``. Convolution layers want channels first, ``(C, H, W)``;
:func:`hwc_to_chw` is the correct conversion and :func:`lesson_reshape_chw` the tempting mistake
the original lesson made, kept so the page can show the two side by side.

Every sample ships inside scikit-image, so nothing here touches the network.
"""

from __future__ import annotations

import numbers
from functools import lru_cache

import cv2
import numpy as np

# Bundled with scikit-image (checked to load with no network), so the app works offline.
SAMPLE_NAMES: tuple[str, ...] = (
    "astronaut",
    "camera",
    "coffee",
    "chelsea",
    "coins",
    "moon",
    "rocket",
    "horse",
    "hubble_deep_field",
    "immunohistochemistry",
    "brick",
    "grass",
    "gravel",
    "clock",
    "colorwheel",
    "retina",
    "page",
    "text",
    "shepp_logan_phantom",
    "checkerboard",
    "logo",
)
DEFAULT_SAMPLE = SAMPLE_NAMES[0]

# ITU-R BT.601 luma weights, the ones cv2.COLOR_RGB2GRAY and Pillow's convert("L") use.
LUMA_WEIGHTS_601 = (0.299, 0.587, 0.114)


def load_sample(name: str) -> np.ndarray:
    """A bundled scikit-image sample as read-only ``uint8``: RGB ``(H, W, 3)`` or gray ``(H, W)``.

    RGBA samples (``logo``) are composited onto white; boolean and float samples are mapped to
    0–255. Each sample is decoded once per process and shared, hence read-only: copy it
    (``img.copy()``) before changing it or before ``torch.from_numpy``.

    Raises ValueError, listing the valid names, for an unknown name.
    """
    if name not in SAMPLE_NAMES:
        raise ValueError(f"Unknown sample image {name!r}. Choose one of: {', '.join(SAMPLE_NAMES)}.")
    return _decoded_sample(name)


@lru_cache(maxsize=len(SAMPLE_NAMES))  # each sample decoded once per process
def _decoded_sample(name: str) -> np.ndarray:
    import skimage.data  # deferred: only the samples page needs it

    image = as_uint8(getattr(skimage.data, name)())
    if image.ndim == 3 and image.shape[2] == 4:
        image = composite_on_white(image)
    image = np.ascontiguousarray(image)
    # Shared by every session through the cache: a page writing into it would corrupt it for all.
    image.flags.writeable = False
    return image


def as_uint8(image: np.ndarray) -> np.ndarray:
    """``image`` as ``uint8`` 0–255: booleans become 0 / 255, floats in [0, 1] are ``round(255·x)``.

    Values that still fall outside 0–255 (floats outside [0, 1], other integer types) are clipped;
    ``uint8`` input is returned unchanged.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.floating):
        return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)
    return np.clip(image, 0, 255).astype(np.uint8)


def composite_on_white(image: np.ndarray) -> np.ndarray:
    """Flatten a ``uint8`` image with alpha (RGBA ``(H, W, 4)`` or gray+alpha ``(H, W, 2)``) onto white.

    ``out = colour·α + 255·(1 − α)`` with ``α = alpha / 255``, rounded to the nearest integer, so a
    fully transparent pixel becomes 255 and an opaque one keeps its colour.
    Returns RGB ``(H, W, 3)`` or gray ``(H, W)``.
    """
    colour = image[..., :-1].astype(np.uint32)
    alpha = image[..., -1:].astype(np.uint32)
    flattened = (colour * alpha + 255 * (255 - alpha) + 127) // 255
    flattened = flattened.astype(np.uint8)
    return flattened[..., 0] if flattened.shape[-1] == 1 else flattened


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Gray ``(H, W)`` from RGB ``(H, W, 3)`` with ITU-R 601 luma, exactly as ``cv2.COLOR_RGB2GRAY``.

    ``Y = 0.299·R + 0.587·G + 0.114·B``. A gray image (``(H, W)`` or ``(H, W, 1)``) is returned
    as ``(H, W)`` unchanged.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[..., 0]
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    raise ValueError(f"Expected a gray (H, W) or RGB (H, W, 3) image, got shape {image.shape}.")


def to_rgb(image: np.ndarray) -> np.ndarray:
    """RGB ``(H, W, 3)``: gray is repeated into the three channels, RGBA is composited onto white.

    An RGB image is returned unchanged.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.repeat(image, 3, axis=2)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    if image.ndim == 3 and image.shape[2] == 4:
        return composite_on_white(as_uint8(image))
    raise ValueError(f"Expected a gray (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image, got shape {image.shape}.")


def resized_shape(height: int, width: int, long_side: int) -> tuple[int, int]:
    """``(h, w)`` scaled so the longer side is ``long_side``, aspect ratio kept, each side ≥ 1.

    ``scale = long_side / max(height, width)``; each side is ``max(1, round(side · scale))``.
    """
    if isinstance(long_side, bool) or not isinstance(long_side, numbers.Integral) or long_side < 1:
        raise ValueError(f"long_side must be a whole number ≥ 1, got {long_side!r}.")
    scale = int(long_side) / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize_long_side(image: np.ndarray, long_side: int) -> np.ndarray:
    """``image`` resized with ``cv2.resize`` so its longer side is ``long_side``, aspect ratio kept.

    Shrinking uses ``INTER_AREA`` (averages the covered pixels, so no aliasing); enlarging uses
    ``INTER_CUBIC``. Gray stays ``(H, W)``, RGB stays ``(H, W, 3)``; every side is at least 1.
    An image already at that size is returned as a copy.
    """
    image = np.asarray(image)
    height, width = image.shape[:2]
    new_height, new_width = resized_shape(height, width, long_side)
    if (new_height, new_width) == (height, width):
        return image.copy()
    shrinking = new_height * new_width < height * width
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    resized = cv2.resize(np.ascontiguousarray(image), (new_width, new_height), interpolation=interpolation)
    # cv2 drops a trailing channel axis of length 1; keep the caller's layout.
    return resized.reshape((new_height, new_width) + image.shape[2:])


def hwc_to_chw(image: np.ndarray) -> np.ndarray:
    """Channels-first view of an image: ``(H, W, C) → (C, H, W)`` by ``np.transpose(image, (2, 0, 1))``.

    The same axis permutation as ``torch.from_numpy(image).permute(2, 0, 1)``: pixel ``(y, x)``
    of channel ``c`` stays pixel ``(y, x)`` of channel ``c``. Gray ``(H, W)`` becomes ``(1, H, W)``.
    Returns a view (no copy); ``np.ascontiguousarray`` it if a library needs contiguous memory.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image[None, :, :]
    if image.ndim == 3:
        return np.transpose(image, (2, 0, 1))
    raise ValueError(f"Expected an (H, W) or (H, W, C) image, got shape {image.shape}.")


def chw_to_hwc(image: np.ndarray, squeeze_gray: bool = True) -> np.ndarray:
    """Channels-last view of a ``(C, H, W)`` array: ``np.transpose(image, (1, 2, 0))``, the inverse of :func:`hwc_to_chw`.

    With ``squeeze_gray`` (the default) a single channel ``(1, H, W)`` becomes ``(H, W)``, so
    ``chw_to_hwc(hwc_to_chw(gray))`` gives back the gray image; pass ``False`` to get ``(H, W, 1)``.
    """
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"Expected a (C, H, W) array, got shape {image.shape}.")
    if squeeze_gray and image.shape[0] == 1:
        return image[0]
    return np.transpose(image, (1, 2, 0))


def lesson_reshape_chw(image: np.ndarray) -> np.ndarray:
    """THE MISTAKE, kept for teaching: ``image.reshape(c, h, w)`` on an ``(H, W, C)`` array.

    This is what the original lesson did (and what ``torch.reshape`` / ``Tensor.view`` would do).
    It has the right shape but the wrong pixels: reshape keeps the memory order
    ``R G B R G B …`` and cuts it into ``c`` consecutive blocks, so "channel 0" is the first third
    of the image with its R, G and B values interleaved, not the red channel. The correct
    conversion is a permutation of axes, :func:`hwc_to_chw`. Gray ``(H, W)`` becomes
    ``(1, H, W)``, where the two agree.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image.reshape(1, *image.shape)
    if image.ndim != 3:
        raise ValueError(f"Expected an (H, W) or (H, W, C) image, got shape {image.shape}.")
    height, width, channels = image.shape
    return image.reshape(channels, height, width)
