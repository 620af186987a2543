"""The nearest valid setting is valid and as close as any valid setting can be."""

import itertools

import numpy as np

from core import ConvConfigError, conv_output_size, conv_transpose_output_size
from core.suggest import nearest_valid


def _conv_ok(c):
    try:
        conv_output_size(c["n"], c["k"], c["s"], c["p"], c["d"])
        return True
    except ConvConfigError:
        return False


RANGES = {"k": range(1, 8), "d": range(1, 4), "p": range(0, 4), "n": range(1, 17), "s": range(1, 5)}


def test_nearest_valid_is_valid_and_minimal_by_brute_force():
    valid = np.array([c for c in itertools.product(*RANGES.values()) if _conv_ok(dict(zip(RANGES, c, strict=True)))])
    for n, k, d, p in itertools.product(range(1, 6), range(1, 8), range(1, 4), range(0, 4)):
        start = {"n": n, "k": k, "s": 1, "p": p, "d": d}
        best = nearest_valid(start, RANGES, _conv_ok)
        assert best is not None and _conv_ok(best)
        distance = sum(abs(best[key] - start[key]) for key in RANGES)
        brute = np.abs(valid - np.array([start[key] for key in RANGES])).sum(axis=1).min()
        assert distance == brute


def test_valid_setting_is_returned_unchanged():
    start = {"n": 5, "k": 3, "s": 1, "p": 0, "d": 1}
    assert nearest_valid(start, RANGES, _conv_ok) == start


def test_output_padding_suggestion_lowers_output_padding():
    def ok(c):
        try:
            conv_transpose_output_size(4, 3, c["s"], 0, c["op"], 1)
            return True
        except ConvConfigError:
            return False

    assert nearest_valid({"s": 2, "op": 3}, {"op": range(0, 4), "s": range(1, 5)}, ok) == {"s": 2, "op": 1}


def test_none_when_nothing_is_reachable():
    assert nearest_valid({"a": 1}, {"a": range(0, 3)}, lambda c: False) is None
