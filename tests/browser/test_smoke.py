"""The app starts, renders its home page, and survives an unknown URL."""

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, open_page


def test_home_page_renders(page, streamlit_server):
    open_page(page, streamlit_server)
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="ConvLab")).to_be_visible()
    assert_no_exception(page)


def test_unknown_path_falls_back_to_main_page(page, streamlit_server):
    open_page(page, streamlit_server, "no-such-page")
    # Streamlit reports the missing page in a dialog and runs the default page instead.
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="ConvLab")).to_be_visible()
    assert_no_exception(page)
