"""The nearest-valid-setting search of the matrix and transposed pages asks widgets.layer_is_valid:
it must say exactly what torch accepts, for every control of layer_controls."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from widgets import layer_is_valid

RANGES = {"in": (1, 6), "k": (1, 7), "s": (1, 4), "p": (0, 3), "op": (0, 3), "d": (1, 3)}


def _random_settings(rng: np.random.Generator) -> dict:
    values = {f"{key}_{axis}": int(rng.integers(low, high + 1)) for key, (low, high) in RANGES.items() for axis in "hw"}
    values.update(c_in=int(rng.integers(1, 5)), c_out=int(rng.integers(1, 5)), groups=int(rng.integers(1, 5)))
    return values


def _torch_accepts(v: dict, transposed: bool) -> bool:
    pair = lambda key: (v[f"{key}_h"], v[f"{key}_w"])  # noqa: E731
    c_in, c_out, groups = v["c_in"], v["c_out"], v["groups"]
    if c_in % groups or c_out % groups:
        return False  # torch.nn refuses these layers when they are built
    x = torch.zeros(1, c_in, *pair("in"), dtype=torch.float64)
    try:
        if transposed:
            weight = torch.zeros(c_in, c_out // groups, *pair("k"), dtype=torch.float64)
            F.conv_transpose2d(x, weight, None, pair("s"), pair("p"), pair("op"), groups, pair("d"))
        else:
            weight = torch.zeros(c_out, c_in // groups, *pair("k"), dtype=torch.float64)
            F.conv2d(x, weight, None, pair("s"), pair("p"), pair("d"), groups)
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("transposed", [False, True])
def test_layer_is_valid_agrees_with_torch(transposed):
    rng = np.random.default_rng(7)
    samples = [_random_settings(rng) for _ in range(1500)]
    verdicts = [(layer_is_valid(v, transposed=transposed), _torch_accepts(v, transposed)) for v in samples]
    assert [ours for ours, _ in verdicts] == [theirs for _, theirs in verdicts]
    accepted = sum(theirs for _, theirs in verdicts)
    assert 0 < accepted < len(samples)  # both verdicts occur, so the comparison means something
