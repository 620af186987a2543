"""Shared Streamlit code for every page: URL-bound controls, notices, errors and the torch check.

Every control is bound to the URL (``bind="query-params"``), so the address bar always reopens the
exact view. Streamlit silently drops a URL value it cannot use (out of range, wrong type, falling
back to the default), truncates ``2.5`` to 2, and keeps unknown keys; :class:`Controls` snapshots the raw parameters before the widgets exist and, after,
tells the user in plain words which values were not taken and what is used instead.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from core import ConvConfigError, conv_output_shape, is_valid_transpose
from core.suggest import nearest_valid

_IMPORT_LOCK = threading.Lock()
_IMPORTS_DONE = threading.Event()
_BACKGROUND_LOCK = threading.Lock()
_background_import: threading.Thread | None = None
_FREEZE_LOCK = threading.Lock()
_frozen_module_count = 0  # len(sys.modules) at the last gc.freeze


def import_heavy_modules_once(wait: bool = True) -> None:
    """Import the large libraries once per process, one thread at a time.

    When many sessions start together on a fresh server (a class opening the app at the same
    minute), pages imported pandas, torch and friends from several threads at once, and Python's
    import deadlock avoidance handed some of them a partially initialised module. Every run goes
    through dashboard.py, which calls this first; once the imports are done, calls return at once.

    ``wait=False`` (the home page, which needs none of these libraries) starts the imports in a
    background thread and returns, so the first page paints without waiting for torch; any page
    that does need them calls with ``wait=True`` and blocks on the same lock until they are in.

    Afterwards the libraries' objects are moved out of the garbage collector's reach
    (``gc.freeze``): Streamlit runs ``gc.collect(2)`` after every rerun, and walking the ~250,000
    objects these imports leave cost 130–250 ms of CPU per rerun, per session.
    """
    global _background_import
    if _IMPORTS_DONE.is_set():
        return
    if wait:
        _import_heavy_modules()
        return
    with _BACKGROUND_LOCK:  # one background thread, however many sessions arrive at once
        if _background_import is None:
            _background_import = threading.Thread(target=_import_heavy_modules, name="convlab-imports", daemon=True)
            _background_import.start()


def _import_heavy_modules() -> None:
    """The imports themselves, under the lock; a no-op once done."""
    global _frozen_module_count
    with _IMPORT_LOCK:
        if _IMPORTS_DONE.is_set():
            return
        import gc

        import cv2  # noqa: F401
        import pandas  # noqa: F401
        import plotly.graph_objects  # noqa: F401
        import pyarrow  # noqa: F401
        import skimage.data  # noqa: F401
        import torch  # noqa: F401

        gc.freeze()
        _frozen_module_count = len(sys.modules)
        _IMPORTS_DONE.set()


def freeze_new_imports() -> None:
    """After a run that imported modules, move every live object out of the collector's reach again.

    Pages import parts of their libraries on first use (scipy, imageio, PIL, plotly.io, ...), after
    :func:`import_heavy_modules_once` froze the rest, and Streamlit's ``gc.collect(2)`` after every
    rerun walks those modules' objects on every rerun of every session (8–18 ms per rerun on 2 cores,
    holding the interpreter lock while the run's last messages wait to be sent). Frozen objects
    are never collected as cycles, so this refreezes only when ``sys.modules`` grew: a few times
    per process, which bounds what a freeze can keep alive. dashboard.py calls it after each run.
    """
    global _frozen_module_count
    if not _IMPORTS_DONE.is_set() or len(sys.modules) == _frozen_module_count:
        return
    import gc

    with _FREEZE_LOCK:
        if len(sys.modules) != _frozen_module_count:
            gc.collect()
            gc.freeze()
            _frozen_module_count = len(sys.modules)


def run_through_dashboard() -> None:
    """Make sure this page runs inside dashboard.py's navigation; call it first on every page.

    A ``pages/`` folder next to the entry point puts Streamlit in its legacy multipage mode until
    ``st.navigation`` has run once in the server process. Until then a direct link such as
    ``/matrix`` runs ``pages/matrix.py`` by itself: no page config, no shared sidebar, and that
    session keeps the legacy routing. So a page reached that way runs dashboard.py in its place:
    its ``st.navigation`` switches the legacy mode off and opens the linked page (found by its
    URL path, which is why every ``url_path`` equals its file name).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        import runpy
        from pathlib import Path

        runpy.run_path(str(Path(__file__).with_name("dashboard.py")), run_name="__main__")
        st.stop()


