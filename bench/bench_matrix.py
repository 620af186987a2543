"""Benchmark: W's entries from ``conv_matrix_entries`` against a plain per-output-pixel Python loop.

Targets (from the issue): at least 100× faster than the loop for a 64×64 input and a 5×5 kernel, and
W's entries for a 3-channel 64×64 input to 3 output channels with a 5×5 kernel in under 10 ms.
Prints a markdown table; exits 1 if a target is missed or the two builds disagree.

Run from the repo root: ``.venv/bin/python bench/bench_matrix.py`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

# Run as a script from anywhere: `core` lives at the repo root, which is not on sys.path then.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import conv_matrix_entries  # noqa: E402

SPEEDUP_TARGET = 100.0
MULTI_CHANNEL_TARGET_MS = 10.0


def loop_entries(input_shape, weight, stride=1, padding=0, dilation=1, groups=1):
    """The lesson's ``kernel2matrix``, generalized: visit every output pixel and every kernel tap.

    Returns (rows, cols, values, taps) like ``conv_matrix_entries``, one triple per tap that lands
    inside the input (taps on padding read zeros and have no column).
    """
    _, height, width = input_shape
    c_out, c_in_per_group, kh, kw = weight.shape
    out_h = (height + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    out_w = (width + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out_per_group = c_out // groups
    flat_weight = weight.reshape(-1).tolist()
    rows, cols, values, taps = [], [], [], []
    for co in range(c_out):
        group = co // out_per_group
        for oh in range(out_h):
            for ow in range(out_w):
                row = (co * out_h + oh) * out_w + ow
                for ci_local in range(c_in_per_group):
                    ci = group * c_in_per_group + ci_local
                    for i in range(kh):
                        ih = oh * stride - padding + i * dilation
                        if not 0 <= ih < height:
                            continue
                        for j in range(kw):
                            iw = ow * stride - padding + j * dilation
                            if not 0 <= iw < width:
                                continue
                            tap = ((co * c_in_per_group + ci_local) * kh + i) * kw + j
                            rows.append(row)
                            cols.append((ci * height + ih) * width + iw)
                            values.append(flat_weight[tap])
                            taps.append(tap)
    return np.array(rows), np.array(cols), np.array(values), np.array(taps)


def complete_entries(input_shape, weight):
    """The entries with their values gathered (``values`` is computed on first use), as a figure needs them."""
    entries = conv_matrix_entries(input_shape, weight)
    entries.values  # noqa: B018 — the gather is part of the cost
    return entries


def median_ms(fn, repeats):
    """Median wall time of ``repeats`` calls, in ms (the median shrugs off a noisy neighbour on CI)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def same_entries(fast, slow) -> bool:
    """Both builds hold the same (row, col, value, tap) entries, whatever order each lists them in."""
    rows, cols, values, taps = slow
    order = np.lexsort((cols, rows))
    fast_order = np.lexsort((fast.cols, fast.rows))
    return all(
        np.array_equal(a[fast_order], b[order])
        for a, b in ((fast.rows, rows), (fast.cols, cols), (fast.values, values), (fast.taps, taps))
    )


def main() -> int:
    rng = np.random.default_rng(0)
    cases = [
        # (label, input_shape, weight, target check, loop repeats, fast repeats)
        ("1×64×64 → 1, 5×5", (1, 64, 64), rng.standard_normal((1, 1, 5, 5)), "speed-up", 3, 50),
        ("3×64×64 → 3, 5×5", (3, 64, 64), rng.standard_normal((3, 3, 5, 5)), "time", 1, 30),
    ]
    print("| case | entries | Python loop (ms) | conv_matrix_entries (ms) | speed-up | target | met |")
    print("|---|---:|---:|---:|---:|---|---|")
    ok = True
    for label, input_shape, weight, check, loop_repeats, fast_repeats in cases:
        fast = conv_matrix_entries(input_shape, weight)  # also warms up numpy before timing
        if not same_entries(fast, loop_entries(input_shape, weight)):
            print(f"{label}: conv_matrix_entries and the Python loop disagree", file=sys.stderr)
            return 1
        loop_ms = median_ms(partial(loop_entries, input_shape, weight), loop_repeats)
        fast_ms = median_ms(partial(complete_entries, input_shape, weight), fast_repeats)
        speedup = loop_ms / fast_ms
        if check == "speed-up":
            target, met = f"≥ {SPEEDUP_TARGET:g}× faster", speedup >= SPEEDUP_TARGET
        else:
            target, met = f"< {MULTI_CHANNEL_TARGET_MS:g} ms", fast_ms < MULTI_CHANNEL_TARGET_MS
        ok &= met
        print(
            f"| {label} | {len(fast.rows):,} | {loop_ms:.1f} | {fast_ms:.2f} | {speedup:.0f}× | {target} "
            f"| {'yes' if met else 'NO'} |"
        )
    print(f"\nMedian of repeated runs, time.perf_counter, numpy {np.__version__}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
