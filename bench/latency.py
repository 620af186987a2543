"""Benchmark: slider latency and cold start of every dashboard page, as multiples of a bare Streamlit app.

A report, not a test: it always exits 0 (130 on Ctrl-C) and prints ``MISSED`` lines for targets not met.

In one run it starts ``bench/floor_app.py`` (one slider, one line of text: the floor every Streamlit
app pays) and ``dashboard.py``, each on a free loopback port, and drives both in headless Chromium:

* cold start: process start → the home page's first element visible, ``--cold`` fresh processes each;
* slider latency, per page and case (defaults, largest settings): focus the page's slider, press
  ArrowRight/ArrowLeft alternately (so every press changes the value), and time from the keydown to
  the app's ``data-test-script-state`` going back to ``notRunning`` after it left it. A
  MutationObserver in the page timestamps every script-state change, so polling speed doesn't matter;
  a press that doesn't change the value or start a run is an error, never a sample. After each timed
  press of a page the floor app's slider is pressed once, so each case's ratio is to a floor measured in
  the same seconds.

Every case is also reported against the floor app started with ``--runner.postScriptGC false``: a default
app's round trip includes a ``gc.collect(2)`` after the script (tens of ms in a process that imports only
streamlit) which the dashboard makes cheap by freezing its imports' objects, so this second floor shows
how far the pages are from Streamlit's round trip without that collection.

Beside the target times it records where the time goes: when the rerun's first and last websocket
messages reached the page, the bytes received, the browser's long main-thread tasks (figures drawing),
when the DOM stopped changing, and — with AppTest in this process, after the browser runs — the page
script's own time, the figures' JSON size and the ``gc.collect(2)`` Streamlit runs after every rerun
(``runner.postScriptGC``; AppTest skips it, the server does not).

A slow case stops early (after 15 s of timed presses, with at least 3): a page at 20×
the floor needs no 20 samples to show it, and a full run stays near 10 minutes on 2 cores.
``--option KEY=VALUE`` starts both servers with a Streamlit option, to try a fix before editing
``.streamlit/config.toml`` (the floor app runs from the repo root, so it reads that file too).

Targets (from the issue): every page at defaults ≤ 1.5× the floor (median), at its largest ≤ 2.5×,
and the dashboard's cold start ≤ 1.5× the floor app's. Results go to ``docs/benchmarks.md`` under
"Slider latency" (full runs; ``--quick`` runs only print unless given ``--write``).

Run from the repo root: ``.venv/bin/python bench/latency.py [--quick] [--pages matrix,transposed]``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `tests` and the app's modules live at the repo root

import numpy as np  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

# The browser tests' harness: free ports, health check, process-group stop, Chromium and its flags.
from tests.browser.conftest import CHROMIUM_ARGS, _chromium_executable, _free_port, _healthy, _stop  # noqa: E402
from tests.browser.helpers import APP_IDLE, EXCEPTION, wait_for_rerun  # noqa: E402

# ---------------------------------------------------------------- what to measure (one line per page)

# path: the page's url_path in dashboard.py. wiggle: the slider key(s) to press, first found wins;
# "*" = the first keyed slider on the page. largest: case name → URL query at the page's largest settings.
PAGES = [
    {"path": "output_size", "wiggle": ["in_h"],
     "largest": {"largest": "in_h=64&in_w=64&k_h=7&k_w=7&s_h=4&s_w=4&p_h=3&p_w=3&d_h=3&d_w=3"}},
    {"path": "matrix", "wiggle": ["p_h"],
     "largest": {"largest 64×64": "in_h=64&in_w=64",
                 "largest 64×64, k 7, 4→4 ch": "in_h=64&in_w=64&k_h=7&k_w=7&c_in=4&c_out=4"}},
    {"path": "transposed", "wiggle": ["s_h"], "largest": {"largest": "in_h=16&in_w=16&k_h=7&k_w=7&s_h=4&s_w=4"}},
    {"path": "channels", "wiggle": ["k_h"],
     "largest": {"largest": "c_in=64&c_out=64&groups=1&k_h=7&k_w=7&in_h=8&in_w=8"}},
    {"path": "checkerboard", "wiggle": ["k"], "largest": {"largest": "n=12&k=7&s=4&d=3&layers=3&factor=4"}},
    {"path": "quiz", "wiggle": ["count"], "largest": {"largest": "count=12&difficulty=hard"}},
    {"path": "images", "wiggle": ["c_out", "k"], "largest": {"largest": "size=512&layer=ConvTranspose2d&c_out=8&s=2"}},
]

FLOOR_APP = "bench/floor_app.py"
DASHBOARD = "dashboard.py"
# The first element of each app's home page: its appearance is "first paint" for the cold start.
FIRST_PAINT = {FLOOR_APP: '[data-testid="stSlider"]', DASHBOARD: '[data-testid="stMain"] h1'}
FLOOR_WIGGLE = "value"
# The same floor app started without Streamlit's gc.collect(2) after every rerun: in a process that
# imports only streamlit that collection takes tens of ms, and the server sends the rerun's messages only
# after it. The dashboard keeps it from costing much (widgets.import_heavy_modules_once freezes its
# imports' objects), so its pages are also reported against this floor, the round trip without it.
NO_GC_OPTION = "runner.postScriptGC=false"

TARGET_DEFAULTS, TARGET_LARGEST, TARGET_COLD = 1.5, 2.5, 1.5
MIN_SAMPLES = 3  # a case over its time budget stops with at least this many timed changes
SLOW_PRESS_S = 5  # a warm-up press slower than this is the only one
SETTLE_QUIET_MS = 250  # the DOM counts as settled after this long without a mutation
CHANGE_TIMEOUT_MS = 60_000
BENCH_DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Slider latency"

# Installed before any page script: timestamps (performance.now) of keydowns, script-state changes,
# websocket messages (with their size and ForwardMsg type), long main-thread tasks and the last DOM mutation.
INSTRUMENT_JS = r"""
(() => {
  const b = window.__bench = {keys: [], states: [], msgs: [], longTasks: [], lastMutation: 0};
  b.reset = () => { b.keys = []; b.states = []; b.msgs = []; b.longTasks = []; b.lastMutation = performance.now(); };
  // Main-thread tasks over 50 ms (JS, style, layout: e.g. plotly drawing a figure), as [start, duration].
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
  }).observe({type: 'longtask'});
  document.addEventListener('keydown', () => b.keys.push(performance.now()), true);
  // The ForwardMsg field a websocket message carries (6 = script_finished, 9 = session_status_changed,
  // 5 = delta, ...): the first top-level protobuf field after hash (1) and metadata (2).
  const msgType = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let i = 0;
    const varint = () => { let v = 0, shift = 0, byte; do { byte = bytes[i++]; v += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < bytes.length); return v; };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (field !== 1 && field !== 2) return field;
      if (wire === 2) { const n = varint(); i += n; } else if (wire === 0) varint(); else return -1;
    }
    return -1;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const d = event.data;
        const m = [performance.now(), d.byteLength ?? d.size ?? d.length ?? 0, d instanceof ArrayBuffer ? msgType(d) : -1];
        b.msgs.push(m);
        requestAnimationFrame(() => { m[3] = performance.now(); });  // the next frame after it
      });
    }
  };
  const observe = () => {
    new MutationObserver((records) => {
      const now = performance.now();
      for (const r of records) {
        if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
          b.states.push([now, r.target.getAttribute('data-test-script-state')]);
        }
      }
      b.lastMutation = now;
    }).observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
  };
  if (document.documentElement) observe(); else document.addEventListener('DOMContentLoaded', observe);
  // The rerun started by the last keydown, once it has finished: {k, start, end, seen, msgs} or null.
  // end is when data-test-script-state went back to notRunning. A run so short that React never
  // rendered "running" leaves no attribute change: then end is the first animation frame after the
  // run's last websocket message (its script_finished and final status), and seen is false.
  b.run = () => {
    const k = b.keys[b.keys.length - 1];
    if (k === undefined) return null;
    const msgs = b.msgs.filter((m) => m[0] >= k);
    let start = null;
    for (const [t, s] of b.states) {
      if (t < k) continue;
      if (start === null && s !== 'notRunning') start = t;
      else if (start !== null && s === 'notRunning') {
        return {k, start, end: t, seen: true, msgs: msgs.filter((m) => m[0] <= t)};
      }
    }
    const finished = msgs.findIndex((m) => m[2] === 6);  // ForwardMsg.script_finished
    const app = document.querySelector('[data-testid="stApp"]');
    if (start !== null || finished < 0 || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
    const last = msgs[msgs.length - 1];
    if (performance.now() - last[0] < 100 || last[3] === undefined) return null;  // more messages may follow
    return {k, start: msgs[0][0], end: last[3], seen: false, msgs};
  };
})();
"""

# ---------------------------------------------------------------- servers


@dataclass
class Server:
    script: str
    proc: subprocess.Popen
    url: str
    started: float  # time.perf_counter() just before Popen


def option_args(options) -> list[str]:
    """``["a.b=1"]`` → ``["--a.b", "1"]``: Streamlit options as command-line arguments."""
    return [arg for option in options for arg in ("--" + option.split("=", 1)[0], option.split("=", 1)[1])]


class Servers:
    """Every Streamlit process this run starts; :meth:`stop_all` ends their process groups."""

    def __init__(self, log_dir: Path, options: list[str] = ()):
        self.log_dir, self.running, self.count = log_dir, [], 0
        self.options = option_args(options)

    def start(self, script: str, timeout: float = 90, options: list[str] = ()) -> Server:
        """Start ``script`` with this run's options and ``options`` (``KEY=VALUE``) on a free port."""
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        self.count += 1
        log_path = self.log_dir / f"{self.count:02d}-{Path(script).stem}.log"
        command = [
            sys.executable, "-m", "streamlit", "run", script,
            "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *self.options,
            *option_args(options),
        ]
        with log_path.open("w") as log:
            started = time.perf_counter()
            proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        server = Server(script, proc, url, started)
        self.running.append(server)
        deadline = started + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.perf_counter() > deadline:
                self.stop(server)
                raise RuntimeError(f"{script} did not become healthy; log: {log_path}\n"
                                   + "\n".join(log_path.read_text(errors="replace").splitlines()[-20:]))
            time.sleep(0.02)
        return server

    def stop(self, server: Server) -> None:
        _stop(server.proc)
        if server in self.running:
            self.running.remove(server)

    def stop_all(self) -> None:
        for server in list(self.running):
            self.stop(server)


