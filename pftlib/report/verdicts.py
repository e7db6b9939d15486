"""The book's one rule for calling a difference, applied by code to a page's own numbers, and the
verdict on each of the paper's hypotheses built from it.

A difference between two quantities measured on the same seeds counts only if its mean exceeds
twice its standard deviation over seeds (``|mean| > 2 sd``).  With one seed there is no spread,
so nothing is decided.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
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


# The verdict on each of the paper's hypotheses (Chapters 6 and 7), from the differences the
# chapters measure.  Each rule is stated on the page beside its verdict; every outcome is a named
# constant, so the claims page maps it to a status without reading its words.
AGAINST = "against"
UNDECIDED = "undecided"
H1_FOR = "for, on the language model"
H2_NO_EDGE = "no online edge to explain at this scale"
H2_MIXED = "mixed"
H3_FOR = "for"
H3_HURT = "against (more prompts hurt)"
H3_ONE_SEED = "undecided (one seed)"
H4_NO_EDGE = "not testable here: online does not beat offline even with equal data"
H5_UNDECIDED = "undecided: no pair of reward models differs on both measures beyond two sd"
H5_NOT_ROOT = "not a root cause: likelihood tracks best-of-N"
H5_DISAGREE = "likelihood and best-of-N disagree here"
H6_SUPPORTED = "supported: online wins where the gap is open and not where it is closed"
H6_ALSO_CLOSED = "not supported: online also wins where the gap is closed"
H6_NO_EDGE = "not testable on the language model at this scale: online has no edge even where the gap is open"


def h1(exact_refit_moved: bool, online_vs_offline: Difference) -> str:
    """Against when relabelled on-policy pairs leave the exact refit where it was and Online DPO
    (SFT) with the learned reward model does not beat DPO."""
    if not exact_refit_moved and online_vs_offline.sign != 1:
        return AGAINST
    return H1_FOR if online_vs_offline.sign == 1 else UNDECIDED


def h2(online_vs_offline_by_beta: list[Difference], online_vs_dpo_twice: Difference) -> str:
    """Against when online beats offline at every beta and still beats DPO 2x; with no online
    edge at any beta there is nothing for regularisation to explain."""
    edges = [d.sign == 1 for d in online_vs_offline_by_beta]
    if all(edges) and online_vs_dpo_twice.sign == 1:
        return AGAINST
    return H2_NO_EDGE if not any(edges) else H2_MIXED


def h3(more_vs_fewer_prompts: Difference) -> str:
    """For when more prompts help online DPO beyond two sd; against when they do not."""
    return {1: H3_FOR, 0: AGAINST, -1: H3_HURT, None: H3_ONE_SEED}[more_vs_fewer_prompts.sign]


def h4(online_vs_offline: list[Difference]) -> str:
    """Against when online beats offline although both saw the same narrow data."""
    if any(d.sign == 1 for d in online_vs_offline):
        return AGAINST
    return H4_NO_EDGE


def h5(order_signs: list[tuple[int | None, int | None]]) -> str:
    """``order_signs`` holds, per pair of reward models, the signs of their difference in
    validation likelihood and in best-of-N quality.  Not a root cause when every pair that both
    measures separate is ordered the same way by both (likelihood tracks best-of-N)."""
    both = [(lik, best) for lik, best in order_signs if lik and best]
    if not both:
        return H5_UNDECIDED
    if all(lik == best for lik, best in both):
        return H5_NOT_ROOT
    return H5_DISAGREE


def h6(open_gap: Difference, closed_gaps: list[Difference]) -> str:
    """Supported when online beats offline where the generation-verification gap is open and in
    no setting where it is closed."""
    if open_gap.sign == 1:
        return H6_SUPPORTED if all(d.sign != 1 for d in closed_gaps) else H6_ALSO_CLOSED
    return H6_NO_EDGE


# --- the claims page: each chapter computes its claims' statuses and glues them as ``claim_<name>``
REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced here"
NOT_TESTABLE = "not testable at our scale"


def claim(holds: bool | None) -> str:
    """A claim's status from the chapter's own check: reproduced when it holds, not reproduced
    when it fails, not testable when the check cannot decide (``None``: too few seeds)."""
    return NOT_TESTABLE if holds is None else REPRODUCED if holds else NOT_REPRODUCED


def beats(d: Difference) -> bool | None:
    """``a`` beats ``b`` under the two-sd rule; None when there are too few seeds to say."""
    return None if d.sign is None else d.sign == 1


#: The status of each hypothesis outcome against the paper's verdict (H1-H4 against, H5 not a
#: root cause, H6 supported).  An outcome that says the experiment could not decide is not testable.
HYPOTHESIS_CLAIM = {
    AGAINST: REPRODUCED, H3_HURT: REPRODUCED, H5_NOT_ROOT: REPRODUCED, H6_SUPPORTED: REPRODUCED,
    H1_FOR: NOT_REPRODUCED, H2_MIXED: NOT_REPRODUCED, H3_FOR: NOT_REPRODUCED, H5_DISAGREE: NOT_REPRODUCED,
    H6_ALSO_CLOSED: NOT_REPRODUCED,
    UNDECIDED: NOT_TESTABLE, H2_NO_EDGE: NOT_TESTABLE, H3_ONE_SEED: NOT_TESTABLE, H4_NO_EDGE: NOT_TESTABLE,
    H5_UNDECIDED: NOT_TESTABLE, H6_NO_EDGE: NOT_TESTABLE,
}


#: The dial's arms: online DPO from SFT judged by the learned reward model, and by the gold verifier.
DIAL_ARMS = {"edge": "Online DPO (SFT)", "gold edge": "Online DPO (SFT), gold judge"}


def dial_table(points: Iterable[Mapping], by: tuple[str, ...], arms: Mapping[str, str] = DIAL_ARMS,
               baseline: str = "DPO") -> list[dict]:
    """The language-model gap dial (:func:`pftlib.llm.dial.dial_point`): group points (one seed
    each, with a ``true reward`` per policy) by the keys ``by``; per group and arm, the paired
    difference ``arm - baseline`` over seeds, its sd, and its verdict under the two-sd rule."""
    groups: dict[tuple, list[Mapping]] = {}
    for p in points:
        groups.setdefault(tuple(p[k] for k in by), []).append(p)
    rows = []
    for key, group in groups.items():
        row = {**dict(zip(by, key)), "seeds": len(group)}
        for label, arm in arms.items():
            d = paired(*({p["seed"]: p["true reward"][name] for p in group} for name in (arm, baseline)))
            row[label], row[f"{label} sd"], row[f"{label} verdict"] = d.mean, d.sd, describe(d, "online", baseline)
        row["agreement"] = sum(p["agreement"] for p in group) / len(group)
        rows.append(row)
    return rows