# Keys owned by the shared sidebar (dashboard.py); valid on every page.
GLOBAL_KEYS = {"present": "Presentation mode", "code": "the PyTorch code panel (see pytorch_code_panel)"}


def _url_text(value) -> str:
    """How Streamlit writes a widget value into the URL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class View:
    """One of :meth:`Controls.views`: ``open`` for the chosen view; ``with view:`` draws into the views' area."""

    label: str
    open: bool
    area: object  # the st.container under the views' control, shared by all of them

    def __enter__(self):
        return self.area.__enter__()

    def __exit__(self, *exc):
        return self.area.__exit__(*exc)


@dataclass
class Controls:
    """A page's URL-bound widgets, and a report of URL values that could not be used.

    Create it first thing on a page, make every control through it, then call
    :meth:`report_url_problems` once all controls exist.
    """

    raw: dict[str, list[str]] = field(default_factory=lambda: {k: st.query_params.get_all(k) for k in st.query_params})
    rules: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    ranges: dict[str, range] = field(default_factory=dict)
    extra_keys: set[str] = field(default_factory=set)  # URL keys a page manages itself (e.g. the clicked cell)

    def _remember(self, key: str, value, rule: str):
        self.values[key], self.rules[key] = value, rule
        return value

    def slider(self, label: str, key: str, low: int, high: int, default: int, help: str | None = None, where=st) -> int:
        """An integer slider from ``low`` to ``high``, bound to the URL parameter ``key``."""
        value = where.slider(label, low, high, default, key=key, help=help, bind="query-params")
        self.ranges[key] = range(low, high + 1)
        return self._remember(key, value, f"a whole number from {low} to {high}")

    def pair(self, label: str, key: str, low: int, high: int, default: int, help: str | None = None,
             where=st) -> tuple[int, int]:
        """Two sliders, height and width (URL keys ``{key}_h`` and ``{key}_w``), side by side."""
        return self.pairs([(label, key, low, high, default, help)], where)[0]

    def pairs(self, specs: Sequence[tuple], where=st) -> list[tuple[int, int]]:
        """Several :meth:`pair` rows, each spec ``(label, key, low, high, default[, help])``.

        One pair of columns holds every row (heights left, widths right; the rows line up because
        each H and W slider has the same label and help). A rerun sends every layout block again,
        so one block pair instead of one per row makes each change cheaper to send and to draw.
        """
        left, right = where.columns(2)
        chosen = []
        for label, key, low, high, default, *help in specs:
            chosen.append((self.slider(f"{label} H", f"{key}_h", low, high, default, *help, where=left),
                           self.slider(f"{label} W", f"{key}_w", low, high, default, *help, where=right)))
        return chosen

    def select(self, label: str, key: str, options: Sequence[str], default: str | None = None,
               help: str | None = None, where=st) -> str:
        """A selectbox of plain strings, bound to the URL."""
        index = list(options).index(default) if default is not None else 0
        value = where.selectbox(label, options, index=index, key=key, help=help, bind="query-params")
        return self._remember(key, value, "one of " + ", ".join(options))

    def radio(self, label: str, key: str, options: Sequence[str], default: str | None = None,
              help: str | None = None, where=st) -> str:
        """A horizontal radio of plain strings, bound to the URL."""
        index = list(options).index(default) if default is not None else 0
        value = where.radio(label, options, index=index, key=key, help=help, horizontal=True, bind="query-params")
        return self._remember(key, value, "one of " + ", ".join(options))

    def views(self, labels: Sequence[str], key: str, default: str | None = None) -> list[View]:
        """Views of one result shown one at a time, like tabs, chosen with a segmented control whose
        choice is in the URL; only the open view's content needs to run.

        Returns one :class:`View` per label; ``view.open`` is True for the chosen one and ``with view:``
        draws below the control. Switching reruns the page, so a page builds (and sends the browser)
        only the figures on screen. Not ``st.tabs``: its tab bar and one block per tab are sent and
        drawn again on every change, which on the transposed page cost 5–15 ms per change (paired A/B).
        """
        default = default or labels[0]
        opened = st.segmented_control("View", list(labels), default=default, required=True, key=key,
                                      label_visibility="collapsed", bind="query-params")
        self._remember(key, opened, "one of " + ", ".join(labels))
        area = st.container()
        return [View(label, label == opened, area) for label in labels]

    def panel(self, label: str, key: str, where=st):
        """An expander whose content the page builds only while it is open (test ``panel.open``).

        A closed expander's content is still sent and drawn on every rerun. Open or closed is in the
        URL (``key=true``), so a lecture link can open it. Name the key in ``Controls(extra_keys=...)``:
        :meth:`report_url_problems` usually runs before the panel exists.
        """
        return where.expander(label, key=key, bind="query-params")

    def toggle(self, label: str, key: str, default: bool = False, help: str | None = None, where=st) -> bool:
        """An on/off toggle, bound to the URL (``true``/``false``)."""
        value = where.toggle(label, value=default, key=key, help=help, bind="query-params")
        return self._remember(key, value, "true or false")

    def number(self, label: str, key: str, low: int, high: int, default: int, help: str | None = None,
               where=st) -> int:
        """An integer number input (for seeds and other values no slider fits)."""
        value = where.number_input(label, low, high, default, step=1, key=key, help=help, bind="query-params")
        return self._remember(key, int(value), f"a whole number from {low} to {high}")

    def text(self, label: str, key: str, default: str = "", help: str | None = None, where=st) -> str:
        """A short text field, bound to the URL."""
        value = where.text_input(label, value=default, key=key, help=help, bind="query-params")
        return self._remember(key, value, "text")

    def numbers(self) -> dict[str, int]:
        """The current value of every slider, by URL key."""
        return {key: self.values[key] for key in self.ranges}

    def show_config_error(self, error: ConvConfigError, is_valid: Callable[[dict], bool],
                          keys: Sequence[str] | None = None) -> None:
        """:func:`show_config_error` searching over this page's sliders (or only ``keys``)."""
        ranges = {k: r for k, r in self.ranges.items() if keys is None or k in keys}
        show_config_error(error, self.numbers(), ranges, is_valid)

    def url_problems(self) -> list[str]:
        """Plain-words notes on URL parameters that were unknown or not used as written."""
        problems = []
        for key, raw_values in self.raw.items():
            shown = "&".join(f"{key}={v}" for v in raw_values) or key
            if key in GLOBAL_KEYS or key in self.extra_keys:
                continue
            if key not in self.values:
                problems.append(f"`{shown}` is not a setting of this page, so it was ignored.")
                continue
            used = _url_text(self.values[key])
            if len(raw_values) != 1 or raw_values[0].strip().lower() != used.lower():
                problems.append(f"`{shown}` is not valid here ({key} must be {self.rules[key]}): showing {used}.")
        return problems

    def report_url_problems(self) -> None:
        """Show one notice listing URL values that were not used, and drop unknown keys from the URL."""
        problems = self.url_problems()
        if problems:
            st.warning("Some settings in the link could not be used:\n\n" + "\n".join(f"- {p}" for p in problems),
                       icon=":material/link_off:")
        for key in list(self.raw):
            if key not in self.values and key not in GLOBAL_KEYS and key not in self.extra_keys and key in st.query_params:
                del st.query_params[key]