# ---------------------------------------------------------------- measurements


@dataclass
class Case:
    page: str  # url_path, or "floor"
    name: str  # "defaults", "largest", ...
    query: str
    wiggle: list[str]
    target: float | None
    key: str = ""  # the slider actually pressed
    latency: list[float] = field(default_factory=list)  # keydown → notRunning, ms
    first_msg: list[float] = field(default_factory=list)  # keydown → first websocket message, ms
    last_msg: list[float] = field(default_factory=list)  # keydown → last websocket message before notRunning
    settle: list[float] = field(default_factory=list)  # keydown → last DOM mutation
    kbytes: list[float] = field(default_factory=list)  # websocket KB received per rerun
    busy: list[float] = field(default_factory=list)  # browser main thread in tasks > 50 ms, keydown → settled
    state_seen: int = 0  # runs whose "running" state was rendered (else timed by the frame after the last message)
    note: str = ""
    profile: dict = field(default_factory=dict)
    # Floor presses made between this case's timed presses, by floor case name: the floor of the same seconds.
    paired: dict[str, list[float]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.page} · {self.name}"


def paired_floor_ms(case: Case, floor: Case) -> float:
    """The median of ``floor``'s presses made between the case's own: the case's floor."""
    return median(case.paired.get(floor.name, []))


