"""A link to a page must open that page even as the very first request a fresh server sees.

With a pages/ folder beside dashboard.py, Streamlit runs its legacy multipage routing until
st.navigation has run once in the process; widgets.run_through_dashboard handles that. This
needs its own fresh server: the shared one has long since run st.navigation.
"""

from playwright.sync_api import expect

from tests.browser.conftest import running_server
from tests.browser.helpers import REPO_ROOT, assert_no_exception, open_page


def test_first_request_to_a_fresh_server_is_a_deep_link(page):
    with running_server(REPO_ROOT / "test-results" / "fresh-server.log") as url:
        open_page(page, url, "matrix", {"in_h": 5, "sel": "row:1"})
        assert_no_exception(page)
        # dashboard.py ran: its navigation sections and the shared sidebar toggle are there.
        sidebar = page.locator('[data-testid="stSidebar"]')
        # expect() waits for the element: the sidebar's widgets can arrive after the first idle frame.
        # A fresh server's first run imports torch and friends: allow it more than expect's 5 s.
        expect(page.get_by_text("W: 6 × 20").first).to_be_visible(timeout=60_000)
        expect(sidebar.get_by_text("Convolution as a matrix")).to_be_visible()
        expect(sidebar.get_by_text("Presentation mode")).to_be_visible()
        expect(page.locator(".st-key-in_h input[type=range]")).to_have_value("5")
        expect(page.get_by_text("W: 6 × 20").first).to_be_visible()
        # The session keeps working: a second page by its URL name.
        open_page(page, url, "output_size", {"in_h": 9})
        expect(page.locator('[data-testid="stMetricValue"]')).to_have_text("7 × 2")
