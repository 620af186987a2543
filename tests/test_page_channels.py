"""AppTest of the channels page: every number against torch.nn, W's blocks, extremes, URL state, impossible groups."""

import numpy as np
import pytest
import torch

from tests.app_helpers import array, assert_clean, decode_data_uri, figures, open_page, slider_extremes, texts


def torch_connections(c_in, c_out, groups, k, size):
    """Conv2d's W as a boolean matrix (an entry wherever a kernel tap lands), from torch: column j is the
    layer, with all-ones weights, applied to the j-th basis input (padding as the page's example, k // 2)."""
    padding = tuple(n // 2 for n in k)
    weight = torch.ones(c_out, c_in // groups, *k, dtype=torch.float64)
    basis = torch.eye(c_in * size[0] * size[1], dtype=torch.float64).reshape(-1, c_in, *size)
    columns = torch.nn.functional.conv2d(basis, weight, padding=padding, groups=groups)
    return (columns.reshape(len(basis), -1).T != 0).numpy()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def torch_numbers(layer, c_in, c_out, groups, k, size):
    """What the page should show, measured on a real module (padding as the page's example: k//2 or (k-1)//2)."""
    padding = tuple((n - 1) // 2 if layer == "ConvTranspose2d" else n // 2 for n in k)
    module = getattr(torch.nn, layer)(c_in, c_out, k, padding=padding, groups=groups)
    out = module(torch.zeros(1, c_in, *size)).shape[1:]
    positions = size[0] * size[1] if layer == "ConvTranspose2d" else out[1] * out[2]
    return {"weight shape": "(" + ", ".join(map(str, module.weight.shape)) + ")",
            "parameters": f"{sum(p.numel() for p in module.parameters()):,}",
            "output shape": " × ".join(map(str, out)),
            "MACs (one pass)": f"{module.weight.numel() * positions:,}"}


def test_defaults_match_torch_and_show_two_blocks():
    at = open_page("channels")
    assert_clean(at)
    assert metrics(at) == torch_numbers("Conv2d", 4, 4, 2, (3, 3), (4, 4))
    assert "max |difference| = 0.0e+00" in texts(at)
    connectivity, w = figures(at)
    assert [float(t) for t in connectivity["data"][0]["text"]] == np.kron(np.eye(2), np.ones((2, 2))).ravel().tolist()
    assert "W: block diagonal with 2 block(s)" in at.subheader[1].value
    assert "W: 64 × 64" in w["layout"]["title"]["text"]


@pytest.mark.parametrize("layer, c_in, c_out, groups, k, size", [
    ("Conv2d", 6, 9, 3, (2, 5), (5, 3)),
    ("ConvTranspose2d", 6, 9, 3, (2, 5), (5, 3)),
    ("ConvTranspose2d", 8, 8, 8, (3, 3), (4, 4)),
    ("Conv2d", 64, 64, 1, (7, 7), (8, 8)),
    ("ConvTranspose2d", 1, 1, 1, (1, 1), (1, 1)),
])
def test_url_sets_the_layer_and_every_number_equals_torch(layer, c_in, c_out, groups, k, size):
    query = {"layer": layer, "c_in": c_in, "c_out": c_out, "groups": groups, "k_h": k[0], "k_w": k[1],
             "in_h": size[0], "in_w": size[1]}
    at = open_page("channels", {key: str(value) for key, value in query.items()})
    assert_clean(at)
    assert not at.warning
    assert at.radio(key="layer").value == layer
    for key, value in query.items():
        if key != "layer":
            assert at.slider(key=key).value == value
    assert metrics(at) == torch_numbers(layer, c_in, c_out, groups, k, size)
    assert "max |difference| = 0.0e+00" in texts(at)
    if c_in == 64:  # too dense to draw: said so, the connectivity grid stays
        assert "too many to draw" in at.info[0].value and len(figures(at)) == 1


def test_url_round_trip():
    """A view reopened from the values its controls hold (what the address bar keeps) is the same view."""
    query = {"layer": "ConvTranspose2d", "c_in": "6", "c_out": "3", "groups": "3", "k_h": "4", "k_w": "1", "in_h": "2"}
    at = open_page("channels", query)
    assert_clean(at)
    held = {key: str(at.slider(key=key).value) for key in ("c_in", "c_out", "groups", "k_h", "k_w", "in_h", "in_w")}
    held["layer"] = at.radio(key="layer").value
    assert query.items() <= held.items()
    again = open_page("channels", held)
    assert not again.warning
    assert metrics(again) == metrics(at) == torch_numbers("ConvTranspose2d", 6, 3, 3, (4, 1), (2, 4))


def test_every_slider_at_its_extremes():
    at = open_page("channels")
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        assert ("max |difference| = 0.0e+00" in texts(at)) != bool(at.error), (key, value)
        if at.error:  # a suggestion a step or two away, or, further, the nearest valid groups
            keys = {button.key for button in at.button}
            assert keys & {"apply_suggestion", "apply_groups"}, (key, value)
        at.slider(key=key).set_value(at.slider(key=key).min if value == at.slider(key=key).max else value).run()


@pytest.mark.parametrize("query, fix", [({"groups": "3"}, "groups = 2"), ({"c_in": "6", "c_out": "4", "groups": "4"}, "")])
def test_impossible_groups_explain_suggest_and_recover(query, fix):
    at = open_page("channels", query)
    assert_clean(at)
    assert "impossible" in at.error[0].value and "does not divide" in at.error[0].value
    assert not at.metric
    suggestion = at.button(key="apply_suggestion")
    assert fix in suggestion.label
    suggestion.click().run()
    assert_clean(at)
    assert not at.error and "max |difference| = 0.0e+00" in texts(at)
    c_in, c_out, groups = (at.slider(key=key).value for key in ("c_in", "c_out", "groups"))
    assert c_in % groups == 0 and c_out % groups == 0


def test_presets_include_depthwise():
    at = open_page("channels")
    at.button[2].click().run()  # "Depthwise 3×3 (MobileNet)"
    assert_clean(at)
    assert metrics(at) == torch_numbers("Conv2d", 8, 8, 8, (3, 3), (4, 4))
    connectivity = figures(at)[0]
    assert [float(t) for t in connectivity["data"][0]["text"]] == np.eye(8).ravel().tolist()


def test_transposed_w_is_drawn_transposed_with_its_blocks():
    # 128 entries: few enough to draw as squares with their values printed.
    at = open_page("channels", {"layer": "ConvTranspose2d", "c_in": "2", "c_out": "4", "groups": "2", "k_h": "2",
                                "k_w": "1"})
    assert_clean(at)
    w = figures(at)[1]
    assert w["layout"]["title"]["text"].startswith("Wᵀ") and w["data"][0]["type"] == "scatter"
    # Wᵀ: rows are the output's 4×5×4 elements, columns the input's 2×4×4; entries only in the 2 diagonal blocks.
    rows, cols = np.array(array(w["data"][0]["y"])), np.array(array(w["data"][0]["x"]))
    assert len(rows) == 128 and np.array_equal(rows // 40, cols // 16)


def test_a_w_with_more_entries_than_it_can_label_is_one_image_with_the_same_blocks():
    # The defaults: 800 entries, more than TEXT_ENTRIES, so no values would be printed on squares either.
    at = open_page("channels")
    assert_clean(at)
    w = figures(at)[1]
    assert w["data"][0]["type"] == "image" and w["layout"]["meta"]["rendering"] == "raster"
    alpha = decode_data_uri(w["data"][0]["source"])[..., 3]
    assert alpha.shape == (64, 64)  # one pixel per entry of the 64 × 64 W
    assert "a pixel per entry" in w["layout"]["title"]["text"] and "pooled" not in w["layout"]["title"]["text"]
    assert np.array_equal(alpha > 0, torch_connections(4, 4, 2, (3, 3), (4, 4)))


def test_far_away_groups_get_the_nearest_valid_groups():
    at = open_page("channels", {"groups": "64"})
    assert_clean(at)
    assert "choose groups among [1, 2, 4]" in at.error[0].value
    at.button(key="apply_groups").click().run()
    assert_clean(at)
    assert at.slider(key="groups").value == 4 and not at.error


@pytest.mark.parametrize("query", [{"groups": "99"}, {"layer": "Linear"}, {"k_h": "0"}, {"c_in": "2.5"}])
def test_bad_url_values_fall_back_with_a_notice(query):
    at = open_page("channels", query)
    assert_clean(at)
    assert "could not be used" in at.warning[0].value


def test_where_groups_show_up_is_built_only_when_open_and_its_link_opens_it():
    assert "ResNeXt" not in texts(open_page("channels"))
    at = open_page("channels", {"uses": "true"})
    assert_clean(at)
    assert not at.warning, "uses=true is a setting of the page"
    assert "ResNeXt" in texts(at) and "MobileNet" in texts(at)
