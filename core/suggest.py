"""The nearest valid configuration: what the dashboard suggests when a combination is impossible."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping


def nearest_valid(
    settings: Mapping[str, int],
    ranges: Mapping[str, range],
    is_valid: Callable[[dict], bool],
    max_steps: int = 12,
    max_candidates: int = 20_000,
) -> dict | None:
    """The valid setting reachable in the fewest unit steps (one parameter ±1 within its range).

    Breadth-first search over ``settings``: distance is ``Σ |new − old|`` over the keys in
    ``ranges`` (other keys never change). Ties go to the parameter listed first in ``ranges``,
    lowering before raising. Returns None when nothing valid is within ``max_steps`` or after
    ``max_candidates`` checks, so a page never waits long for a suggestion.
    """
    start = dict(settings)
    if is_valid(start):
        return start
    seen = {tuple(start[k] for k in ranges)}
    frontier = deque([(start, 0)])
    while frontier:
        current, steps = frontier.popleft()
        if steps == max_steps:
            continue
        for key, allowed in ranges.items():
            for delta in (-1, 1):
                candidate = {**current, key: current[key] + delta}
                signature = tuple(candidate[k] for k in ranges)
                if candidate[key] not in allowed or signature in seen:
                    continue
                seen.add(signature)
                if len(seen) > max_candidates:
                    return None
                if is_valid(candidate):
                    return candidate
                frontier.append((candidate, steps + 1))
    return None
