"""The images page in a real browser: a student uploads a PNG and sees every filter output."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, wait_for_rerun

OUTPUTS = 4  # nn.ConvTranspose2d(1, 4, 2): the lesson's default
# plotly.js draws each go.Image as an SVG <image> in an "imagelayer" (heatmaps, the kernels, go in "heatmaplayer").
IMAGE_ELEMENTS = '[data-testid="stPlotlyChart"] .js-plotly-plot .imagelayer image'


def _png(height: int, width: int) -> bytes:
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // (width - 1), y * 255 // (height - 1), np.full_like(x, 90)], axis=2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _open_images_page(page, base_url: str) -> None:
    """Open /images and wait for its pictures (a fresh server first imports torch and scikit-image: allow a minute)."""
    page.goto(f"{base_url}/images")
    wait_for_rerun(page, timeout=90_000)
    expect(page.locator(IMAGE_ELEMENTS)).to_have_count(1 + OUTPUTS, timeout=30_000)  # the input and the outputs


def _upload(page, name: str, data: bytes) -> None:
    uploader = page.get_by_test_id("stFileUploader").get_by_test_id("stFileUploaderDropzoneInput")
    uploader.set_input_files(files=[{"name": name, "mimeType": "image/png", "buffer": data}], timeout=60_000)
    wait_for_rerun(page)


def test_upload_a_png_and_see_the_filtered_outputs(page, streamlit_server):
    _open_images_page(page, streamlit_server)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("(3, 1, 128, 128) → (3, 4, 129, 129)")).to_be_visible()
    assert_no_exception(page)

    _upload(page, "stripes.png", _png(24, 40))
    expect(main.get_by_text("Showing your upload")).to_be_visible(timeout=20_000)
    # 24 × 40 at a long side of 128 is 77 × 128; the lesson's layer adds one row and one column.
    expect(main.get_by_text("(3, 1, 77, 128) → (3, 4, 78, 129)")).to_be_visible()
    expect(page.locator(IMAGE_ELEMENTS)).to_have_count(1 + OUTPUTS, timeout=30_000)
    for k in range(1, OUTPUTS + 1):
        expect(page.locator(".js-plotly-plot").get_by_text(f"{k}: random · 78×129")).to_be_visible()
    hrefs = page.locator(IMAGE_ELEMENTS).evaluate_all("els => els.map(e => e.getAttribute('href') || '')")
    assert all(href.startswith("data:image/png;base64,") for href in hrefs), [h[:40] for h in hrefs]
    expect(main.get_by_text("Checked live")).to_be_visible()
    assert "stripes.png" not in page.url  # the upload is never in the link
    assert_no_exception(page)


def test_a_bad_upload_is_explained_and_the_sample_stays(page, streamlit_server):
    _open_images_page(page, streamlit_server)
    _upload(page, "notes.png", b"milk, eggs\n" * 20)
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_contain_text("text, not an image", timeout=20_000)
    expect(page.get_by_test_id("stMain").get_by_text("(3, 1, 128, 128) → (3, 4, 129, 129)")).to_be_visible()
    expect(page.locator(IMAGE_ELEMENTS)).to_have_count(1 + OUTPUTS)
    assert_no_exception(page)
