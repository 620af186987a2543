"""The quiz's "Show me" panels are built only while open: opening one in the browser must show its worked answer."""

from playwright.sync_api import expect

from core.quiz import make_quiz
from tests.browser.helpers import assert_no_exception, open_page, wait_for_rerun


def test_opening_show_me_shows_the_worked_answer_and_its_link(page, streamlit_server):
    open_page(page, streamlit_server, "quiz", {"seed": 5, "difficulty": "medium"})
    second = make_quiz(5, "medium", 6)[1]
    panels = page.get_by_test_id("stExpander")
    expect(panels).to_have_count(6)
    first_line = second.explanation.split("\n")[0][:40]
    expect(page.get_by_text(first_line, exact=False)).to_have_count(0)

    panels.nth(1).get_by_text("Show me").click()
    wait_for_rerun(page)
    expect(panels.nth(1).get_by_text(first_line, exact=False).first).to_be_visible()
    expect(panels.nth(1).get_by_role("link", name="Open this layer")).to_be_visible()
    expect(panels.nth(0).get_by_role("link")).to_have_count(0)
    assert_no_exception(page)
