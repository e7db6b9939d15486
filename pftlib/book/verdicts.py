"""The book's one rule for calling a difference, applied by code to a page's own numbers.

A difference between two quantities measured on the same seeds counts only if its mean exceeds
twice its standard deviation over seeds (``|mean| > 2 sd``).  With one seed there is no spread,
so nothing is decided.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    """``a - b`` over seeds."""

    mean: float
    sd: float
    n: int

    @property
    def sign(self) -> int | None:
        """+1 or -1 when the difference counts under the two-sd rule, 0 when it does not, None
        when there are too few seeds to say."""
        if self.n < 2:
            return None
        if abs(self.mean) > 2 * self.sd:
            return 1 if self.mean > 0 else -1
        return 0


def paired(a: Mapping[int, float], b: Mapping[int, float]) -> Difference:
    """The difference of two per-seed measurements, on the seeds both have."""
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError("the two measurements share no seed")
    diffs = [a[s] - b[s] for s in seeds]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)) if len(diffs) > 1 else math.nan
    return Difference(mean, sd, len(diffs))


def describe(d: Difference, a: str, b: str) -> str:
    """The verdict in words, e.g. ``"DPO beats SFT"``."""
    return {None: f"undecided ({d.n} seed: no spread to compare with)",
            1: f"{a} beats {b}", -1: f"{a} loses to {b}",
            0: "no difference beyond twice the seed spread"}[d.sign]