def show_config_error(error: ConvConfigError, settings: Mapping[str, int], ranges: Mapping[str, range],
                      is_valid: Callable[[dict], bool]) -> None:
    """Explain an impossible configuration and offer the nearest valid one as a button."""
    st.error(f"**This layer is impossible.** {error}", icon=":material/block:")
    suggestion = nearest_valid(settings, ranges, is_valid)
    if not suggestion:
        return
    changes = {k: v for k, v in suggestion.items() if v != settings[k]}
    described = ", ".join(f"{k} = {v}" for k, v in changes.items())
    st.button(f"Use the nearest valid setting: {described}", key="apply_suggestion", on_click=_apply, args=(changes,),
              type="primary")


def _apply(changes: Mapping[str, int]) -> None:
    # Runs as a callback, before the widgets exist on the next run, so their keys may be set.
    for key, value in changes.items():
        st.session_state[key] = value


def verification_line(shown, reference, layer: str) -> None:
    """``max |shown − torch|`` for the result on screen, computed live against PyTorch."""
    from core.torch_check import max_abs_difference

    difference_line(max_abs_difference(shown, reference), layer)


def difference_line(difference: float, layer: str) -> None:
    """The verification line for a ``max |shown − torch|`` already computed (e.g. cached with what it checks)."""
    if difference <= 1e-9:
        st.success(f"Checked live against `torch.nn.{layer}` (float64): max |difference| = {difference:.1e}", icon=":material/check_circle:")
    else:
        st.error(f"Mismatch with `torch.nn.{layer}`: max |difference| = {difference:.3g}. Please report this.",
                 icon=":material/error:")


