"""The checkerboard page reruns one section per control: the stamp counts or the picture comparison.

Each section is an ``st.fragment``. A change in one must update that section and the URL, and
leave the other section's view and URL values as they were.
"""

import re

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, open_page, wait_for_rerun


def slider(page, key):
    return page.locator(f".st-key-{key} input[type=range]")


def move(page, key, arrow):
    slider(page, key).focus()
    page.keyboard.press(arrow)
    wait_for_rerun(page)


def zoom_caption(page):
    return page.get_by_text(re.compile(r"^Zoom: rows \d+–\d+, columns \d+–\d+"))


def test_each_section_follows_its_own_controls_and_keeps_the_others(page, streamlit_server):
    # k = 5, s = 2: uneven overlap. The zoom row at 0 % starts the window at row 0.
    open_page(page, streamlit_server, "checkerboard", {"k": 5, "img": "coins", "zoom_y": 0})
    assert_no_exception(page)
    expect(page.get_by_text("Uneven overlap.", exact=True)).to_be_visible()
    expect(zoom_caption(page)).to_have_text(re.compile(r"^Zoom: rows 0–31,"))

    move(page, "k", "ArrowLeft")  # k = 4: even, no checkerboard
    expect(page.get_by_text("Even overlap.", exact=True)).to_be_visible()
    expect(page.get_by_text("Uneven overlap.", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]k=4(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]img=coins(&|$)"))
    expect(zoom_caption(page)).to_have_text(re.compile(r"^Zoom: rows 0–31,"))

    move(page, "zoom_y", "End")  # the window moves to the picture's last rows
    expect(zoom_caption(page)).not_to_have_text(re.compile(r"^Zoom: rows 0–31,"))
    expect(page).to_have_url(re.compile(r"[?&]zoom_y=100(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]k=4(&|$)"))
    expect(page.get_by_text("Even overlap.", exact=True)).to_be_visible()
    expect(slider(page, "k")).to_have_value("4")
    assert_no_exception(page)

    page.reload()  # the address bar reopens both sections as they were
    wait_for_rerun(page)
    expect(page.get_by_text("Even overlap.", exact=True)).to_be_visible()
    expect(slider(page, "zoom_y")).to_have_value("100")
    expect(zoom_caption(page)).not_to_have_text(re.compile(r"^Zoom: rows 0–31,"))
    expect(page).to_have_url(re.compile(r"[?&]img=coins(&|$)"))
    assert_no_exception(page)
