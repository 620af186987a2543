"""A minimal Streamlit client: one browser tab's conversation with the server, without the browser.

Speaks Streamlit's own websocket protocol (``/_stcore/stream``, protobuf ``BackMsg`` up,
``ForwardMsg`` down), the way the frontend does: it asks for a page's run, reads the run's
messages until ``script_finished``, remembers the page's sliders, and asks for a rerun with a
slider's new value. Nothing is rendered, so what it times is the server's side of a change: the
request reaching the server, waiting for a thread and the GIL, the script run, and its output
arriving. The browser's drawing is timed by ``bench/latency.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# ForwardMsg.script_finished values that end a run normally: finished, compile error, fragment run.
_RUN_ENDED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
              ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
MAIN, SIDEBAR = 0, 1  # a delta_path's first index: the root container it draws into


@dataclass
class Slider:
    """A slider as the server described it: its widget id, user key, range and current value."""

    id: str
    key: str
    area: str  # "Main" or "Sidebar"
    minimum: float
    maximum: float
    step: float
    value: float
    set_by_script: bool = False


@dataclass
class Run:
    """One script run as this client saw it (seconds on ``time.perf_counter``)."""

    sent: float
    started: float | None = None  # new_session: a script thread has begun the run
    finished: float | None = None
    status: int | None = None
    exceptions: int = 0  # st.exception boxes (uncaught errors) drawn by the run
    error_alerts: int = 0  # st.error boxes (the page's own clear messages, not failures)
    messages: int = 0
    bytes: int = 0
    sliders: list[Slider] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)  # st.metric label → value, as drawn

    def latency(self) -> dict:
        """Seconds: total (request → script_finished), to_running (→ new_session), running (new_session → end)."""
        def span(start, end):
            return end - start if start is not None and end is not None else None
        return {"total": span(self.sent, self.finished), "to_running": span(self.sent, self.started),
                "running": span(self.started, self.finished), "render": None, "paint": None,
                "via": "websocket"}


def _slider_value(proto) -> float:
    values = list(proto.value) if proto.set_value else list(proto.default)
    return float(values[0]) if values else float(proto.min)


class StreamlitSession:
    """One session on a Streamlit server, opened with ``async with StreamlitSession(url, page)``."""

    def __init__(self, url: str, page: str, timeout_s: float = 30.0):
        self.ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.origin, self.page, self.timeout_s = url, page, timeout_s
        self.query_string = ""
        self.page_script_hash = ""
        self.sliders: dict[str, Slider] = {}  # by user key, from the last run
        self._ws = None

    async def __aenter__(self) -> StreamlitSession:
        self._ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], origin=self.origin,
                                            max_size=None, open_timeout=self.timeout_s)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def open_page(self) -> Run:
        """The first run of the page, as when a tab opens its URL."""
        return await self._run({})

    async def move_slider(self, key: str, delta_steps: int) -> Run:
        """Rerun with slider ``key`` moved by ``delta_steps`` steps (clamped to its range)."""
        slider = self.sliders[key]
        value = min(slider.maximum, max(slider.minimum, slider.value + delta_steps * slider.step))
        return await self._run({slider.id: value})

    async def _run(self, slider_values: dict[str, float]) -> Run:
        message = BackMsg()
        request = message.rerun_script
        request.query_string = self.query_string
        request.page_name = "" if self.page_script_hash else self.page
        request.page_script_hash = self.page_script_hash
        for widget_id, value in slider_values.items():
            state = request.widget_states.widgets.add()
            state.id = widget_id
            state.double_array_value.data.append(value)
        run = Run(sent=time.perf_counter())
        await self._ws.send(message.SerializeToString())
        while run.finished is None:
            self._read(await self._ws.recv(), run)
        for slider in run.sliders:  # the server reports a widget's default unless the script set its value
            if slider.id in slider_values and not slider.set_by_script:
                slider.value = slider_values[slider.id]
        self.sliders = {s.key: s for s in run.sliders} or self.sliders
        return run

    def _read(self, data: bytes, run: Run) -> None:
        now = time.perf_counter()
        run.messages += 1
        run.bytes += len(data)
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "new_session" and run.started is None:
            run.started = now
        elif kind == "navigation":  # with st.navigation, the page that ran (new_session names the entry script)
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                run.exceptions += 1
            elif which == "alert" and element.alert.format == element.alert.ERROR:
                run.error_alerts += 1
            elif which == "metric":
                run.metrics[element.metric.label] = element.metric.body
            elif which == "slider":
                run.sliders.append(self._slider(element.slider, message.metadata.delta_path))
        elif kind == "script_finished" and message.script_finished in _RUN_ENDED:
            run.finished, run.status = now, message.script_finished

    @staticmethod
    def _slider(proto, delta_path) -> Slider:
        area = "Sidebar" if delta_path and delta_path[0] == SIDEBAR else "Main"
        # A keyed widget's id is "$$ID-<hex hash>-<user key>".
        key = proto.id.split("-", 2)[2] if proto.id.startswith("$$ID-") else proto.id
        return Slider(id=proto.id, key=key, area=area, minimum=float(proto.min), maximum=float(proto.max),
                      step=float(proto.step) or 1.0, value=_slider_value(proto), set_by_script=proto.set_value)