def pytorch_code_panel(make_code: Callable[[], str], key: str = "code") -> None:
    """The PyTorch code that reproduces the view, in an expander; the code is built only while it is open.

    Its open state is in the URL (``code=true``), so a lecture link can open it. Closed, it costs
    nothing: a highlighted listing of a 4×4×7×7 weight takes the browser ~0.3 s on every rerun.
    """
    panel = st.expander("PyTorch code for this view", key=key, bind="query-params", icon=":material/code:")
    if panel.open:
        panel.code(make_code(), language="python", wrap_lines=True)  # whole lines on a projector, no scrolling


def session_memo(slot: str, key, build: Callable[[], object]):
    """``build()`` once per ``key``, kept in this session only (one entry per slot), never seen by other sessions."""
    memo = st.session_state.get(slot)
    if memo is None or memo[0] != key:
        memo = st.session_state[slot] = (key, build())
    return memo[1]


def step_player(controls: Controls, label: str, key: str, last: int, draw: Callable[[int], None],
                seconds: float = 0.8) -> None:
    """A step slider from 1 to ``last`` with a Play/Pause button; ``draw(step)`` shows that step.

    While playing, the slider and ``draw`` run in a fragment that reruns every ``seconds`` and
    advances one step, so the rest of the page stays as it is; at the last step it stops. The
    button sits outside the fragment: its click reruns the page, which is what sets the timer.
    """
    playing_key = f"_playing_{key}"
    if st.session_state.get(key, 1) > last:
        st.session_state[key] = last
    playing = st.session_state.get(playing_key, False) and last > 1
    if last > 1:
        st.button("Pause" if playing else "Play", key=f"play_{key}", on_click=_toggle_play, args=(key, last),
                  icon=":material/pause:" if playing else ":material/play_arrow:")

    def steps() -> None:
        if st.session_state.get(playing_key):
            if st.session_state.get(key, 1) < last:
                st.session_state[key] = st.session_state.get(key, 1) + 1
            else:  # the walk is done: stop, and rerun the page so the timer stops too
                st.session_state[playing_key] = False
                st.rerun()
        draw(controls.slider(label, key, 1, last, 1) if last > 1 else 1)

    st.fragment(steps, run_every=seconds if playing else None)()


def stop_player(key: str) -> None:
    """Stop a :func:`step_player` that is not on screen (its tab closed)."""
    st.session_state[f"_playing_{key}"] = False


def _toggle_play(key: str, last: int) -> None:
    playing = not st.session_state.get(f"_playing_{key}", False)
    if playing and st.session_state.get(key, 1) >= last:
        st.session_state[key] = 1  # playing again from the end starts over
    st.session_state[f"_playing_{key}"] = playing


def figure_style():
    """The :class:`figures.style.FigureStyle` for the current mode (presentation mode is the sidebar toggle)."""
    from figures.style import FigureStyle

    presenting = bool(st.session_state.get("present", False))
    dark = st.context.theme.type == "dark" if st.context.theme.type else False
    return FigureStyle.for_mode(presentation=presenting, dark=dark).with_page(_MAIN_PX[presenting])


# The main area's width in px on a 1280 px wide window with the sidebar open (the narrowest screen the
# pages are laid out for: a classroom laptop), and the gap between columns; presentation mode's larger
# root font widens the page's padding and gaps. Measured in Chromium with Streamlit 1.67.
_MAIN_PX = {False: 820.0, True: 780.0}
_COLUMN_GAP_PX = {False: 16.0, True: 20.0}


