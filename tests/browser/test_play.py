"""The transposed page's Play button walks the scatter steps on its own timer, then stops."""

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, open_page


def test_play_walks_every_step_then_stops(page, streamlit_server):
    # A 2×3 input: six steps, 0.8 s apart.
    open_page(page, streamlit_server, "transposed", {"in_w": 3})
    step = page.locator(".st-key-step input[type=range]")
    expect(step).to_have_value("1")
    page.locator(".st-key-play_step button").click()
    expect(page.locator(".st-key-play_step button")).to_contain_text("Pause")
    expect(step).to_have_value("4", timeout=10_000)  # it advances without any input
    expect(step).to_have_value("6", timeout=10_000)
    expect(page.get_by_text("Running sum after 6 of 6")).to_be_visible()
    expect(page.locator(".st-key-play_step button")).to_contain_text("Play", timeout=10_000)
    page.wait_for_timeout(2_000)  # stopped: no further runs change it
    expect(step).to_have_value("6")
    assert "step=6" in page.url
    assert_no_exception(page)
