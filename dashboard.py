"""ConvLab: page config, navigation and the shared sidebar."""

import streamlit as st

from widgets import freeze_new_imports, import_heavy_modules_once

st.set_page_config(page_title="ConvLab", page_icon=":material/grid_view:", layout="wide", initial_sidebar_state="expanded")



def build_pages() -> dict[str, list]:
    """The navigation's sections and pages. Every url_path equals its file name: see
    widgets.run_through_dashboard for why."""
    return {
        "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)],
        "Arithmetic": [
            st.Page("pages/output_size.py", title="Output size", icon=":material/straighten:", url_path="output_size"),
            st.Page("pages/channels.py", title="Channels and groups", icon=":material/stacks:", url_path="channels"),
        ],
        "Convolution": [
            st.Page("pages/matrix.py", title="Convolution as a matrix", icon=":material/grid_on:", url_path="matrix"),
        ],
        "Transposed convolution": [
            st.Page("pages/transposed.py", title="Three views", icon=":material/open_in_full:",
                    url_path="transposed"),
            st.Page("pages/checkerboard.py", title="Checkerboard artifacts", icon=":material/grid_4x4:",
                    url_path="checkerboard"),
        ],
        "Practice": [
            st.Page("pages/images.py", title="Filters on images", icon=":material/image:", url_path="images"),
            st.Page("pages/quiz.py", title="Quiz: output shapes", icon=":material/quiz:", url_path="quiz"),
        ],
    }


# Built once per session: each st.Page resolves its file on disk, a cost every rerun would repeat.
# Not shared between sessions, because st.navigation marks the chosen page on the object itself.
if "_navigation_pages" not in st.session_state:
    st.session_state["_navigation_pages"] = build_pages()
PAGES = st.session_state["_navigation_pages"]

navigation = st.navigation(PAGES)
with st.sidebar:
    # Shared by every page and kept in the URL, so a prepared lecture link opens in this mode.
    presenting = st.toggle("Presentation mode", key="present", bind="query-params",
                           help="Bigger text, numbers and lines for a projector. Collapse the sidebar; the mode stays.")
if presenting:
    # The theme is fixed at start-up, so the projector's larger text scales the root font instead;
    # figures get their larger sizes from figures.style.FigureStyle.
    st.html("<style>html { font-size: 125%; }</style>")
# After the shared sidebar, so it shows at once. The home page needs none of the heavy libraries:
# it paints while they load in the background; other pages wait for them.
import_heavy_modules_once(wait=navigation.url_path != "")  # "" is the default page, home
try:
    navigation.run()
finally:  # also after st.stop() and st.rerun(), which end a run by raising
    freeze_new_imports()
