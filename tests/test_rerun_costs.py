"""What a rerun does not repeat: converting an unchanged figure, and walking frozen library objects."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import plotly.io
import plotly.tools

from figures import grid_figure
from widgets import _converted_once, figure_once

ROOT = Path(__file__).resolve().parent.parent


def sent_json(figure) -> str:
    """What st.plotly_chart puts in its message for ``figure`` (its two conversion steps)."""
    return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True),
                             validate=False)


def test_a_shared_figure_is_converted_once_and_sent_exactly_as_the_figure_itself():
    figure = figure_once(grid_figure, np.arange(12.0).reshape(3, 4), title="Y")
    converted = _converted_once(figure)
    assert _converted_once(figure) is converted  # the next rerun reuses it
    assert sent_json(converted) == sent_json(figure)
    assert sent_json(converted) == sent_json(grid_figure(np.arange(12.0).reshape(3, 4), title="Y"))
    other = _converted_once(grid_figure(np.arange(12.0).reshape(3, 4) + 1, title="Y"))
    assert sent_json(other) != sent_json(converted)


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_freeze_new_imports_refreezes_only_after_modules_were_imported():
    out = run_python("""
        import gc, sys
        import widgets
        widgets._IMPORTS_DONE.set()
        widgets.freeze_new_imports()
        frozen = gc.get_freeze_count()
        calls = []
        collect = gc.collect
        gc.collect = lambda *a: calls.append(a) or collect(*a)
        widgets.freeze_new_imports()  # nothing imported since: no collection, nothing frozen
        print(len(calls), gc.get_freeze_count() == frozen)
        import wave  # a module not imported yet
        assert "wave" in sys.modules
        widgets.freeze_new_imports()
        print(len(calls), gc.get_freeze_count() > frozen)
    """)
    assert out.split() == ["0", "True", "1", "True"]


def test_after_a_pages_first_run_its_lazily_imported_modules_are_out_of_the_collectors_reach():
    # Streamlit's gc.collect(2) after every rerun walks every object not frozen; the images page
    # imports scipy, imageio and PIL parts on first use, after the libraries were frozen.
    out = run_python("""
        import gc
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("dashboard.py", default_timeout=120)
        at.switch_page("pages/images.py").run()
        assert not at.exception
        at.run()
        gc.collect()
        print(len(gc.get_objects()), gc.get_freeze_count())
    """)
    walked, frozen = map(int, out.split()[-2:])
    assert frozen > 100_000
    assert walked < frozen / 20, f"{walked} objects left for every rerun's collection ({frozen} frozen)"
