"""Helpers for AppTest page tests: open a page of the real navigation, sweep its controls."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import cv2
import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")


def open_page(page: str, query: dict | None = None, timeout: float = 60) -> AppTest:
    """Run ``dashboard.py`` switched to ``pages/{page}.py`` with URL ``query`` parameters."""
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    at.switch_page(f"pages/{page}.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No uncaught exception on the page."""
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    """Every markdown, caption, metric and alert text on the page, joined, for content checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [str(m.value) for m in at.metric]
    parts += [a.value for kind in (at.success, at.info, at.warning, at.error) for a in kind]
    parts += [latex.value for latex in at.latex]
    return "\n".join(parts)


def slider_extremes(at: AppTest) -> list[tuple[str, int]]:
    """(key, value) for the minimum and maximum of every slider on the page."""
    pairs = []
    for slider in at.slider:
        pairs += [(slider.key, slider.min), (slider.key, slider.max)]
    return pairs


def figures(at: AppTest) -> list[dict]:
    """The plotly figures on the page, as the JSON Streamlit sends to the browser."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(value) -> list:
    """A figure array as a (nested) list: plotly sends numbers as base64 typed arrays ({"dtype", "bdata"},
    and "shape" like "64, 62" for a 2-D one)."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np

        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            flat = flat.reshape([int(n) for n in str(value["shape"]).split(",")])
        return flat.tolist()
    return list(value)


def highlighted_cells(figure: dict) -> set[tuple[int, int]]:
    """(row, col) of the cells outlined by a grid figure's "highlight" trace."""
    cells = set()
    for trace in figure["data"]:
        if trace.get("name") == "highlight":
            cells |= {(int(round(y)), int(round(x))) for x, y in zip(array(trace["x"]), array(trace["y"]), strict=True)}
    return cells


def markdown_tables(at: AppTest) -> list[list[dict[str, str]]]:
    """Every Markdown table on the page (``core.explain.markdown_table``), as rows of cell texts by column."""
    tables = []
    for markdown in at.markdown:
        lines = [line for line in markdown.value.splitlines() if line.startswith("|")]
        if len(lines) < 2 or not set(lines[1]) <= set("|-: "):
            continue
        split = [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
        tables.append([dict(zip(split[0], row, strict=True)) for row in split[2:]])
    return tables


def decode_data_uri(uri: str, flags=cv2.IMREAD_UNCHANGED) -> np.ndarray:
    """The image inside a ``data:image/…;base64,`` URI, as OpenCV decodes it (BGR / BGRA / gray)."""
    header, payload = uri.split(",", 1)
    assert header.startswith("data:image/") and header.endswith(";base64")
    return cv2.imdecode(np.frombuffer(base64.b64decode(payload), np.uint8), flags)