def column_widths_px(weights, style) -> list[float]:
    """Each column's width in px for ``st.columns(weights)`` on that window, for figures that size their
    cells in px (``width_px`` of :func:`figures.grid_figure`): a figure planned wider would be squeezed.

    A column of weight ``w`` out of ``Σw`` takes ``w / Σw · main − gap · (n − 1) / n`` px.
    """
    weights = _as_weights(weights)
    main, gap = style.page_px or _MAIN_PX[style.presentation], _COLUMN_GAP_PX[style.presentation]
    return [w / sum(weights) * main - gap * (len(weights) - 1) / len(weights) for w in weights]


# An expander's content is narrower than the page by its padding and border (measured as _MAIN_PX).
_PANEL_INSET_PX = {False: 34.0, True: 42.0}


def panel_width_px(style) -> float:
    """The width in px of a panel's content (:meth:`Controls.panel`, an expander across the page)."""
    return column_widths_px(1, style)[0] - _PANEL_INSET_PX[style.presentation]


# A grid more columns wide than this is unreadable in a third of the page (cells under ~8 px).
WIDE_GRID_COLUMNS = 20


def figure_columns(weights, style, last_grid_columns: int = 0, first_grid_columns: int = 0, **options) -> list[tuple]:
    """``st.columns(weights, **options)``, each column paired with its width in px (:func:`column_widths_px`).

    A last grid more than :data:`WIDE_GRID_COLUMNS` columns wide (``last_grid_columns``) gets the
    page's full width instead, on its own row below the other columns; a wide first grid
    (``first_grid_columns``), on its own row above them.
    """
    if first_grid_columns > WIDE_GRID_COLUMNS:
        return [(st.container(), column_widths_px(1, style)[0]),
                *figure_columns(_as_weights(weights)[1:], style, last_grid_columns, **options)]
    if last_grid_columns <= WIDE_GRID_COLUMNS:
        return list(zip(st.columns(weights, **options), column_widths_px(weights, style), strict=True))
    return [*figure_columns(_as_weights(weights)[:-1], style, **options),
            (st.container(), column_widths_px(1, style)[0])]


def _as_weights(weights) -> list[float]:
    """``st.columns``' spec as a list of weights: ``3`` → ``[1.0, 1.0, 1.0]``."""
    return [1.0] * weights if isinstance(weights, int) else [float(w) for w in weights]


@st.cache_resource(max_entries=96, show_spinner=False)
def _figure_cache(builder_name: str, args: tuple, kwargs: tuple, _builder: Callable):
    # The builder is identified by its name: Streamlit does not hash functions (``_`` skips it).
    return _builder(*args, **dict(kwargs))


def figure_once(builder: Callable, *args, **kwargs):
    """``builder(*args, **kwargs)``, built once per distinct arguments in this process and shared.

    For figures a rerun usually leaves unchanged (a picture, an output while a step slider moves):
    building a plotly figure validates every property and encodes its images, tens of ms per
    figure, on every rerun of every session. The figure is shared read-only: ``st.plotly_chart``
    copies it (``to_dict``) and never changes it. Arguments must be hashable by Streamlit's cache
    (numbers, strings, tuples, numpy arrays, dataclasses).
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _figure_cache(name, args, tuple(sorted(kwargs.items())), _builder=builder)


def show_figure(figure, key: str | None = None, on_click: Callable[[], None] | None = None,
                width: str = "stretch") -> None:
    """Show a figure; with ``on_click``, a click on a point calls it (see :func:`chart_click`).

    A figure whose layout drags a selection box (a large grid drawn as a heatmap, which plotly
    reports no clicks on) calls ``on_click`` for a dragged box too. The camera button of plotly's toolbar downloads the figure as a PNG at twice the screen size.
    ``width="content"`` keeps a figure's own width (the matrix figure sizes its markers in pixels).
    A figure is converted for sending once and the result kept on it (:func:`_converted_once`):
    change a figure before it is first shown, never after.
    """
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
    sent = _converted_once(figure)
    if on_click is None:
        st.plotly_chart(sent, width=width, key=key, config=config)
    else:
        modes = ("points", "box") if figure.layout.dragmode == "select" else "points"
        st.plotly_chart(sent, width=width, key=key, on_select=on_click, selection_mode=modes, config=config)


def _converted_once(figure):
    """``figure`` with its ``to_dict()`` computed once per figure object and kept on it.

    ``st.plotly_chart`` turns a figure into JSON through ``figure.to_dict()``, which deep-copies
    every trace and base64-encodes its arrays: 1–2 ms per figure, on every rerun, also for the
    figures :func:`figure_once` and the pages' caches share unchanged between reruns. The figure
    is not changed afterwards (figure builders return finished figures), so its dict can be kept.
    """
    converted = getattr(figure, "_convlab_converted", None)
    if converted is None:
        converted = _converted_figure_class()(figure.to_dict())
        figure._convlab_converted = converted
    return converted


@functools.cache
def _converted_figure_class():
    from plotly.basedatatypes import BaseFigure

    class ConvertedFigure(BaseFigure):
        """A finished figure's ``to_dict()``, handed to ``st.plotly_chart`` as the figure it came from."""

        def __init__(self, as_dict: dict):  # no BaseFigure.__init__: nothing else is asked of it
            self._as_dict = as_dict

        def to_dict(self) -> dict:
            return self._as_dict

    return ConvertedFigure


