"""The transposed page's three views: choosing one shows it, puts it in the address bar, and a reload keeps it."""

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, open_page, wait_for_rerun


def test_choosing_a_view_shows_it_and_puts_it_in_the_link(page, streamlit_server):
    open_page(page, streamlit_server, "transposed")
    switch = page.locator(".st-key-view")
    expect(switch.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_text("Step (input element)")).to_be_visible()

    switch.get_by_role("radio", name="Zero insertion").click()
    wait_for_rerun(page)
    expect(page.get_by_text("Output cell")).to_be_visible()
    expect(page.get_by_text("Step (input element)")).to_have_count(0)
    assert parse_qs(urlparse(page.url).query).get("view") == ["Zero insertion"]

    page.reload()
    wait_for_rerun(page)
    expect(page.get_by_text("Output cell")).to_be_visible()
    expect(page.get_by_text("Stretched and padded input")).to_be_visible()
    assert_no_exception(page)