def paired_ratio(case: Case, floor: Case) -> float:
    """median(case's presses) / its floor (:func:`paired_floor_ms`): the ratio the targets judge."""
    return median(case.latency) / paired_floor_ms(case, floor)


def percentile(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def median(values):
    return statistics.median(values) if values else float("nan")


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(INSTRUMENT_JS)
    return context, context.new_page()


def wait_settled(page, timeout=30_000) -> bool:
    """Wait until the DOM has not changed for SETTLE_QUIET_MS; False if it still changes after ``timeout`` ms."""
    try:
        page.wait_for_function(f"() => performance.now() - window.__bench.lastMutation > {SETTLE_QUIET_MS}",
                               timeout=timeout, polling=50)
        return True
    except PlaywrightTimeout:
        return False


def slider_input(page, keys, timeout=15_000):
    """(key, locator) of the first slider among ``keys`` on the page ("*": any keyed slider)."""
    selector = '.st-key-{} [data-testid="stSlider"] input[type="range"], .st-key-{} [data-testid="stSlider"] [role="slider"]'
    wanted = ", ".join(selector.format(k, k) for k in keys if k != "*")
    if "*" in keys:
        wanted = ", ".join(filter(None, [wanted, '[class*="st-key-"] [data-testid="stSlider"]']))
    with contextlib.suppress(PlaywrightTimeout):  # give the page a moment to draw its sliders
        page.locator(wanted).first.wait_for(state="attached", timeout=timeout)
    for key in keys:
        if key == "*":
            key = page.evaluate("""() => {
                for (const s of document.querySelectorAll('[data-testid="stSlider"]')) {
                    const box = s.closest('[class*="st-key-"]');
                    const m = box && box.className.match(/st-key-(\\S+)/);
                    if (m) return m[1];
                }
                return null; }""")
            if not key:
                continue
        locator = page.locator(selector.format(key, key))
        if locator.count():
            return key, locator.first
    return None, None


VALUE_JS = "(el.getAttribute('aria-valuenow') ?? el.value)"  # a slider's value, input or ARIA widget


def slider_value(locator) -> float:
    return float(locator.evaluate(f"(el) => {VALUE_JS}"))


class SliderDriver:
    """One page in its own browser context, and the slider on it that :meth:`press` changes."""

    def __init__(self, browser, base_url: str, case: Case):
        self.case, self.slider = case, None
        self.context, self.page = new_page(browser)
        self.presses = 0
        page = self.page
        # The first visit to a page in a server process imports what it needs (torch: seconds): wait long.
        page.goto(f"{base_url}/{case.page if case.page != 'floor' else ''}" + (f"?{case.query}" if case.query else ""))
        wait_for_rerun(page, timeout=180_000)
        wait_settled(page)
        if page.get_by_text("Page not found").count():
            case.note = "skipped: Streamlit says 'Page not found' at this path"
            return
        if page.locator(EXCEPTION).count():
            case.note = "note: the page shows an exception box at these settings; "
        key, slider = slider_input(page, case.wiggle)
        if slider is None:
            text = " ".join(page.locator('[data-testid="stMain"]').inner_text().split())[:200]
            case.note += f"skipped: no slider with key {' or '.join(case.wiggle)} on the page (it shows: {text!r})"
            return
        low = float(slider.get_attribute("min") or slider.get_attribute("aria-valuemin"))
        high = float(slider.get_attribute("max") or slider.get_attribute("aria-valuemax"))
        if low == high:
            case.note += f"skipped: slider {key} has a single value"
            return
        case.key, self.slider = key, slider
        # Move away from the end it sits at, then alternate: every press changes the value.
        self.keys = ("ArrowLeft", "ArrowRight") if slider_value(slider) >= high else ("ArrowRight", "ArrowLeft")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # after a Ctrl-C the browser may be gone already
            self.context.close()

    def press(self, record: bool) -> None:
        """Change the slider by one step, wait for the rerun and the DOM to settle; ``record`` the times."""
        case, page, slider = self.case, self.page, self.slider
        # One round trip each side of the keypress: Playwright calls are slow on a busy machine.
        before = slider.evaluate(f"(el) => {{ el.focus(); window.__bench.reset(); return {VALUE_JS}; }}")
        page.keyboard.press(self.keys[self.presses % 2])
        self.presses += 1
        page.wait_for_function("() => window.__bench.run() !== null", timeout=CHANGE_TIMEOUT_MS, polling=10)
        if not wait_settled(page) and "still changing" not in case.note:
            case.note += "note: the DOM was still changing 30 s after a run finished; "
        data = slider.evaluate(f"""(el) => ({{...window.__bench.run(), lastMutation: window.__bench.lastMutation,
            longTasks: window.__bench.longTasks, value: {VALUE_JS},
            exceptions: document.querySelectorAll('{EXCEPTION}').length}})""")
        if data["value"] == before:
            raise RuntimeError(f"{case.label}: pressing a key left {case.key} at {before}: not a change")
        if not data["msgs"]:
            raise RuntimeError(f"{case.label}: a run was seen but no websocket message arrived")
        if data["exceptions"] and "exception" not in case.note:
            case.note += "note: an exception box appeared while wiggling; "
        if not record:
            return
        k = data["k"]
        case.latency.append(data["end"] - k)
        case.first_msg.append(data["msgs"][0][0] - k)
        case.last_msg.append(data["msgs"][-1][0] - k)
        case.settle.append(max(data["lastMutation"], data["end"]) - k)
        case.kbytes.append(sum(m[1] for m in data["msgs"]) / 1024)
        case.state_seen += bool(data["seen"])
        case.busy.append(sum(d for t, d in data["longTasks"] if t >= k))

    def series(self, warmup: int, repeats: int, budget: float = float("inf"), floors=()) -> None:
        """``warmup`` untimed presses, then up to ``repeats`` timed ones.

        One press each way fills the page's caches for both values, so a slow page (a press over
        SLOW_PRESS_S) gets one warm-up only. Timed presses stop early once they have taken ``budget``
        seconds (their own, not the floors') and there are MIN_SAMPLES of them: a page at 20× the floor needs no 20 samples to show
        it, and the run stays short. After each timed press every driver in ``floors`` makes one timed
        press too, recorded in its own case and in this case's ``paired``: page and floor take turns,
        so a change in the machine's load during the case weighs on both alike.
        """
        if self.slider is None:
            return
        for _ in range(warmup):
            started = time.perf_counter()
            self.press(record=False)
            if time.perf_counter() - started > SLOW_PRESS_S:
                break
        spent, timed = 0.0, 0
        while timed < repeats:
            if timed >= MIN_SAMPLES and spent > budget:
                self.case.note += f"note: stopped after {timed} timed changes ({budget:.0f} s budget); "
                break
            started = time.perf_counter()
            self.press(record=True)
            spent += time.perf_counter() - started
            timed += 1
            for floor in floors:
                floor.press(record=True)
                self.case.paired.setdefault(floor.case.name, []).append(floor.case.latency[-1])


def measure_case(browser, base_url: str, case: Case, warmup: int, repeats: int, budget: float = float("inf"),
                 floors=()) -> None:
    """Open the case's page and time its slider: ``warmup`` untimed presses, then up to ``repeats`` timed,
    each followed by one timed press of every driver in ``floors``."""
    driver = SliderDriver(browser, base_url, case)
    try:
        driver.series(warmup, repeats, budget, floors)
    finally:
        driver.close()


def cold_start(browser, servers: Servers, script: str) -> dict:
    """Start a fresh ``script`` server and time process start → health → first paint → script finished."""
    server = servers.start(script)
    healthy = time.perf_counter()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(server.url, wait_until="commit")
        page.wait_for_selector(FIRST_PAINT[script], state="visible", timeout=90_000)
        painted = time.perf_counter()
        page.wait_for_selector(APP_IDLE, timeout=90_000)
        idle = time.perf_counter()
    finally:
        servers.stop(server)
        with contextlib.suppress(Exception):
            context.close()
    return {"health": (healthy - server.started) * 1000, "paint": (painted - server.started) * 1000,
            "idle": (idle - server.started) * 1000}


# ---------------------------------------------------------------- AppTest profile: the script alone


def profile_case(case: Case, repeats: int = 3) -> dict:
    """Script time of the page at the case's settings (in this process, no browser) and its figures' JSON."""
    from urllib.parse import parse_qsl

    from tests.app_helpers import open_page as app_open

    query = dict(parse_qsl(case.query))
    app_open(case.page, query)  # imports and caches warm, like the server after its warm-up presses
    at = app_open(case.page, query)
    if at.exception:
        return {"error": at.exception[0].value[:200]}
    warm = []
    for _ in range(repeats):
        t = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - t) * 1000)
    # The server follows every run with gc.collect(2) (Streamlit's runner.postScriptGC, on by default);
    # AppTest's runner skips it. Its cost grows with every object alive in the process (torch, caches).
    collect = []
    for _ in range(repeats):
        t = time.perf_counter()
        gc.collect(2)
        collect.append((time.perf_counter() - t) * 1000)
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    result = {"script_ms": median(warm), "gc_ms": median(collect), "gc_objects": len(gc.get_objects()), "figures": len(specs), "figure_kb": sum(len(s) for s in specs) / 1024,
              "largest_figure_kb": max((len(s) for s in specs), default=0) / 1024}
    sliders = [s for s in at.slider if s.key == case.key]
    if sliders:  # a value this process has not computed yet: the cache misses, as a new slider value would
        slider = sliders[0]
        new = slider.value - 1 if slider.value >= slider.max else slider.value + 1
        t = time.perf_counter()
        slider.set_value(new).run()
        result["script_new_value_ms"] = (time.perf_counter() - t) * 1000
    return result