# ---------------------------------------------------------------- kernels


def custom_kernel(controls: Controls, preset: str, size: tuple[int, int], where=st):
    """For the "custom" kernel preset, a typed grid kept in the URL as text (``kv``); else None.

    The text starts as the lesson's kernel at ``size`` (the kernel sliders); once typed, its own
    shape is the kernel's. Raises ConvConfigError for malformed text.
    """
    from core.kernels import kernel_text, make_kernel, parse_kernel_text

    if preset != "custom":
        return None
    text = controls.text("Kernel values (rows separated by ;)", "kv", kernel_text(make_kernel("lesson", size)),
                         where=where)
    kernel = parse_kernel_text(text)
    editor_key = f"kernel_editor_{text}"  # a new editor whenever the text changes, so old edits never replay
    where.data_editor(kernel, key=editor_key, on_change=_kernel_edited, args=(editor_key, kernel),
                      width="content", hide_index=True)
    return kernel


@dataclass
class LayerSettings:
    """What :func:`layer_controls` read: a convolution layer and its input, as a page's sidebar sets them."""

    input_preset: str
    size: tuple[int, int]
    kernel_preset: str
    kernel_size: tuple[int, int]
    custom: object  # a typed kernel (numpy array) or None
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int] | None  # None for a Conv2d page
    dilation: tuple[int, int]
    c_in: int
    c_out: int
    groups: int
    seed: int

    @property
    def custom_key(self):
        """The typed kernel as nested tuples (hashable, for a cache key), or None."""
        return None if self.custom is None else tuple(map(tuple, self.custom.tolist()))


def layer_controls(controls: Controls, max_size: int, default_size: int, input_default: str, kernel_default: str,
                   kernel_size_default: int, transposed: bool = False, where=st) -> LayerSettings:
    """The sidebar of the matrix and transposed pages: input, kernel, stride, padding, (output
    padding,) dilation, channels, groups and seed, every one bound to the URL."""
    from core.kernels import INPUT_PRESETS, KERNEL_PRESETS

    input_preset = controls.select("Input", "input", INPUT_PRESETS, input_default, where=where)
    kernel_preset = controls.select("Kernel", "kernel", [*KERNEL_PRESETS, "custom"], kernel_default, where=where,
                                    help="Presets are defined at any size; random uses the seed; custom: type the values.")
    # Every height/width pair in one pair of columns: a rerun sends each layout block again, and one
    # st.columns(2) costs the browser about as much as a slider on every change (bench/element_cost.py).
    rows = [("Input", "in", 1, max_size, default_size), ("Kernel", "k", 1, 7, kernel_size_default),
            ("Stride", "s", 1, 4, 1), ("Padding", "p", 0, 3, 0), ("Dilation", "d", 1, 3, 1)]
    if transposed:
        rows.insert(4, ("Output padding", "op", 0, 3, 0, "Must be smaller than stride or dilation."))
    size, kernel_size, stride, padding, *rest, dilation = controls.pairs(rows, where)
    output_padding = rest[0] if transposed else None
    try:
        custom = custom_kernel(controls, kernel_preset, kernel_size, where=where)
    except ConvConfigError as error:
        where.error(str(error))
        kernel_preset, kernel_size, custom = kernel_default, (kernel_size_default,) * 2, None
    if custom is not None:
        kernel_size = custom.shape
    c_in = controls.slider("In channels", "c_in", 1, 4, 1, where=where)
    c_out = controls.slider("Out channels", "c_out", 1, 4, 1, where=where)
    groups = controls.slider("Groups", "groups", 1, 4, 1, help="Must divide both channel counts.", where=where)
    seed = controls.number("Seed (random values)", "seed", 0, 9999, 0, where=where)
    return LayerSettings(input_preset, size, kernel_preset, kernel_size, custom, stride, padding, output_padding,
                         dilation, c_in, c_out, groups, seed)


