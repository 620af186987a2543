"""AppTest of the images page: defaults, extremes, URL state, impossible layers, every good and bad upload."""

from __future__ import annotations

import pytest

from core.images import resized_shape
from tests.app_helpers import assert_clean, figures, open_page, slider_extremes, texts
from tests.upload_corpus import BAD_UPLOADS, GOOD_UPLOADS, expected_message_word, expected_shape

UPLOAD_NAMES = {"multi_picture.mpo": "multi_picture.jpg",  # phones save these as .jpg; the uploader knows only that
                "document.pdf": "document.png", "drawing.svg": "drawing.png", "photo.heic": "photo.png",
                "icon.ico": "icon.png"}  # renamed: the browser refuses other extensions before any upload


def _images(figure: dict) -> list[dict]:
    return [trace for trace in figure["data"] if trace["type"] == "image"]


def _outputs(at) -> dict:
    """The output grid: the figure whose images carry the filters' titles."""
    (grid,) = [f for f in figures(at) if any(": " in t.get("name", "") for t in _images(f))]
    return grid


def test_default_is_the_lessons_conv_transpose_over_the_astronaut():
    at = open_page("images")
    assert_clean(at)
    page = texts(at)
    assert "ConvTranspose2d(1, 4, 2)" in page and "(3, 1, 128, 128) → (3, 4, 129, 129)" in page
    assert "weight shape (1, 4, 2, 2)" in page and "in_channels would be 3 and the weight (3, 4, 2, 2)" in page
    assert "Checked live" in page and not at.error
    grid = _outputs(at)
    assert len(_images(grid)) == 4
    assert all(t["source"].startswith("data:image/png;base64,") for t in _images(grid))
    assert [t["name"] for t in _images(grid)] == [f"{o}: random · 129×129" for o in range(1, 5)]
    assert any("= 129" in latex.value for latex in at.latex)


def test_every_slider_at_its_extremes():
    at = open_page("images")
    defaults = {slider.key: slider.value for slider in at.slider}
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        assert "Checked live" in texts(at) or "impossible" in texts(at), (key, value)
        if value == at.slider(key=key).max:  # min then max, then back to the default
            at.slider(key=key).set_value(defaults[key]).run()


QUERY = {"image": "coffee", "size": "64", "layer": "Conv2d", "channels": "together", "c_out": "6",
         "groups": "3", "k": "3", "s": "2", "p": "1", "d": "2", "kernels": "presets", "preset": "sobel x",
         "scale": "per channel"}


def test_url_parameters_round_trip():
    at = open_page("images", QUERY)
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    for key, value in QUERY.items():
        assert at.query_params[key] == value, key
    assert "Conv2d(3, 6, 3)" in texts(at) and "(1, 3, 43, 64) → (1, 6, 21, 31)" in texts(at)
    names = [t["name"] for t in _images(_outputs(at))]
    assert names == [f"{o + 1}: {n} · 21×31" for o, n in enumerate(["sobel x", "sobel y", "laplacian", "emboss",
                                                                     "identity", "box blur"])]
    assert "Checked live" in texts(at)


def test_bad_url_values_get_a_notice():
    at = open_page("images", {"image": "mars", "k": "9", "kernels": "presets", "preset": "blur", "nonsense": "1"})
    assert_clean(at)
    notice = at.warning[0].value
    assert "`image=mars`" in notice and "`k=9`" in notice and "`preset=blur`" in notice and "`nonsense=1`" in notice


def _decoded_shape(source: str) -> tuple[int, ...]:
    import base64

    import cv2
    import numpy as np

    data = base64.b64decode(source.split(",", 1)[1])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED).shape[:2]


@pytest.mark.parametrize("detail", ["fit the screen", "every pixel"])
def test_the_largest_outputs_are_drawn_at_screen_size_unless_every_pixel_is_asked_for(detail):
    at = open_page("images", {"size": "512", "layer": "ConvTranspose2d", "c_out": "8", "s": "2", "detail": detail})
    assert_clean(at)
    outputs = _images(_outputs(at))
    side = (512 - 1) * 2 + (2 - 1) + 1  # (i − 1)·s + d·(k − 1) + 1 with the default k = 2
    assert [t["name"] for t in outputs] == [f"{o}: random · {side}×{side}" for o in range(1, 9)]
    drawn = {_decoded_shape(t["source"]) for t in outputs}
    tile = _outputs(at)["layout"]["meta"]["tile_px"]
    assert 100 < tile < side
    caption = f"Each {side}×{side} output is drawn at {tile}×{tile}"
    if detail == "every pixel":
        assert drawn == {(side, side)} and caption not in texts(at)
    else:
        assert drawn == {(tile, tile)} and caption in texts(at)
        assert all(t["dx"] == pytest.approx(side / tile) for t in outputs)  # hover and axes in output pixels
    assert "Checked live" in texts(at)