FLOOR_PROFILE = """
import gc, json, statistics, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("bench/floor_app.py").run()
runs, collect = [], []
for _ in range(5):
    t = time.perf_counter(); at.run(); runs.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter(); gc.collect(2); collect.append((time.perf_counter() - t) * 1000)
print(json.dumps({"script_ms": statistics.median(runs), "gc_ms": statistics.median(collect),
                  "gc_objects": len(gc.get_objects()), "figures": 0, "figure_kb": 0.0}))
"""


def profile_floor() -> dict:
    """The floor app's script and post-run GC time, in a fresh process: it imports only streamlit."""
    done = subprocess.run([sys.executable, "-c", FLOOR_PROFILE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {"error": done.stderr[-200:]}


# ---------------------------------------------------------------- report


def registered_paths() -> set[str]:
    return set(re.findall(r'url_path="([^"]+)"', (ROOT / DASHBOARD).read_text()))


def build_cases(selected: set[str] | None) -> tuple[list[Case], list[str]]:
    cases, skipped, registered = [], [], registered_paths()
    for spec in PAGES:
        path = spec["path"]
        if selected is not None and path not in selected:
            continue
        if path not in registered:
            skipped.append(f"{path}: not in dashboard.py's navigation yet (no url_path=\"{path}\"), skipped")
            continue
        cases.append(Case(path, "defaults", "", spec["wiggle"], TARGET_DEFAULTS))
        for name, query in spec["largest"].items():
            cases.append(Case(path, name, query, spec["wiggle"], TARGET_LARGEST))
        if not spec["largest"]:
            skipped.append(f"{path}: no 'largest' query in bench/latency.py PAGES yet, only defaults measured")
    if selected:
        for path in selected - {spec["path"] for spec in PAGES}:
            skipped.append(f"{path}: not in bench/latency.py PAGES")
    return cases, skipped


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        commit += " (with uncommitted changes)" if dirty.strip() else ""
    except OSError:
        commit = "?"
    import streamlit

    return {"cpus": os.cpu_count(), "cpu": cpu.group(1).strip() if cpu else platform.processor(),
            "memory": f"{total_kb / 1024 / 1024:.1f} GiB", "streamlit": streamlit.__version__,
            "python": platform.python_version(), "commit": commit,
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def fmt(x, digits=0):
    return "—" if x is None or x != x else f"{x:,.{digits}f}"


def report(floor: Case, no_gc_floor: Case, cases: list[Case], cold: dict, skipped: list[str], info: dict,
           args) -> tuple[str, list[str]]:
    """The Markdown section and the MISSED lines. Targets are judged against ``floor`` (the issue's floor,
    a default Streamlit app); the ratio to ``no_gc_floor`` is reported beside it."""
    floor_ms, no_gc_ms = median(floor.latency), median(no_gc_floor.latency)
    rows, missed = [], []
    header = ("| page | case | median ms | p95 ms | its floor ms | ratio to floor | target | met "
              "| its floor without post-run GC ms | ratio to that floor |\n"
              "|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
    rows.append(f"| floor app | one slider, one text (all cases) | {fmt(floor_ms)} | {fmt(percentile(floor.latency, 95))} "
                f"| — | 1.00× | — | — | — | {floor_ms / no_gc_ms:.2f}× |")
    rows.append(f"| floor app | the same, no post-run GC (all cases) | {fmt(no_gc_ms)} "
                f"| {fmt(percentile(no_gc_floor.latency, 95))} | — | {no_gc_ms / floor_ms:.2f}× | — | — | — | 1.00× |")
    for case in cases:
        if not case.latency:
            rows.append(f"| {case.page} | {case.name} | — | — | — | — | ≤ {case.target}× | {case.note or 'no data'} "
                        f"| — | — |")
            continue
        ratio = paired_ratio(case, floor)
        met = ratio <= case.target
        if not met:
            missed.append(f"MISSED: {case.label} (slider {case.key}): median {median(case.latency):.0f} ms = "
                          f"{ratio:.2f}× its floor, target ≤ {case.target}×")
        rows.append(f"| {case.page} | {case.name} | {fmt(median(case.latency))} | {fmt(percentile(case.latency, 95))} "
                    f"| {fmt(paired_floor_ms(case, floor))} | {ratio:.2f}× | ≤ {case.target}× "
                    f"| {'yes' if met else '**no**'} | {fmt(paired_floor_ms(case, no_gc_floor))} "
                    f"| {paired_ratio(case, no_gc_floor):.2f}× |")
    if cold:
        floor_cold, dash_cold = median(cold[FLOOR_APP]["paint"]), median(cold[DASHBOARD]["paint"])
        ratio = dash_cold / floor_cold
        met = ratio <= TARGET_COLD
        if not met:
            missed.append(f"MISSED: dashboard cold start {dash_cold:.0f} ms = {ratio:.2f}× the floor app's "
                          f"{floor_cold:.0f} ms, target ≤ {TARGET_COLD}×")
        rows.append(f"| floor app | cold start | {fmt(floor_cold)} | {fmt(max(cold[FLOOR_APP]['paint']))} (max) "
                    f"| — | 1.00× | — | — | — | — |")
        rows.append(f"| dashboard home | cold start | {fmt(dash_cold)} | {fmt(max(cold[DASHBOARD]['paint']))} (max) "
                    f"| — | {ratio:.2f}× | ≤ {TARGET_COLD}× | {'yes' if met else '**no**'} | — | — |")

    breakdown = ["| page | case | slider | n | first message ms | last message ms | script finished ms | \"running\" seen "
                 "| DOM settled ms | browser long tasks ms | KB received | script (AppTest) ms | new value (AppTest) ms "
                 "| post-run GC ms | figures | figure JSON KB |",
                 "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for case in [floor, no_gc_floor, *cases]:
        if not case.latency:
            continue
        p = case.profile
        breakdown.append(
            f"| {case.page} | {case.name} | {case.key} | {len(case.latency)} | {fmt(median(case.first_msg))} | {fmt(median(case.last_msg))} "
            f"| {fmt(median(case.latency))} | {case.state_seen}/{len(case.latency)} | {fmt(median(case.settle))} "
            f"| {fmt(median(case.busy))} | {fmt(median(case.kbytes), 1)} "
            f"| {fmt(p.get('script_ms'))} | {fmt(p.get('script_new_value_ms'))} | {fmt(p.get('gc_ms'))} "
            f"| {p.get('figures', '—')} "
            f"| {fmt(p.get('figure_kb'), 1)} |")

    cold_lines = []
    if cold:
        cold_lines = ["| app | process → healthy ms | process → first paint ms | process → script finished ms |",
                      "|---|---:|---:|---:|"]
        for script, label in ((FLOOR_APP, "floor app"), (DASHBOARD, "dashboard home")):
            c = cold[script]
            cold_lines.append(f"| {label} | {fmt(median(c['health']))} | {fmt(median(c['paint']))} "
                              f"| {fmt(median(c['idle']))} |")

    notes = [f"- {c.label}: {c.note.strip().rstrip(';')}" for c in cases if c.note] + [f"- {s}" for s in skipped]
    mode = "quick" if args.quick else "full"
    text = "\n".join([
        SECTION, "",
        "Measured by `bench/latency.py` (`.venv/bin/python bench/latency.py`; `--quick` to iterate, "
        "`--pages matrix,transposed` to select). A slider change is a keypress (ArrowRight/ArrowLeft "
        "alternately, so the value always changes) on the focused slider, timed in the page from the keydown "
        "to the app's script state returning to `notRunning`. The floor is `bench/floor_app.py` (one slider, "
        "one text) in the same browser: after each timed change of a page the floor app's slider changes once, "
        "so every case has a floor measured in the same seconds (*its floor*) and load on the machine weighs on "
        "both alike; the targets are ratios to that floor's median. A default Streamlit app runs `gc.collect(2)` after every rerun "
        "(`runner.postScriptGC`) and sends the rerun's messages only after it; the dashboard makes that "
        "collection cheap by freezing its imported libraries' objects (`gc.freeze`), the floor app does not. "
        "So the last two columns compare each page with the same floor app started with "
        f"`--{NO_GC_OPTION.replace('=', ' ')}`, Streamlit's round trip without that collection, sampled the same way. "
        f"A case whose timed changes pass {args.budget} s stops early (at least "
        f"{MIN_SAMPLES}), so its p95 "
        "is close to its maximum. Cold start is process start → the home page's first element visible in a "
        "fresh browser context. The script exits 0 whatever the result; misses are printed as `MISSED`.",
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} RAM, load average (1, 5, 15 min) "
        f"{info['load']} at the start and {info.get('load_end', '?')} at the end; Chromium {info['chromium']} (headless), Streamlit {info['streamlit']}, "
        f"Python {info['python']}; commit {info['commit']}; {info['date']}. Mode: {mode} "
        f"({args.repeats} timed changes after {args.warmup} warm-up changes per case, "
        f"{args.cold} cold starts per app)" + (f"; servers started with {', '.join(args.option)}" if args.option else "")
        + ".",
        "",
        header, *rows, "",
        "Where the time goes (medians, ms from the keydown unless noted). *First/last message*: the rerun's "
        "first and last websocket message reaching the page (the server's reply; late when the browser is "
        "busy). *\"running\" seen*: runs whose `running` state React rendered; the others are timed to the "
        "frame after their last message. *DOM settled*: the last DOM change (figures still drawing after the "
        "script finished). *Browser long tasks*: main-thread time in tasks over 50 ms (JS, layout, plotly). "
        "*KB received*: websocket bytes (Streamlit sends a figure it already sent as a reference). AppTest "
        "columns: the page script alone in one Python process with warm caches, and for a slider value not "
        "computed before; *post-run GC*: one `gc.collect(2)` in that process, which the server runs after every "
        "rerun (`runner.postScriptGC`) and AppTest does not.",
        "",
        *breakdown, "",
        *(["Cold start (medians):", "", *cold_lines, ""] if cold else []),
        *(["Notes:", "", *notes, ""] if notes else []),
    ])
    return text, missed


def write_doc(section: str, heading: str = SECTION) -> None:
    """Replace the section under ``heading`` in docs/benchmarks.md (or add it), keeping everyone else's."""
    BENCH_DOC.parent.mkdir(exist_ok=True)
    old = BENCH_DOC.read_text() if BENCH_DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: section.rstrip() + "\n\n", old, count=1)
    else:
        new = old.rstrip() + "\n\n" + section.rstrip() + "\n"
    BENCH_DOC.write_text(new.rstrip() + "\n")


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, for iterating")
    parser.add_argument("--pages", help="comma-separated url_paths to measure (default: every page in PAGES)")
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=None,
                        help="write docs/benchmarks.md (default: yes for full runs, no for --quick)")
    parser.add_argument("--no-cold", dest="cold_start", action="store_false", help="skip the cold-start runs")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the AppTest profile")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a Streamlit config option for both servers, to try a fix without editing "
                             "config.toml (e.g. runner.postScriptGC=false); repeatable")
    args = parser.parse_args()
    args.repeats, args.warmup, args.cold, args.budget = (6, 1, 1, 12) if args.quick else (20, 2, 3, 15)
    write = (not args.quick) if args.write is None else args.write
    selected = {p.strip().replace("-", "_") for p in args.pages.split(",")} if args.pages else None

    cases, skipped = build_cases(selected)
    floor = Case("floor", "one slider, one text", "", [FLOOR_WIGGLE], None)
    no_gc_floor = Case("floor", "the same, no post-run GC", "", [FLOOR_WIGGLE], None)
    info = machine()
    log_dir = Path(tempfile.mkdtemp(prefix="convlab-latency-"))
    print(f"Server logs: {log_dir}", flush=True)
    servers = Servers(log_dir, args.option)
    cold: dict = {}
    began = time.perf_counter()

    stopping = []

    def on_signal(signum, frame):
        # The first Ctrl-C or SIGTERM unwinds (every `finally` stops what it started); a second one,
        # should the unwinding hang in the browser, stops the servers at once and exits.
        if stopping:
            servers.stop_all()
            os._exit(130)
        stopping.append(signum)
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium_executable(playwright), headless=True,
                                                 args=CHROMIUM_ARGS)
            info["chromium"] = browser.version
            try:
                if args.cold_start:
                    cold = {FLOOR_APP: {"health": [], "paint": [], "idle": []},
                            DASHBOARD: {"health": [], "paint": [], "idle": []}}
                    for i in range(args.cold):
                        for script in (FLOOR_APP, DASHBOARD):  # interleaved, so drift hits both alike
                            result = cold_start(browser, servers, script)
                            for name, value in result.items():
                                cold[script][name].append(value)
                            print(f"cold start {i + 1}/{args.cold} {script}: first paint {result['paint']:.0f} ms",
                                  flush=True)
                print(f"[{time.perf_counter() - began:.0f} s] slider latency", flush=True)
                floor_server = servers.start(FLOOR_APP)
                no_gc_server = servers.start(FLOOR_APP, options=[NO_GC_OPTION])
                dashboard = servers.start(DASHBOARD)
                # Every timed page press is followed by one press of each floor app (measure_case), so each
                # case has a floor measured in the same seconds; the floor rows pool all of them.
                floor_drivers = [SliderDriver(browser, floor_server.url, floor),
                                 SliderDriver(browser, no_gc_server.url, no_gc_floor)]
                try:
                    for driver in floor_drivers:
                        driver.series(args.warmup, 0)
                    for case in cases:
                        measure_case(browser, dashboard.url, case, args.warmup, args.repeats, args.budget,
                                     floor_drivers)
                        print(f"[{time.perf_counter() - began:.0f} s] {case.label}: median "
                              f"{median(case.latency):.0f} ms (n={len(case.latency)}), "
                              f"{paired_ratio(case, floor):.2f}× its floor {paired_floor_ms(case, floor):.0f} ms "
                              f"{case.note}", flush=True)
                    print(f"floor: median {median(floor.latency):.0f} ms (n={len(floor.latency)}), "
                          f"without post-run GC {median(no_gc_floor.latency):.0f} ms", flush=True)
                finally:
                    for driver in floor_drivers:
                        driver.close()
            finally:
                servers.stop_all()
                with contextlib.suppress(Exception):  # after a Ctrl-C the browser may be gone already
                    browser.close()
        if args.profile:
            print(f"[{time.perf_counter() - began:.0f} s] AppTest profile", flush=True)
            floor.profile = profile_floor()
            print(f"profile floor: {json.dumps(floor.profile)}", flush=True)
            for case in cases:
                if case.latency:
                    try:
                        case.profile = profile_case(case)
                    except Exception as error:  # a profile is extra information; never lose the report for it
                        case.profile = {"error": repr(error)[:200]}
                    print(f"profile {case.label}: {json.dumps(case.profile)}", flush=True)
        info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        text, missed = report(floor, no_gc_floor, cases, cold, skipped, info, args)
        print()
        print(text)
        for line in missed:
            print(line)
        if not missed:
            print("All targets met.")
        if write:
            write_doc(text)
            print(f"Wrote the '{SECTION[3:]}' section of {BENCH_DOC.relative_to(ROOT)}")
        print(f"Total {time.perf_counter() - began:.0f} s")
        return 0
    except Exception:
        if not stopping:
            raise
        # Interrupted: the browser, killed by the same Ctrl-C, may have raised first.
        servers.stop_all()
        print("Interrupted: every server this run started has been stopped.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        servers.stop_all()
        print("Interrupted: every server this run started has been stopped.", file=sys.stderr)
        return 130
    finally:
        servers.stop_all()


if __name__ == "__main__":
    sys.exit(main())