def layer_is_valid(values: Mapping[str, int], transposed: bool = False) -> bool:
    """Whether torch accepts the layer :func:`layer_controls`' values describe: ``nn.Conv2d`` (every
    rule of :func:`core.conv_output_shape`) or, with ``transposed``, ``nn.ConvTranspose2d``
    (:func:`core.is_valid_transpose`). The nearest-valid-setting search asks it of candidates."""
    def pair(key):
        return values[f"{key}_h"], values[f"{key}_w"]

    c_in, c_out, groups = values["c_in"], values["c_out"], values["groups"]
    if transposed:
        return is_valid_transpose(c_in, pair("in"), c_out, groups, pair("k"), pair("s"), pair("p"), pair("op"), pair("d"))
    try:
        conv_output_shape((c_in, *pair("in")), (c_out, max(c_in // groups, 1), *pair("k")), pair("s"), pair("p"),
                          pair("d"), groups)
    except ConvConfigError:
        return False
    return True


@dataclass
class PictureSettings:
    """The images page's sidebar: the picture, the layer over it and how its outputs are drawn."""

    sample: str
    upload: object  # Streamlit's UploadedFile, or None
    long_side: int
    gray: bool
    spec: object  # core.image_filters.ImageLayer
    kernels: str  # "random" or "presets"
    seed: int
    first_preset: str
    shared_scale: bool
    colour: int  # 0 red, 1 green, 2 blue: the picture shown when the colours are filtered separately
    fit: bool  # outputs drawn at their tile's size (figures.images.fit_to_side) rather than every pixel


PICTURE_COLOURS = ("red", "green", "blue")
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")


# (ImageLayer field, label, URL key, min, max, default, help) of the images page's layer sliders.
_PICTURE_SLIDERS = (
    ("out_channels", "Out channels", "c_out", 1, 8, 4, None),
    ("groups", "Groups", "groups", 1, 3, 1, "Must divide in_channels and out_channels."),
    ("kernel_size", "Kernel size", "k", 1, 7, 2, None),
    ("stride", "Stride", "s", 1, 4, 1, None),
    ("padding", "Padding", "p", 0, 3, 0, None),
    ("dilation", "Dilation", "d", 1, 3, 1, None),
    ("output_padding", "Output padding", "op", 0, 3, 0, "ConvTranspose2d: below stride or dilation."),
)
PICTURE_LAYER_KEYS = {key: field for field, _, key, *_ in _PICTURE_SLIDERS}
"""URL key → :class:`core.image_filters.ImageLayer` field, for the images page's layer sliders."""


def picture_controls(controls: Controls, where=st) -> PictureSettings:
    """The images page's sidebar, every control but the upload bound to the URL."""
    from core import image_filters as filters
    from core.images import SAMPLE_NAMES

    sample = controls.select("Picture", "image", SAMPLE_NAMES, "astronaut", where=where)
    upload = where.file_uploader("…or upload your own", type=list(UPLOAD_TYPES), key="upload",
                                 help="PNG, JPEG, WebP, BMP, GIF or TIFF, at most 10 MB. Kept in this session's memory only, "
                                      "never saved.")
    long_side = controls.slider("Working size (long side, px)", "size", 32, 512, 128, where=where)
    gray = controls.radio("Colours", "colour", ["RGB", "gray"], where=where) == "gray"
    layer = controls.radio("Layer", "layer", filters.LAYERS, "ConvTranspose2d", where=where)
    separate = controls.radio("Colour channels", "channels", ["separately", "together"], where=where, help=(
        "separately: the lesson's trick, the colours in the batch axis and in_channels = 1; "
        "together: in_channels = 3 and each output sums over the colours")) == "separately"
    numbers = {field: controls.slider(label, key, low, high, default, help=help_text, where=where)
               for field, label, key, low, high, default, help_text in _PICTURE_SLIDERS}
    spec = filters.ImageLayer(layer, 1 if gray else 3, separate=separate, **numbers)
    presets = controls.radio("Kernels", "kernels", ["random (seeded)", "presets"], where=where) == "presets"
    seed = 0 if presets else controls.number("Seed", "seed", 0, 9999, 0, where=where)
    first = controls.select("First preset (then cycling)", "preset", filters.IMAGE_PRESETS, where=where) \
        if presets else filters.IMAGE_PRESETS[0]
    shared = controls.radio("Colour scale", "scale", ["shared", "per channel"], where=where) == "shared"
    colour = PICTURE_COLOURS.index(controls.radio("Show the result of", "show", PICTURE_COLOURS, where=where)) \
        if separate and not gray else 0
    fit = controls.radio("Detail", "detail", ["fit the screen", "every pixel"], where=where, help=(
        "fit the screen: each output drawn at its tile's size, every screen pixel the mean of the output pixels it "
        "covers (fast); every pixel: zoom in to single pixels, e.g. checkerboard artifacts (slower for big "
        "outputs)")) != "every pixel"
    return PictureSettings(sample, upload, long_side, gray, spec, "presets" if presets else "random", seed, first,
                           shared, colour, fit)


def decoded_upload(upload, slot: str = "_images_upload"):
    """``(pixels, digest, error)`` of an uploaded file: decoded once per distinct content (sha256) and kept
    in this session's memory only (:func:`session_memo`), never on disk."""
    import hashlib

    from core.uploads import try_decode_upload

    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    pixels, error = session_memo(slot, digest, lambda: try_decode_upload(data))
    return pixels, digest, error


def _kernel_edited(editor_key: str, kernel) -> None:
    from core.kernels import kernel_text

    edited = kernel.copy()
    for row, changes in st.session_state[editor_key].get("edited_rows", {}).items():
        for column, value in changes.items():
            if value is not None:
                edited[int(row), int(column)] = float(value)
    st.session_state["kv"] = kernel_text(edited)


# ---------------------------------------------------------------- clicked cells


def chart_click(chart_key: str, to_focus: Callable[[dict], str | None], key: str = "sel") -> None:
    """on_select callback: turn a click into a focus string (e.g. ``row:5``) kept in the URL.

    The URL is the one place the selection lives, so the address bar reopens it.
    """
    selection = st.session_state.get(chart_key, {}).get("selection", {})
    focus = to_focus(selection)
    if focus is not None:
        st.query_params[key] = focus


def url_focus(key: str = "sel") -> str | None:
    """A selection kept in the URL by :func:`set_url_focus` (e.g. ``row:5``), to reopen a prepared view."""
    return st.query_params.get(key)


def set_url_focus(value: str | None, key: str = "sel") -> None:
    """Keep the selected element in the URL, so the link reopens it."""
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def apply_preset(values: Mapping[str, object]) -> None:
    """on_click callback: set several controls at once (e.g. the lesson's worked examples)."""
    for key, value in values.items():
        st.session_state[key] = value


def preset_buttons(presets: Mapping[str, Mapping[str, object]], where=st) -> None:
    """One full-width button per preset (label → control values); a click sets all its controls at once."""
    for label, values in presets.items():
        where.button(label, on_click=apply_preset, args=(values,), width="stretch")


def csv_download(label: str, make_text: Callable[[], str], file_name: str, key: str) -> None:
    """A button that downloads ``make_text()`` (CSV made by core.codegen) as ``file_name``.

    The text is made when the button is clicked, not on every rerun: W's CSV at 64×64 takes
    longer to build than the rest of the page.
    """
    st.download_button(label, make_text, file_name=file_name, mime="text/csv", key=key, icon=":material/download:")
