"""The benchmark's websocket client (bench/streamlit_ws.py) really drives the app.

bench/load.py times 30 sessions with it; if Streamlit's protocol changed under it, a rerun request
could be ignored (the page rerun with its old values) and the benchmark would time nothing real.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.streamlit_ws import StreamlitSession
from core import conv_output_size

METRIC = "nn.Conv2d output (H × W)"


def _run_coroutine(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop running in
    the test thread once any browser test of the session has used it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _output_size_runs(url: str, moves: list[int]):
    async def drive():
        async with StreamlitSession(url, "output_size") as session:
            runs = [await session.open_page()]
            for step in moves:
                runs.append(await session.move_slider("in_h", step))
            return runs, session
    return _run_coroutine(drive())


def test_a_rerun_request_moves_the_slider_and_the_page_follows(streamlit_server):
    runs, session = _output_size_runs(streamlit_server, [+1, +1, -1])
    first = {s.key: s for s in runs[0].sliders}
    assert (first["in_h"].minimum, first["in_h"].maximum, first["in_h"].area) == (1, 64, "Main")
    in_w, k_h, k_w = (int(first[k].value) for k in ("in_w", "k_h", "k_w"))
    heights = [int(first["in_h"].value) + offset for offset in (0, 1, 2, 1)]
    for run, height in zip(runs, heights, strict=True):
        expected = f"{conv_output_size(height, k_h)} × {conv_output_size(in_w, k_w)}"
        assert run.metrics[METRIC] == expected
        assert run.status is not None and run.exceptions == 0
        assert run.latency()["total"] > 0
    assert session.sliders["in_h"].value == heights[-1]


def test_the_slider_stops_at_its_maximum(streamlit_server):
    async def drive():
        async with StreamlitSession(streamlit_server, "output_size") as session:
            await session.open_page()
            session.sliders["in_h"].value = session.sliders["in_h"].maximum - 1
            await session.move_slider("in_h", +5)
            return session.sliders["in_h"].value
    assert _run_coroutine(drive()) == 64
