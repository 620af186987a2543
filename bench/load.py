"""Benchmark: a whole class opens the demo at once and moves sliders (classroom load).

Starts ``streamlit run dashboard.py`` (headless, loopback, a free port, its own process group) and
drives N concurrent sessions. Every page registered in ``dashboard.py`` is found by reading that
file; a probe visit finds each page's first slider (main area first, else the sidebar) and warms
the server up the way a teacher's own visit before class does. Sessions are spread round-robin
over the pages that have a slider (one session in five on the ``images`` page when it exists);
each opens its page, then every 2 s moves its slider one step (right, left, alternately) for S
seconds, and closes.

Two clients (``--client``):

* ``websocket`` (default): each session is one websocket speaking Streamlit's own protocol
  (``bench/streamlit_ws.py``), sending the rerun requests a tab sends and reading the messages it
  reads, without drawing them; a change is timed from the request to the run's
  ``script_finished``. This measures the server a class shares; each student's browser draws on
  their own machine (``bench/latency.py`` measures the drawing alone).
* ``browser``: one headless Chromium, one Playwright context per session, the slider moved with
  the keyboard. On one 2-core machine Chromium drawing 30 tabs needs several times the server's
  CPU, so its figures are the browser's more than the server's.

Measured in each browser page (an init script, so nothing waits on Playwright's round trips):

* change → rerun finished: the key press's ``performance.now()`` to the next transition of
  ``[data-testid="stApp"]``'s ``data-test-script-state`` to ``notRunning`` after ``running``, or,
  when React commits a quick run's messages together and ``running`` never reaches the DOM, two
  frames after the run's ``script_finished`` message. The run's WebSocket messages split it into
  waiting (press → the run's first message), the script run (first → last message) and rendering;
* errors: exception boxes, connection-state changes away from CONNECTED, WebSocket close events,
  uncaught page errors, changes whose rerun never finished, pages that did not load, pages that
  show an exception box when probed. The websocket client counts the same kinds it can see:
  ``st.exception`` elements, closed connections, requests with no finished run within 30 s.

The server's resident memory (RSS summed over its process group, from /proc) and the CPU time of
the server, of the harness (this script, and Playwright and Chromium when they run) and of the whole machine are sampled
every second, through every round and for a settle period after it (Streamlit drops a disconnected
session after 120 s). Rounds repeat the whole thing, so memory that does not come back shows up as
growth between the rounds' settled values.

Targets: 0 errors; p95 of change → rerun finished ≤ 1 s; peak RSS ≤ 1.2 GB; settled RSS after the
last round no more than 5 % above the settled RSS after the first. Exits 1 if one is missed.

Run from the repo root: ``.venv/bin/python bench/load.py`` (about 8 minutes on a quiet machine; it first
waits up to 5 minutes for the 1-minute load average to drop below 1.0) or ``--quick`` while
developing; ``--option runner.postScriptGC=false`` passes a config option to the server. A full run writes its
figures into docs/benchmarks.md under "Classroom load" (``--no-docs`` to skip; ``--docs`` to write a
quick run's). Raw samples and the server's log go to bench/results/.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import websockets
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

# One definition of the browser, of "the app is idle" and of the server harness (free port, health
# check, process-group stop) for the tests and this benchmark.
from bench.streamlit_ws import StreamlitSession  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM, _free_port, _healthy, _stop  # noqa: E402
from tests.browser.helpers import APP_IDLE, EXCEPTION  # noqa: E402

RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
SECTION = "Classroom load"
NOTES_HEADING = "### Notes (kept when the figures are regenerated)"

P95_TARGET_S = 1.0
PEAK_RSS_TARGET = 1.2e9  # bytes
GROWTH_TOLERANCE = 0.05  # settled RSS may move this much between rounds (allocator noise)
CHANGE_EVERY_S = 2.0
RERUN_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 180_000
SETTLE_S = 130  # Streamlit forgets a disconnected session after 120 s
LOAD_AVERAGE_LIMIT = 1.0
LOAD_WAIT_S = 300
BASELINE_CHANGES = 4  # per page, alone on the server, before the rounds
IMAGES_PAGE = "images"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Installed before any page script: records every key press, the app's state transitions and the
# server's run messages. The `stApp` attribute is the primary signal, but React can commit several
# messages at once, so a quick rerun's `running` may never reach the DOM (seen under load); the
# WebSocket's own messages (ForwardMsg `new_session` = 4 at a run's start, `script_finished` = 6 at
# its end; only the top-level protobuf tags are read) catch those runs and split each change into
# waiting, the script run on the server, and rendering.
INIT_JS = r"""
(() => {
  const S = window.__cl = {state: null, conn: null, connected: false, disconnects: 0, wsClosed: 0, wsClosedOpening: 0,
                           pending: null, samples: [], maxExceptions: 0, started: 0, finished: 0};
  const EXCEPTION = '[data-testid="stException"]';
  // The number and (varint) value of a ForwardMsg's `type` field: the first top-level field after 1 and 2.
  const messageType = (data) => {
    if (!(data instanceof ArrayBuffer)) return [null, null];
    const bytes = new Uint8Array(data);
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = bytes[i++]; value += (byte & 127) * scale; scale *= 128; } while (byte & 128 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      let value = null;
      if (wire === 0) value = varint();
      else if (wire === 2) { const length = varint(); i += length; }  // not `i += varint()`: i is read first
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return [null, null];
      if (field > 2) return [field, value];
    }
    return [null, null];
  };
  const finish = (p, via) => {
    p.done = performance.now();
    p.via = via;
    p.exceptions = document.querySelectorAll(EXCEPTION).length;
    S.maxExceptions = Math.max(S.maxExceptions, p.exceptions);
    S.pending = null;
    S.samples.push(p);
    requestAnimationFrame(() => requestAnimationFrame(() => { p.paint = performance.now(); }));
  };
  const afterRender = (callback) => requestAnimationFrame(() => requestAnimationFrame(callback));
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      // A close before the first CONNECTED is a failed first connection (retried), after it a dropped one.
      this.addEventListener('close', () => { if (S.connected) S.wsClosed += 1; else S.wsClosedOpening += 1; });
      // Added before Streamlit's own handler, so it sees each message before the app handles it.
      this.addEventListener('message', (event) => {
        const [field, value] = messageType(event.data);
        const now = performance.now(), p = S.pending;
        if (p && p.firstMessage === null && field !== null) p.firstMessage = now;
        if (field === 4) {
          S.started += 1;
          if (p && p.started === null) p.started = now;
        } else if (field === 6 && (value === 0 || value === 1 || value === 3)) {
          // finished (0), compile error (1) or a fragment's run (3: it sends no new_session), not cut short
          if (p && p.started === null && value === 3) p.started = p.firstMessage;
          if (p && p.started !== null && p.finished === null) p.finished = now;
          afterRender(() => {
            S.finished += 1;
            if (S.pending === p && p && p.finished !== null && p.running === null) finish(p, 'message');
          });
        }
      });
    }
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      S.pending = {press: performance.now(), firstMessage: null, started: null, running: null, finished: null,
                   done: null, paint: null, exceptions: 0, via: null};
    }
  }, true);
  const seen = (state, conn) => {
    if (conn !== S.conn) {
      if (S.connected && conn !== 'CONNECTED') S.disconnects += 1;
      if (conn === 'CONNECTED') S.connected = true;
      S.conn = conn;
    }
    if (state === S.state) return;
    S.state = state;
    const p = S.pending;
    if (!p) return;
    if (state === 'running' && p.running === null) p.running = performance.now();
    else if (state === 'notRunning' && p.running !== null) finish(p, 'state');
  };
  new MutationObserver((records) => {
    for (const record of records) {
      const app = record.target;
      if (app.getAttribute('data-testid') !== 'stApp') continue;
      seen(app.getAttribute('data-test-script-state'), app.getAttribute('data-test-connection-state'));
    }
  }).observe(document, {subtree: true, attributes: true,
                        attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
})();
"""

# The first slider of the page that can still move right: main area first, then the sidebar.
FIND_SLIDER_JS = r"""
() => {
  for (const area of ['stMain', 'stSidebar']) {
    const root = document.querySelector(`[data-testid="${area}"]`);
    if (!root) continue;
    for (const input of root.querySelectorAll('input[type=range]')) {
      const box = input.closest('[class*="st-key-"]');
      const key = box && [...box.classList].find((c) => c.startsWith('st-key-'));
      if (key && Number(input.value) < Number(input.max)) return {key: key.slice(7), area};
    }
  }
  return null;
}
"""


# ------------------------------------------------------------------------------------------ pages


def registered_pages(dashboard: Path = REPO_ROOT / "dashboard.py") -> dict[str, Path]:
    """Every ``st.Page`` in dashboard.py, in order: URL path (default: the file's stem) → source file."""
    pages = {}
    for node in ast.walk(ast.parse(dashboard.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Page":
            if not (node.args and isinstance(node.args[0], ast.Constant)):
                continue
            source = REPO_ROOT / node.args[0].value
            pages[next((k.value.value for k in node.keywords if k.arg == "url_path"), source.stem)] = source
    return pages


def makes_slider(source: Path) -> bool:
    """Whether a page's code makes a slider (Controls.slider / .pair / layer_controls, or st.slider)."""
    try:
        return bool(re.search(r"\bslider\(|\.pair\(|\blayer_controls\(", source.read_text()))
    except OSError:
        return False


def assign_pages(pages: list[str], sessions: int) -> list[str]:
    """Round-robin over ``pages``; when the images page is among them, every fifth session gets it."""
    others = [p for p in pages if p != IMAGES_PAGE] or pages
    assigned, turn = [], 0
    for i in range(sessions):
        if IMAGES_PAGE in pages and i % 5 == 4:
            assigned.append(IMAGES_PAGE)
        else:
            assigned.append(others[turn % len(others)])
            turn += 1
    return assigned


# ------------------------------------------------------------------------------------------ /proc


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, pgid, utime + stime in ticks) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def process_table() -> dict[int, tuple[int, int, int]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            table[int(entry)] = stat
    return table


def descendants(root: int, table: dict[int, tuple[int, int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def machine() -> dict[str, object]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    return {"nproc": len(os.sched_getaffinity(0)), "memory_gb": round(total_kb / 1024**2, 1),
            "cpu": _cpu_model(), "python": platform.python_version()}


def _cpu_model() -> str:
    match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return match.group(1).strip() if match else platform.processor() or "unknown"


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


@dataclass
class Sample:
    t: float  # seconds since the server started
    server_rss: int  # bytes, summed over the server's process group
    server_cpu: float  # CPU seconds, cumulative over every process of the group seen so far
    browser_cpu: float  # the same for the harness: this script, Playwright's driver and Chromium
    machine_busy: float  # CPU seconds the whole machine was busy since boot (everyone's work)
    load_average: float  # 1-minute


class Sampler:
    """Samples the server's RSS and CPU, the browser's CPU and the machine's, every second in the background."""

    def __init__(self, server_pid: int, t0: float):
        self.server_pid, self.t0 = server_pid, t0
        self.samples: list[Sample] = []
        self._task: asyncio.Task | None = None
        # Last CPU ticks seen per process, kept after it exits (a closed tab's renderer still counts).
        self._server_ticks: dict[int, int] = {}
        self._browser_ticks: dict[int, int] = {}

    def sample(self) -> Sample:
        table = process_table()
        server = {pid for pid, (_, pgid, _) in table.items() if pgid == self.server_pid}
        for pid in server:
            self._server_ticks[pid] = table[pid][2]
        for pid in (descendants(os.getpid(), table) | {os.getpid()}) - server:
            self._browser_ticks[pid] = table[pid][2]
        sample = Sample(
            t=time.monotonic() - self.t0,
            server_rss=sum(_rss(pid) for pid in server),
            server_cpu=sum(self._server_ticks.values()) / CLK_TCK,
            browser_cpu=sum(self._browser_ticks.values()) / CLK_TCK,
            machine_busy=machine_cpu()[0],
            load_average=load_average()[0],
        )
        self.samples.append(sample)
        return sample

    async def _run(self):
        while True:
            self.sample()
            await asyncio.sleep(1.0)

    def start(self):
        self._task = asyncio.create_task(self._run())

    async def stop(self):
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.t <= end]


# ------------------------------------------------------------------------------------------ server


def start_server(log_path: Path, options: list[str] = ()) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    for option in options:  # e.g. runner.postScriptGC=false → --runner.postScriptGC false
        key, _, value = option.partition("=")
        command += [f"--{key}", value]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"Streamlit did not start (exit code {proc.returncode}); see {log_path}")
        time.sleep(0.25)
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, to the server's whole process group."""
    _stop(proc)


# ------------------------------------------------------------------------------------------ sessions


@dataclass
class SessionResult:
    index: int
    page: str
    slider: str
    round: int
    load_s: float | None = None
    presses: int = 0
    late_ticks: int = 0  # ticks where the previous rerun had not finished yet
    lost: int = 0  # presses whose rerun never finished
    stalls: int = 0  # ticks skipped because the tab did not respond to Playwright for 30 s (browser-side)
    exceptions: int = 0
    disconnects: int = 0
    ws_closed: int = 0  # WebSocket closed after the session had connected
    ws_closed_opening: int = 0  # WebSocket closed before the first connection succeeded (the client retries)
    page_errors: list[str] = field(default_factory=list)
    failure: str | None = None  # the page did not load, or the session crashed
    latencies: list[dict] = field(default_factory=list)  # seconds, see latency()

    @property
    def errors(self) -> int:
        return (self.lost + self.exceptions + self.disconnects + self.ws_closed + self.ws_closed_opening
                + len(self.page_errors)
                + (self.failure is not None))


LOADED_JS = """() => window.__cl && window.__cl.finished > 0 && window.__cl.conn === 'CONNECTED'
                      && document.querySelector('[data-testid="stApp"]').dataset.testScriptState === 'notRunning'"""


async def wait_until_loaded(page) -> None:
    """Wait for the page's first script run to finish.

    ``APP_IDLE`` alone is not enough: a fresh page reports notRunning + CONNECTED for a moment
    before its first run starts (seen under load, with no widget on the page yet).
    """
    await page.wait_for_function(LOADED_JS, timeout=LOAD_TIMEOUT_MS, polling=50)


async def run_session(browser, url: str, result: SessionResult, seconds: float) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        await context.add_init_script(INIT_JS)
        page = await context.new_page()
        page.on("pageerror", lambda error: result.page_errors.append(str(error)[:200]))
        slider = page.locator(f".st-key-{result.slider} input[type=range]")
        started = time.monotonic()
        try:
            await page.goto(f"{url}/{result.page}", timeout=LOAD_TIMEOUT_MS)
            await wait_until_loaded(page)
            await slider.wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)  # drawn after its code loads
        except PlaywrightTimeout:
            result.failure = f"page did not load within {LOAD_TIMEOUT_MS / 1000:.0f} s"
            return
        result.load_s = time.monotonic() - started
        result.exceptions = await page.locator(EXCEPTION).count()
        end = time.monotonic() + seconds
        tick = time.monotonic()
        while tick < end:
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
            try:
                if not await page.locator(APP_IDLE).count():
                    result.late_ticks += 1
                    await page.wait_for_selector(APP_IDLE, timeout=RERUN_TIMEOUT_MS)
                await slider.focus(timeout=RERUN_TIMEOUT_MS)  # waits while the tab's renderer is busy
            except PlaywrightTimeout:
                result.stalls += 1  # this tab could not even be given the key press: the browser's limit
            else:
                await page.keyboard.press("ArrowRight" if result.presses % 2 == 0 else "ArrowLeft")
                result.presses += 1
                try:
                    await page.wait_for_function("() => window.__cl.pending === null", timeout=RERUN_TIMEOUT_MS,
                                                 polling=20)
                except PlaywrightTimeout:
                    result.lost += 1
                    await page.evaluate("() => { window.__cl.pending = null; }")
            # A student moves the slider again 2 s after the last move, or once its result is there.
            tick = max(tick + CHANGE_EVERY_S, time.monotonic())
        await page.wait_for_timeout(100)  # the last sample's paint timestamp
        state = await page.evaluate("() => window.__cl")
        result.exceptions = max(result.exceptions, state["maxExceptions"], await page.locator(EXCEPTION).count())
        result.disconnects = state["disconnects"]
        result.ws_closed, result.ws_closed_opening = state["wsClosed"], state["wsClosedOpening"]
        result.latencies = [latency(s) for s in state["samples"]]
    except Exception as error:  # noqa: BLE001 - one broken session is a finding, not a crash
        result.failure = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    finally:
        with contextlib.suppress(Exception):
            await context.close()


async def probe_pages(browser, url: str, pages: dict[str, Path]) -> dict[str, dict]:
    """Visit every page once, as the teacher does before class: its slider, its exception boxes, and
    the latency of a few slider changes with no other session (the page's own cost)."""
    found = {}
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        await context.add_init_script(INIT_JS)
        page = await context.new_page()
        for path, source in pages.items():
            await page.goto(f"{url}/{path}", timeout=LOAD_TIMEOUT_MS)
            await wait_until_loaded(page)
            # A widget is drawn once its component's code has loaded, which can be well after the run
            # that made it finished: wait for one as long as the page's code says it makes one.
            try:
                await page.wait_for_function(FIND_SLIDER_JS, timeout=60_000 if makes_slider(source) else 3_000)
                await page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)  # every widget drawn
                slider = await page.evaluate(FIND_SLIDER_JS)
            except PlaywrightTimeout:
                slider = None
            found[path] = {"slider": slider, "exceptions": await page.locator(EXCEPTION).count(), "alone": []}
            if slider:
                found[path]["alone"] = await changes_alone(page, slider["key"])
                found[path]["exceptions"] = max(found[path]["exceptions"], await page.locator(EXCEPTION).count())
    finally:
        await context.close()
    return found


async def changes_alone(page, key: str, count: int = BASELINE_CHANGES) -> list[dict]:
    """Latencies of ``count`` slider changes with no other session on the server (the page's own cost)."""
    slider = page.locator(f".st-key-{key} input[type=range]")
    await page.evaluate("() => { window.__cl.samples = []; }")
    for i in range(count):
        await slider.focus(timeout=RERUN_TIMEOUT_MS)
        await page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        await page.wait_for_function("() => window.__cl.pending === null", timeout=RERUN_TIMEOUT_MS, polling=20)
        await page.wait_for_timeout(200)
    return [latency(s) for s in await page.evaluate("() => window.__cl.samples")]


# ------------------------------------------------------------------------------- websocket sessions


async def run_ws_session(url: str, result: SessionResult, seconds: float) -> None:
    """One student on Streamlit's own websocket protocol: open the page, then move its slider one step
    right, then left, every 2 s (or as soon as the last change's run finished, when that took longer)."""
    started = time.monotonic()
    try:
        async with StreamlitSession(url, result.page, timeout_s=LOAD_TIMEOUT_MS / 1000) as session:
            try:
                run = await asyncio.wait_for(session.open_page(), LOAD_TIMEOUT_MS / 1000)
            except TimeoutError:
                result.failure = f"page did not load within {LOAD_TIMEOUT_MS / 1000:.0f} s"
                return
            result.load_s = time.monotonic() - started
            result.exceptions += run.exceptions
            if result.slider not in session.sliders:
                result.failure = f"slider {result.slider!r} not on the page"
                return
            # Students are not synchronised to the millisecond: each starts its 2 s rhythm at a random
            # moment (seeded by the session's number) in the first period.
            end = time.monotonic() + seconds
            tick = time.monotonic() + random.Random(result.index).uniform(0, CHANGE_EVERY_S)
            while tick < end:
                await asyncio.sleep(max(0.0, tick - time.monotonic()))
                result.presses += 1
                try:
                    run = await asyncio.wait_for(session.move_slider(result.slider, 1 if result.presses % 2 else -1),
                                                 RERUN_TIMEOUT_MS / 1000)
                except TimeoutError:
                    result.lost += 1  # the connection now carries that run's late messages: stop here
                    return
                result.exceptions += run.exceptions
                result.latencies.append(run.latency())
                tick = max(tick + CHANGE_EVERY_S, time.monotonic())
    except websockets.ConnectionClosed:
        result.ws_closed += 1
    except OSError as error:  # refused or reset before the session connected
        result.ws_closed_opening += 1
        result.failure = f"{type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001 - one broken session is a finding, not a crash
        result.failure = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


async def probe_pages_ws(url: str, pages: dict[str, Path]) -> dict[str, dict]:
    """The websocket twin of ``probe_pages``: each page's first slider whose step right runs without an
    error box (main area first, then the sidebar), and a few changes of it with no other session."""
    found = {}
    for path in pages:
        async with StreamlitSession(url, path, timeout_s=LOAD_TIMEOUT_MS / 1000) as session:
            run = await session.open_page()
            exceptions, slider = run.exceptions, None
            candidates = sorted(session.sliders.values(), key=lambda s: s.area != "Main")
            for candidate in (c for c in candidates if c.value < c.maximum):
                moved = await session.move_slider(candidate.key, 1)
                await session.move_slider(candidate.key, -1)
                exceptions = max(exceptions, moved.exceptions)
                if not moved.error_alerts:
                    slider = {"key": candidate.key, "area": "st" + candidate.area}
                    break
            alone = []
            if slider:
                for i in range(BASELINE_CHANGES):
                    alone.append((await session.move_slider(slider["key"], 1 if i % 2 == 0 else -1)).latency())
                    await asyncio.sleep(0.2)
        found[path] = {"slider": slider, "exceptions": exceptions, "alone": alone}
    return found


def latency(sample: dict) -> dict:
    """Seconds, from a page's sample (performance.now() milliseconds).

    total: key press → rerun shown as finished; to_running: press → the run's first message (the change
    travels to the server and waits for a turn); running: first → last message of the run (the script,
    its output streamed as it goes); render: last message → finished on screen; paint: two frames more.
    """
    def span(start, end):
        return (sample[end] - sample[start]) / 1000 if sample.get(start) is not None and sample.get(end) is not None \
            else None

    return {"total": span("press", "done"), "to_running": span("press", "started"), "running": span("started", "finished"),
            "render": span("finished", "done"), "paint": span("done", "paint"), "via": sample.get("via")}


# ------------------------------------------------------------------------------------------ figures


def percentile(values: list[float | None], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values that are not None."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def settled_rss(sampler: Sampler, end: float, window: float = 10.0) -> int:
    """Median RSS over the last ``window`` seconds before ``end``."""
    tail = sampler.between(end - window, end)
    return int(statistics.median(s.server_rss for s in tail)) if tail else 0


async def run_round(session, number, assignment, pages, seconds, settle, sampler, marks) -> dict:
    """All sessions at once; ``session(result, seconds)`` runs one (in a browser tab or on a websocket)."""
    results = [SessionResult(i, path, pages[path]["slider"]["key"], number) for i, path in enumerate(assignment)]
    marks[f"round{number}_start"] = time.monotonic() - sampler.t0
    before = sampler.sample()
    await asyncio.gather(*(session(r, seconds) for r in results))
    after = sampler.sample()
    marks[f"round{number}_closed"] = after.t
    print(f"round {number}: sessions closed; settling {settle:.0f} s", flush=True)
    await asyncio.sleep(settle)
    marks[f"round{number}_settled"] = time.monotonic() - sampler.t0
    wall = after.t - before.t
    server, browser_cpu = after.server_cpu - before.server_cpu, after.browser_cpu - before.browser_cpu
    busy = after.machine_busy - before.machine_busy
    during = sampler.between(before.t, after.t)
    runs = sum(len(r.latencies) + r.lost + (r.load_s is not None) for r in results)  # page opens and changes
    return {"sessions": results, "wall_s": wall, "server_cpu_s": server, "browser_cpu_s": browser_cpu,
            "server_runs": runs, "server_cpu_per_run_s": server / runs if runs else None,
            "others_cpu_s": max(0.0, busy - server - browser_cpu), "machine_busy_s": busy,
            "load_average_mean": statistics.mean(x.load_average for x in during) if during else None}


async def wait_for_quiet_machine(limit: float, patience: float) -> tuple[float, float, float]:
    deadline = time.monotonic() + patience
    while (load := load_average())[0] >= limit and time.monotonic() < deadline:
        print(f"load average {load[0]:.2f} ≥ {limit}; waiting", flush=True)
        await asyncio.sleep(10)
    return load_average()


def _latency_figures(latencies: list[dict]) -> dict:
    part = {name: [x[name] for x in latencies] for name in ("total", "to_running", "running", "render")}
    return {"changes": len(part["total"]), "median_s": _median(part["total"]), "p95_s": percentile(part["total"], 95),
            "max_s": max((v for v in part["total"] if v is not None), default=None),
            "to_running_median_s": _median(part["to_running"]), "to_running_p95_s": percentile(part["to_running"], 95),
            "running_median_s": _median(part["running"]), "running_p95_s": percentile(part["running"], 95),
            "render_median_s": _median(part["render"]), "render_p95_s": percentile(part["render"], 95),
            "missed_by_dom": sum(x.get("via") == "message" for x in latencies)}


async def _rounds(session, pages, args, sampler, marks, rounds: list) -> tuple[list[str], Sample]:
    """Assign the sessions to the probed pages and run every round; (the assignment, RSS warm)."""
    warm = sampler.sample()
    slider_pages = [p for p, found in pages.items() if found["slider"]]
    if not slider_pages:
        raise RuntimeError("no registered page shows a slider")
    assignment = assign_pages(slider_pages, args.sessions)
    print(f"pages and sliders: { {p: (f['slider'] or {}).get('key') for p, f in pages.items()} }", flush=True)
    for number in range(1, args.rounds + 1):
        print(f"round {number}: {args.sessions} {args.client} sessions for {args.seconds:.0f} s", flush=True)
        rounds.append(await run_round(session, number, assignment, pages, args.seconds, args.settle, sampler, marks))
    return assignment, warm


async def benchmark(args) -> dict:
    # A SIGTERM (a CI timeout, a kill) cancels the run like Ctrl-C does, so every `finally` below runs
    # and the server and the browser are stopped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    load_before_wait = load_average()
    load = await wait_for_quiet_machine(LOAD_AVERAGE_LIMIT, LOAD_WAIT_S) if args.wait_load else load_before_wait
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    registered = registered_pages()
    proc, url = start_server(RESULTS_DIR / "load-server.log", args.option)
    sampler = Sampler(proc.pid, time.monotonic())
    marks: dict[str, float] = {}
    rounds = []
    try:
        cold = sampler.sample()
        sampler.start()
        if args.client == "websocket":
            chromium_version = None
            pages = await probe_pages_ws(url, registered)
            assignment, warm = await _rounds(lambda r, seconds: run_ws_session(url, r, seconds), pages, args,
                                             sampler, marks, rounds)
        else:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=SYSTEM_CHROMIUM, headless=True,
                                                           args=CHROMIUM_ARGS)
                try:
                    chromium_version = browser.version
                    pages = await probe_pages(browser, url, registered)
                    assignment, warm = await _rounds(lambda r, seconds: run_session(browser, url, r, seconds),
                                                     pages, args, sampler, marks, rounds)
                finally:
                    await browser.close()
    finally:
        await sampler.stop()
        stop_server(proc)

    import streamlit

    sessions = [r for round_ in rounds for r in round_["sessions"]]
    peak = max(sampler.samples, key=lambda s: s.server_rss)
    settled = [settled_rss(sampler, marks[f"round{n}_settled"]) for n in range(1, args.rounds + 1)]
    closed = [settled_rss(sampler, marks[f"round{n}_closed"], 3) for n in range(1, args.rounds + 1)]
    per_page = {}
    for path in dict.fromkeys(assignment):
        mine = [r for r in sessions if r.page == path]
        alone = _latency_figures(pages[path]["alone"])
        per_page[path] = {
            "slider": pages[path]["slider"]["key"], "area": pages[path]["slider"]["area"].removeprefix("st"),
            "sessions": len(mine) // args.rounds, **_latency_figures([x for r in mine for x in r.latencies]),
            "load_median_s": _median([r.load_s for r in mine]), "errors": sum(r.errors for r in mine),
            "alone_median_s": alone["median_s"], "alone_running_median_s": alone["running_median_s"],
        }
    loads = [r.load_s for r in sessions]
    broken = {p: f["exceptions"] for p, f in pages.items() if f["exceptions"]}
    errors = {
        "exception boxes": sum(r.exceptions for r in sessions),
        "disconnects": sum(r.disconnects for r in sessions),
        "websocket closes": sum(r.ws_closed for r in sessions),
        "failed first connections": sum(r.ws_closed_opening for r in sessions),
        "page errors": sum(len(r.page_errors) for r in sessions),
        "lost changes": sum(r.lost for r in sessions),
        "failed sessions": sum(r.failure is not None for r in sessions),
        "pages showing an exception when probed": len(broken),
    }
    growth = (settled[-1] - settled[0]) / settled[0] if args.rounds > 1 and settled[0] else None
    report = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(), "chromium": chromium_version, "streamlit": streamlit.__version__,
        "load_average_before_wait": load_before_wait, "load_average_at_start": load,
        "options": {"client": args.client, "sessions": args.sessions, "seconds": args.seconds, "rounds": args.rounds, "settle": args.settle,
                    "server_options": args.option,
                    "change_every_s": CHANGE_EVERY_S},
        "pages": {p: {"slider": f["slider"], "exceptions": f["exceptions"]} for p, f in pages.items()},
        "broken_pages": broken, "assignment": assignment,
        "presses": sum(r.presses for r in sessions), "late_ticks": sum(r.late_ticks for r in sessions),
        "stalls": sum(r.stalls for r in sessions),
        **_latency_figures([x for r in sessions for x in r.latencies]),
        "load_median_s": _median(loads), "load_p95_s": percentile(loads, 95),
        "load_max_s": max((v for v in loads if v is not None), default=None),
        "errors": errors, "error_total": sum(errors.values()),
        "error_examples": [f"session {r.index} ({r.page}, round {r.round}): {r.failure or r.page_errors}"
                           for r in sessions if r.failure or r.page_errors][:10],
        "rss": {"cold": cold.server_rss, "warm": warm.server_rss, "peak": peak.server_rss, "peak_t": peak.t,
                "closed": closed, "settled": settled, "growth": growth,
                "per_session": (peak.server_rss - warm.server_rss) / args.sessions},
        "rounds": [{k: v for k, v in r.items() if k != "sessions"} for r in rounds],
        "per_page": per_page, "marks": marks,
    }
    report["targets"] = {
        "errors": report["error_total"] == 0,
        "p95": report["p95_s"] is not None and report["p95_s"] <= P95_TARGET_S,
        "peak_rss": peak.server_rss <= PEAK_RSS_TARGET,
        "growth": growth is None or growth <= GROWTH_TOLERANCE,
    }
    raw = {"report": report, "probe": pages, "sessions": [asdict(r) for r in sessions],
           "samples": [asdict(s) for s in sampler.samples]}
    (RESULTS_DIR / "load-results.json").write_text(json.dumps(raw, indent=1))
    return report


# ------------------------------------------------------------------------------------------ output


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


def _mb(size: float) -> str:
    return f"{size / 1e6:.0f} MB"


def _ok(passed: bool) -> str:
    return "✅" if passed else "❌ missed"


def markdown(report: dict) -> str:
    m, o, rss, t = report["machine"], report["options"], report["rss"], report["targets"]
    one, five, fifteen = report["load_average_at_start"]
    rounds = report["rounds"]
    websocket = o.get("client", "browser") == "websocket"
    sessions_are = ("sessions at once on Streamlit's own websocket protocol (what a tab sends and receives, "
                    "nothing drawn)" if websocket else "browser sessions at once (one headless Chromium, a context each)")
    harness = "this script" if websocket else "Chromium, Playwright, this script"
    lines = [
        f"## {SECTION}",
        "",
        f"`bench/load.py`: {o['sessions']} {sessions_are}, "
        f"round-robin over the pages that show a slider, each changing its slider every "
        f"{o['change_every_s']:.0f} s for {o['seconds']:.0f} s; {o['rounds']} round(s), each followed by "
        f"{o['settle']:.0f} s with no session (Streamlit drops a disconnected session after 120 s). "
        "Regenerate with `.venv/bin/python bench/load.py` (`--quick` for a 5-session smoke run, "
        "`--client browser` for Chromium tabs)."
        + (f" Server options: `{' '.join(o['server_options'])}`." if o["server_options"] else ""),
        "",
        f"Measured {report['date']} on {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM; "
        + (f"Chromium {report['chromium']}, " if report.get("chromium") else "")
        + f"Streamlit {report['streamlit']}, Python {m['python']}. "
        f"Load average at start {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min); during the rounds "
        + ", ".join(f"{r['load_average_mean']:.1f}" for r in rounds if r["load_average_mean"] is not None)
        + f" on average. The {'client' if websocket else 'browser'} runs on the same 2 cores as the server.",
        "",
        "| Figure | Result | Target |",
        "|---|---|---|",
        f"| Errors: {', '.join(f'{k} {v}' for k, v in report['errors'].items())} "
        f"| {report['error_total']} | 0 {_ok(t['errors'])} |",
        f"| Slider changes measured | {report['changes']} of {report['presses']} "
        f"{'rerun requests' if websocket else 'key presses'} | |",
        f"| Change → rerun finished, median | {_ms(report['median_s'])} | |",
        f"| Change → rerun finished, 95th percentile | {_ms(report['p95_s'])} | ≤ 1 s {_ok(t['p95'])} |",
        f"| Change → rerun finished, max | {_ms(report['max_s'])} | |",
        ("| … waiting: request → the run's new_session, median / p95 " if websocket else
         "| … waiting: press → the run's first message, median / p95 ")
        + f"| {_ms(report['to_running_median_s'])} / {_ms(report['to_running_p95_s'])} | |",
        ("| … script run on the server: new_session → script_finished, median / p95 " if websocket else
         "| … script run on the server: first → last message, median / p95 ")
        + f"| {_ms(report['running_median_s'])} / {_ms(report['running_p95_s'])} | |",
        *([] if websocket else [
            f"| … rendering: last message → finished on screen, median / p95 | {_ms(report['render_median_s'])} / "
            f"{_ms(report['render_p95_s'])} | |"]),
        f"| Page open → first run finished, median / p95 / max (all sessions arriving at once) "
        f"| {_ms(report['load_median_s'])} / {_ms(report['load_p95_s'])} / {_ms(report['load_max_s'])} | |",
        f"| Server RSS at start: cold / after one visit to every page | {_mb(rss['cold'])} / {_mb(rss['warm'])} | |",
        f"| Server RSS peak | {_mb(rss['peak'])} | ≤ 1.2 GB {_ok(t['peak_rss'])} |",
        f"| Server RSS per session: (peak − warm) / sessions | {_mb(rss['per_session'])} | |",
        f"| Server RSS just after the sessions closed, by round | {' / '.join(_mb(x) for x in rss['closed'])} | |",
        f"| Server RSS settled ({o['settle']:.0f} s later), by round | {' / '.join(_mb(x) for x in rss['settled'])} "
        f"| no growth {_ok(t['growth'])} |",
    ]
    if rss["growth"] is not None:
        lines.append(f"| Growth, last round vs first (settled) | {rss['growth'] * 100:+.1f} % | ≤ "
                     f"{GROWTH_TOLERANCE * 100:.0f} % |")
    lines.append(f"| CPU seconds per round: server / harness ({harness}) / everything else "
                 "on the machine (round's wall time) | "
                 + "; ".join(f"{r['server_cpu_s']:.0f} / {r['browser_cpu_s']:.0f} / {r['others_cpu_s']:.0f} "
                             f"({r['wall_s']:.0f} s)" for r in rounds) + " | |")
    lines.append("| Server CPU per script run (page opens and slider changes), by round | "
                 + " / ".join(_ms(r["server_cpu_per_run_s"]) for r in rounds) + " | |")
    lines += ["", "Per page (all rounds):", "",
              "| Page | Slider | Sessions | Changes | Median | p95 | Max | Waiting (median) "
              "| Script run (median / p95) | Rendering (median) | Open (median) | Alone: change (script run) | Errors |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for path, p in report["per_page"].items():
        lines.append(f"| {path} | `{p['slider']}` ({p['area']}) | {p['sessions']} | {p['changes']} "
                     f"| {_ms(p['median_s'])} | {_ms(p['p95_s'])} | {_ms(p['max_s'])} | {_ms(p['to_running_median_s'])} "
                     f"| {_ms(p['running_median_s'])} / {_ms(p['running_p95_s'])} | {_ms(p['render_median_s'])} "
                     f"| {_ms(p['load_median_s'])} | {_ms(p['alone_median_s'])} ({_ms(p['alone_running_median_s'])}) "
                     f"| {p['errors']} |")
    skipped = [p for p, f in report["pages"].items() if not f["slider"]]
    notes = []
    if skipped:
        notes.append(f"Pages that showed no slider, so not in the load: {', '.join(skipped)}.")
    if report["broken_pages"]:
        notes.append("Pages showing an exception box when probed (see bench/results/load-server.log): "
                     + ", ".join(report["broken_pages"]) + ".")
    if report["stalls"]:
        notes.append(f"{report['stalls']} change(s) were skipped because a tab did not respond to Playwright "
                     "for 30 s (the browser, not the server).")
    server_cpu = sum(r["server_cpu_s"] for r in rounds)
    per_run = [r["server_cpu_per_run_s"] for r in rounds if r.get("server_cpu_per_run_s")]
    if server_cpu and per_run:
        per_run_s = statistics.mean(per_run)
        asked = o["sessions"] / o["change_every_s"]
        harness_share = sum(r["browser_cpu_s"] for r in rounds) / server_cpu
        notes.append(
            (f"Reading: the harness ({harness}) used {harness_share:.1f}× the server's CPU on the same cores"
             + (", so every in-page time includes a starved browser" if not websocket else "")
             + f", and the machine's other work took {sum(r['others_cpu_s'] for r in rounds):.0f} CPU-seconds. ")
            + f"The server's own cost is {_ms(per_run_s)} of CPU per script run: {o['sessions']} sessions "
            f"changing a slider every {o['change_every_s']:.0f} s ask for {asked:.0f} runs a second, "
            f"{asked * per_run_s:.1f} CPU-seconds per second, where one Streamlit process runs its scripts' "
            "Python on about one core (the GIL).")
    if websocket:
        how = ("How it is measured: each session is one websocket speaking Streamlit's protocol as the "
               "frontend does (`bench/streamlit_ws.py`): it asks for its page's run, then sends the slider's "
               "new value in a rerun request, and times the request to the run's `script_finished` message. "
               "Each session's first change comes at a random moment of its first 2 s (students are not "
               "synchronised to the millisecond). Waiting is the request to the run's `new_session` message "
               "(a script thread has started it), the script run is from there to `script_finished`; the browser's drawing is not in these figures (it runs on the "
               "student's own machine; `bench/latency.py` measures it alone). ")
    else:
        how = ("How it is measured, in each page: the key press's `performance.now()` to the moment the rerun "
               "shows as finished — `stApp`'s `data-test-script-state` turning `notRunning` after `running`, or, "
               "when React commits a quick run's messages at once and `running` never reaches the DOM "
               f"({report['missed_by_dom']} of {report['changes']} changes here), two frames after the run's "
               "`script_finished` message. The run's own WebSocket messages split it: waiting (the change "
               "travels to the server and waits for a thread and a core), the script run (first to last "
               "message), rendering. ")
    lines += [""] + [line for note in notes for line in (note, "")] + [
              how + "\"Alone\" is the median of "
              f"{BASELINE_CHANGES} changes per page before the rounds, with no other session. RSS is summed "
              "over the server's process group from /proc; \"settled\" is the median of the last 10 s of each "
              "settle period.", ""]
    return "\n".join(lines)


def write_docs(section: str, path: Path = DOCS) -> None:
    """Replace (or append) only this benchmark's section; every other section stays as it is.

    Within the section, a hand-written ``NOTES_HEADING`` subsection (and what follows it) is kept.
    """
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if match := pattern.search(text):
        old = match.group(0)
        if NOTES_HEADING in old:
            section = section.rstrip("\n") + "\n\n" + old[old.index(NOTES_HEADING):].strip("\n")
        text = (text[:match.start()] + section.rstrip("\n") + "\n\n" + text[match.end():]).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", choices=("websocket", "browser"), default="websocket",
                        help="sessions on Streamlit's websocket protocol (the server's side of a change) or as "
                             "Chromium tabs (drawing included, but the browser shares the server's 2 cores)")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settle", type=float, default=SETTLE_S, help="seconds of sampling after each round")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--quick", action="store_true", help="5 sessions, 15 s, 1 round, 10 s settle")
    parser.add_argument("--no-wait", dest="wait_load", action="store_false",
                        help="start even if the 1-minute load average is ≥ 1.0")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                        help="no run: render the figures of a saved bench/results/load-results.json again")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument("--docs", dest="docs", action="store_true", default=None, help="write docs/benchmarks.md")
    docs.add_argument("--no-docs", dest="docs", action="store_false")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.seconds, args.rounds, args.settle, args.wait_load = 5, 15, 1, 10, False
    if args.docs is None:
        args.docs = not args.quick

    report = json.loads(args.render.read_text())["report"] if args.render else asyncio.run(benchmark(args))
    section = markdown(report)
    print(section)
    if report["error_examples"]:
        print("Errors:\n" + "\n".join(report["error_examples"]))
    if args.docs:
        write_docs(section)
        print(f"Written to {DOCS.relative_to(REPO_ROOT)} under \"{SECTION}\".")
    missed = [name for name, passed in report["targets"].items() if not passed]
    if missed:
        print(f"Targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
