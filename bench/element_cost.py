"""Benchmark: what Streamlit itself charges per element on a slider change, for reading bench/latency.py.

bench/latency.py judges each page against a one-slider, one-text app. A rerun sends every element of the
page again and the browser renders each one, so a page that needs many controls pays for them however
little its script does. This benchmark measures that cost alone: ``bench/elements_app.py`` is the floor
app plus ``?n=`` lines of text and ``?sliders=`` sidebar sliders (nothing computed, nothing cached), run
with Streamlit's defaults and with ``--runner.postScriptGC false`` (see bench/latency.py). Every variant
has its own browser page, all kept open; rounds go through the variants in turn, so load on the machine
weighs on all of them alike. Ratios are to the variant with no extra element on the same server settings.

A report, not a test: it always exits 0. Run from the repo root: ``.venv/bin/python bench/element_cost.py``
(``--rounds 2`` to iterate; ``--write`` puts the table in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.latency import CHROMIUM_ARGS, NO_GC_OPTION, Case, Servers, SliderDriver, machine, median, write_doc  # noqa: E402
from tests.browser.conftest import _chromium_executable  # noqa: E402

APP = "bench/elements_app.py"
HEADING = "## Streamlit's cost per element"
# (label, URL query); the first is the baseline: the floor app's two elements.
VARIANTS = [("the floor app's 2 elements", ""), ("+ 10 lines of text", "n=10"), ("+ 25 lines of text", "n=25"),
            ("+ 45 lines of text", "n=45"), ("+ 20 sidebar sliders and 25 lines of text", "sliders=20&n=25")]
SETTINGS = [("defaults", []), ("no post-run GC", [NO_GC_OPTION])]
PRESSES_PER_ROUND = 8
# Second table: KIND_COUNT elements of one kind each (bench/elements_app.py's KINDS), on a server without the
# post-run GC, whose fixed ~50 ms would only add noise to a difference of a few ms.
KIND_COUNT = 30
# Figures are priced six at a time, about as many as a page shows: what one figure costs depends on how
# many share the page (a changing grid: 7.7 ms each six at a time, 5.5 ms each thirty at a time).
FIGURE_COUNT = 6
KINDS = [("markdown", "a line of Markdown (`st.markdown`; also captions, titles, alerts)"),
         ("text", "a line of plain text (`st.text`)"), ("slider", "a slider"), ("selectbox", "a selectbox"),
         ("button", "a button"), ("text_input", "a text field"), ("columns", "`st.columns(2)` (three layout blocks)"),
         ("container", "an empty `st.container`"), ("expander", "a closed expander with a line of Markdown"),
         ("empty_expander", "a closed, empty expander"), ("tabs", "`st.tabs` with three tabs"),
         ("segmented", "`st.segmented_control` with three options"), ("subheader", "a subheader (`st.subheader`)"),
         ("latex", "`st.latex` whose numbers change with the slider"), ("latex_same", "`st.latex` that stays the same"),
         ("code", "`st.code`, two lines of Python"),
         ("plotly", "a plotly figure whose numbers change (a 4×4 grid)"),
         ("plotly_same", "the same plotly figure, unchanged"),
         ("plotly_select", "the changing figure, clickable (`on_select`)")]


def kind_count(kind: str) -> int:
    """How many elements of ``kind`` its variant of the floor app shows."""
    return FIGURE_COUNT if kind.startswith("plotly") else KIND_COUNT


def measure(rounds: int) -> dict[tuple[str, str], Case]:
    """Every (settings, variant) case after ``rounds`` rounds of PRESSES_PER_ROUND timed changes each."""
    servers = Servers(Path(tempfile.mkdtemp(prefix="convlab-elements-")))
    cases, drivers = {}, []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium_executable(playwright), headless=True,
                                                 args=CHROMIUM_ARGS)
            for setting, options in SETTINGS:
                server = servers.start(APP, options=options)
                for label, query in VARIANTS:
                    case = cases[setting, label] = Case("floor", label, query, ["value"], None)
                    driver = SliderDriver(browser, server.url, case)
                    driver.series(2, 0)
                    drivers.append(driver)
            server = servers.start(APP, options=[NO_GC_OPTION])
            for kind, _ in [("", ""), *KINDS]:
                case = cases["kind", kind] = Case("floor", kind or "floor app", f"kind={kind}&count={kind_count(kind)}",
                                                  ["value"], None)
                driver = SliderDriver(browser, server.url, case)
                driver.series(2, 0)
                drivers.append(driver)
            for number in range(rounds):
                for driver in drivers:
                    driver.series(0, PRESSES_PER_ROUND)
                print(f"round {number + 1}/{rounds} done", flush=True)
            for driver in drivers:
                driver.close()
            browser.close()
    finally:
        servers.stop_all()
    return cases


def report(cases: dict[tuple[str, str], Case], rounds: int) -> str:
    """The Markdown section: per variant, the median change and its ratio to the baseline, per setting."""
    info = machine()
    header = ["| elements on the page | " + " | ".join(f"{s}: median ms | {s}: ratio" for s, _ in SETTINGS) + " |",
              "|---|" + "---:|---:|" * len(SETTINGS)]
    rows = []
    for label, _ in VARIANTS:
        cells = []
        for setting, _ in SETTINGS:
            own, base = median(cases[setting, label].latency), median(cases[setting, VARIANTS[0][0]].latency)
            cells.append(f"{own:.0f} | {own / base:.2f}×")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    base = median(cases["kind", ""].latency)
    kind_rows = [f"| {label} | {kind_count(kind)} | {median(cases['kind', kind].latency):.0f} | "
                 f"{(median(cases['kind', kind].latency) - base) / kind_count(kind):.2f} |" for kind, label in KINDS]
    return "\n".join([
        HEADING, "",
        "Measured by `bench/element_cost.py`: `bench/elements_app.py` (the latency floor app plus plain lines of "
        "text and sidebar sliders, or elements of one kind; nothing computed) with Streamlit's defaults and with "
        f"`--{NO_GC_OPTION.replace('=', ' ')}`, each change timed as in `bench/latency.py`; ratios are to the "
        "floor app's two elements on the same settings. It shows what a page pays for its element count alone: "
        "the dashboard's pages send 21–55 elements per change (their controls are most of them).", "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), load average {info['load']} at the end; Streamlit "
        f"{info['streamlit']}; commit {info['commit']}; {info['date']}; {rounds} rounds of {PRESSES_PER_ROUND} "
        "timed changes per variant.", "",
        *header, *rows, "",
        f"By kind, on the server without the post-run GC: the floor app plus {KIND_COUNT} elements of one kind "
        f"({FIGURE_COUNT} of a figure, about as many as a page shows; the floor app alone: {base:.0f} ms). "
        "*ms per element* is the difference to the floor app over that count: what one more element of that "
        "kind adds to every change, mostly in the browser.", "",
        "| element | count | median ms | ms per element |", "|---|---:|---:|---:|", *kind_rows,
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args()
    text = report(measure(args.rounds), args.rounds)
    print(text)
    if args.write:
        write_doc(text, HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