@pytest.mark.parametrize("query, fix", [
    ({"channels": "together", "groups": "2"}, "groups = 1"),
    ({"channels": "separately", "groups": "3", "c_out": "6"}, "groups = 1"),
    ({"colour": "gray", "channels": "together", "groups": "3", "c_out": "3"}, "groups = 1"),
    ({"channels": "together", "groups": "3", "c_out": "4"}, "= "),
    ({"op": "2"}, "s = 3"),  # as close as op = 0: two steps either way
    ({"layer": "Conv2d", "size": "32", "k": "7", "d": "3", "image": "text"}, "= "),
    ({"size": "512", "s": "4", "c_out": "8", "k": "7", "d": "3"}, "s = 2"),  # 34 million values: too many to draw
])
def test_impossible_layers_explain_and_suggest(query, fix):
    at = open_page("images", query)
    assert_clean(at)
    assert "impossible" in at.error[0].value
    assert not _images_of_outputs(at)
    button = at.button(key="apply_suggestion")
    assert fix in button.label, button.label
    button.click().run()
    assert_clean(at)
    assert "Checked live" in texts(at)


def _images_of_outputs(at) -> list:
    return [t for f in figures(at) for t in _images(f) if ": " in t.get("name", "")]


@pytest.mark.parametrize("query", [{"reshape": "true"}, {"filter2d": "true", "cmp": "gaussian"},
                                   {"filter2d": "true", "cmp": "emboss", "k": "3"}])
def test_teaching_moments_open_from_the_link(query):
    at = open_page("images", query)
    assert_clean(at)
    assert not at.warning
    titles = {t["name"] for f in figures(at) for t in _images(f)}
    if "reshape" in query:
        assert {"permute(2, 0, 1)[0]: the red channel", "reshape(3, h, w)[0]: scrambled"} <= titles
        assert "R G B R G B" in texts(at)
    else:
        assert {"F.conv2d", "cv2.filter2D", "true convolution (flipped)"} <= titles
        assert "max |difference| = **0.0e+00**" in texts(at)
        assert ("this kernel is symmetric" if query["cmp"] == "gaussian" else "not symmetric") in texts(at)


def test_closed_teaching_moments_cost_nothing_and_keep_their_link():
    at = open_page("images", {"cmp": "laplacian"})
    assert_clean(at)
    assert not at.warning and at.query_params["cmp"] == "laplacian"
    assert len(figures(at)) == 2  # the input and the outputs only


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="upload").set_value((UPLOAD_NAMES.get(name, name), data, "application/octet-stream")).run()
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def page():
    """One session for all uploads: like a student trying file after file (with the code panel open)."""
    return open_page("images", {"code": "true"})


@pytest.mark.parametrize("name", GOOD_UPLOADS)
def test_every_good_upload_is_filtered(page, name):
    at = _upload(page, name, GOOD_UPLOADS[name])
    assert not at.error, [e.value for e in at.error]
    height, width = resized_shape(*expected_shape(name)[:2], 128)
    assert f"(3, 1, {height}, {width}) → (3, 4, {height + 1}, {width + 1})" in texts(at)
    assert "cannot be part of the link" in texts(at) and "Checked live" in texts(at)
    assert len(_images_of_outputs(at)) == 4
    assert at.session_state["_images_upload"][1] is not None  # decoded in this session only


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_every_bad_upload_is_refused_and_the_sample_stays(page, name):
    at = _upload(page, name, BAD_UPLOADS[name])
    assert expected_message_word(name) in at.error[0].value.lower()
    assert "Showing the sample" in at.error[0].value
    assert "(3, 1, 128, 128) → (3, 4, 129, 129)" in texts(at) and "Checked live" in texts(at)
    assert len(_images_of_outputs(at)) == 4


def test_an_upload_follows_the_controls_and_removing_it_forgets_it(page):
    at = _upload(page, "rgb.png", GOOD_UPLOADS["rgb.png"])
    at.radio(key="colour").set_value("gray").run()
    at.radio(key="channels").set_value("together").run()
    assert_clean(at)
    assert "(1, 1, 77, 128) → (1, 4, 78, 129)" in texts(at)
    code = at.code[0].value
    assert "your_picture.png" in code and "cv2.resize(image, (128, 77)" in code and "COLOR_RGB2GRAY" in code
    at.file_uploader(key="upload").set_value(None).run()
    assert_clean(at)
    assert "_images_upload" not in at.session_state and "_images_outputs" not in at.session_state
    assert "(1, 1, 128, 128) → (1, 4, 129, 129)" in texts(at)
