"""The book's one rule for calling a difference, applied by code to a page's own numbers, and the
verdict on each of the paper's hypotheses built from it.

A difference ``a - b`` measured on the same seeds gets a 95% t-interval, ``mean ± t(0.975, n-1) *
sd / sqrt(n)``, and one of four outcomes:

* **beats** / **loses**: the interval lies above / below zero (a two-sided t-test at 5%);
* **equivalent**: the interval lies inside ``(-margin, +margin)``, a margin fixed in the chapter's
  config before the run (a margin of 0 never gives this outcome);
* **undecided**: anything else, including a single seed.  A non-significant difference is
  undecided, never agreement.

:func:`power` says how often the rule finds an effect of a given size at a given number of seeds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..llm.policies import DPO, GOLD_SFT, ONLINE_SFT

BEATS, LOSES, EQUIVALENT, UNDECIDED = "beats", "loses to", "equivalent to", "undecided"
LEVEL = 0.95


def _t(n: int) -> float:
    """The two-sided ``LEVEL`` quantile of Student's t with ``n - 1`` degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.5 + LEVEL / 2, n - 1))


@dataclass(frozen=True)
class Difference:
    """``a - b`` over ``n`` seeds: mean, sd, and the equivalence margin it is judged against."""

    mean: float
    sd: float
    n: int
    margin: float = 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% t-interval of the mean difference; NaNs with fewer than two seeds."""
        if self.n < 2:
            return math.nan, math.nan
        half = _t(self.n) * self.sd / math.sqrt(self.n)
        return self.mean - half, self.mean + half

    @property
    def outcome(self) -> str:
        """:data:`BEATS`, :data:`LOSES`, :data:`EQUIVALENT` or :data:`UNDECIDED` (module docstring)."""
        low, high = self.interval
        if self.n < 2:
            return UNDECIDED
        if low > 0:
            return BEATS
        if high < 0:
            return LOSES
        return EQUIVALENT if -self.margin < low and high < self.margin else UNDECIDED

    @property
    def direction(self) -> int:
        """+1 when ``a`` beats ``b``, -1 when it loses, 0 otherwise."""
        return {BEATS: 1, LOSES: -1}.get(self.outcome, 0)


def paired(a: Mapping[int, float], b: Mapping[int, float], margin: float = 0.0) -> Difference:
    """The difference of two per-seed measurements, on the seeds both have, judged against ``margin``."""
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError("the two measurements share no seed")
    diffs = [a[s] - b[s] for s in seeds]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)) if len(diffs) > 1 else math.nan
    return Difference(mean, sd, len(diffs), margin)


def describe(d: Difference, a: str, b: str) -> str:
    """The verdict in words with its interval, e.g. ``"DPO beats SFT (95% CI 0.12 to 0.30)"``."""
    if d.n < 2:
        return f"undecided ({d.n} seed: no interval)"
    low, high = d.interval
    ci = f"95% CI {low:+.3f} to {high:+.3f}"
    return {BEATS: f"{a} beats {b} ({ci})", LOSES: f"{a} loses to {b} ({ci})",
            EQUIVALENT: f"{a} equivalent to {b} ({ci}, inside ±{d.margin:g})",
            UNDECIDED: f"undecided ({ci})"}[d.outcome]


def power(n: int, effect: float = 1.0) -> float:
    """The probability that the rule calls a difference (beats or loses) when the true mean
    difference is ``effect`` seed standard deviations, at ``n`` seeds: a noncentral t."""
    if n < 2:
        return 0.0
    from scipy.stats import nct

    crit, nc = _t(n), effect * math.sqrt(n)
    return float(nct.sf(crit, n - 1, nc) + nct.cdf(-crit, n - 1, nc))


def seeds_needed(d: Difference, target: float = 0.8, most: int = 200) -> int | None:
    """The fewest seeds at which the rule would call ``d`` with probability ``target``, taking its
    mean over its sd as the true effect; None when even ``most`` seeds would not."""
    if d.sd == 0:  # no spread at all: two seeds call any non-zero difference
        return 2 if d.mean else None
    effect = abs(d.mean) / d.sd
    return next((n for n in range(2, most + 1) if power(n, effect) >= target), None)


# The verdict on each of the paper's hypotheses (Chapters 6 and 7), from the differences the
# chapters measure.  Each rule is stated on the page beside its verdict; every outcome is a named
# constant, so the claims page maps it to a status without reading its words.
AGAINST = "against"
H1_FOR = "for: the refitted reward model agrees better with the verifier"
H2_FOR = "for: at some beta, or with one more epoch, offline matches online"
H2_NO_EDGE = "no online edge to explain at this scale"
H3_FOR = "for"
H3_HURT = "against (more prompts hurt)"
H4_NO_EDGE = "not testable here: online does not beat offline even with equal data"
H5_UNDECIDED = "undecided: no pair of reward models is separated by both measures"
H5_NOT_ROOT = "not a root cause: likelihood tracks best-of-N"
H5_DISAGREE = "likelihood and best-of-N disagree here"
H6_SUPPORTED = "supported: online wins where the gap is open and is equivalent where it is closed"
H6_ALSO_CLOSED = "not supported: online also wins where the gap is closed"
H6_NO_EDGE = "not testable on the language model at this scale: online has no edge even where the gap is open"
H6_NO_CLOSER = "not testable: no setting's measured gap is smaller than the default's"


def h1(refit_vs_original: Difference) -> str:
    """The language-model analogue of Chapter 2's exact check: the reward model refitted on the
    offline pairs plus on-policy samples labelled by itself, minus the original, in held-out
    agreement with the verifier.  Against when the refit is equivalent or worse (the relabelled
    samples carry no new signal); for when it is better."""
    return {BEATS: H1_FOR, LOSES: AGAINST, EQUIVALENT: AGAINST, UNDECIDED: UNDECIDED}[refit_vs_original.outcome]


def h2(online_vs_offline_by_beta: list[Difference], online_vs_dpo_twice: Difference) -> str:
    """Against when online beats offline at every beta and still beats DPO 2x; for when offline
    matches or beats online at some beta or with one more epoch; no edge to explain when online
    beats offline at no beta."""
    arms = [*online_vs_offline_by_beta, online_vs_dpo_twice]
    if all(d.outcome == BEATS for d in arms):
        return AGAINST
    if not any(d.outcome == BEATS for d in online_vs_offline_by_beta):
        return H2_NO_EDGE
    return H2_FOR if any(d.outcome in (LOSES, EQUIVALENT) for d in arms) else UNDECIDED


def h3(more_vs_fewer_prompts: Difference) -> str:
    """For when more prompts help online DPO; against when they are equivalent or hurt."""
    return {BEATS: H3_FOR, EQUIVALENT: AGAINST, LOSES: H3_HURT, UNDECIDED: UNDECIDED}[more_vs_fewer_prompts.outcome]


def h4(online_vs_offline: list[Difference]) -> str:
    """Against when online beats its offline counterpart (DPO, or DPO 2x for the policy that
    trained one more epoch) although both saw the same narrow data."""
    if any(d.outcome == BEATS for d in online_vs_offline):
        return AGAINST
    return H4_NO_EDGE if all(d.outcome in (LOSES, EQUIVALENT) for d in online_vs_offline) else UNDECIDED


def h5(order_signs: list[tuple[int, int]]) -> str:
    """``order_signs`` holds, per pair of reward models, the :attr:`Difference.direction` of their
    difference in validation likelihood and in best-of-N quality.  Not a root cause when every pair
    that both measures separate is ordered the same way by both (likelihood tracks best-of-N)."""
    both = [(lik, best) for lik, best in order_signs if lik and best]
    if not both:
        return H5_UNDECIDED
    if all(lik == best for lik, best in both):
        return H5_NOT_ROOT
    return H5_DISAGREE


def h6(open_edge: Difference, closers: list[tuple[Difference, Difference]]) -> str:
    """``closers`` holds, per gap-closing setting, online's edge there and the default setting's
    measured gap minus that setting's.  Only a setting whose measured gap is smaller (beats) counts
    as closed.  Supported when online beats offline in the default setting and is equivalent to it
    in every closed one."""
    if open_edge.outcome != BEATS:
        return H6_NO_EDGE if open_edge.outcome in (LOSES, EQUIVALENT) else UNDECIDED
    closed = [edge for edge, gap_drop in closers if gap_drop.outcome == BEATS]
    if not closed:
        return H6_NO_CLOSER
    if any(d.outcome == BEATS for d in closed):
        return H6_ALSO_CLOSED
    return H6_SUPPORTED if all(d.outcome == EQUIVALENT for d in closed) else UNDECIDED


# --- the claims page: each chapter computes its claims' statuses and glues them as ``claim_<name>``
REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced here"
UNDECIDED_CLAIM = "undecided at this number of seeds"
NOT_TESTABLE = "not testable at our scale"
STATUSES = (REPRODUCED, NOT_REPRODUCED, UNDECIDED_CLAIM, NOT_TESTABLE)


def claim(holds: bool | None) -> str:
    """A claim's status from the chapter's own check: reproduced when it holds, not reproduced
    when it fails, undecided when the check cannot decide (``None``)."""
    return UNDECIDED_CLAIM if holds is None else REPRODUCED if holds else NOT_REPRODUCED


def beats(d: Difference) -> bool | None:
    """``a`` beats ``b``: True; loses or is equivalent: False; undecided: None."""
    return {BEATS: True, LOSES: False, EQUIVALENT: False}.get(d.outcome)


#: The status of each hypothesis outcome against the paper's verdict (H1-H4 against, H5 not a
#: root cause, H6 supported).  An outcome that says the seeds could not decide is undecided; one that
#: says the experiment has nothing to test at this scale is not testable.  No null result reproduces.
HYPOTHESIS_CLAIM = {
    AGAINST: REPRODUCED, H3_HURT: REPRODUCED, H5_NOT_ROOT: REPRODUCED, H6_SUPPORTED: REPRODUCED,
    H1_FOR: NOT_REPRODUCED, H2_FOR: NOT_REPRODUCED, H3_FOR: NOT_REPRODUCED, H5_DISAGREE: NOT_REPRODUCED,
    H6_ALSO_CLOSED: NOT_REPRODUCED,
    UNDECIDED: UNDECIDED_CLAIM, H5_UNDECIDED: UNDECIDED_CLAIM,
    H2_NO_EDGE: NOT_TESTABLE, H4_NO_EDGE: NOT_TESTABLE, H6_NO_EDGE: NOT_TESTABLE, H6_NO_CLOSER: NOT_TESTABLE,
}


#: The dial's arms: online DPO from SFT judged by the learned reward model, and by the gold verifier.
DIAL_ARMS = {"edge": ONLINE_SFT, "gold edge": GOLD_SFT}


def dial_table(points: Iterable[Mapping], by: tuple[str, ...], arms: Mapping[str, str] = DIAL_ARMS,
               baseline: str = DPO, margin: float = 0.0) -> list[dict]:
    """The language-model gap dial (:func:`pftlib.llm.dial.dial_point`): group points (one seed
    each, with a ``true reward`` per policy) by the keys ``by``; per group and arm, the paired
    difference ``arm - baseline`` over seeds, its sd, its 95% interval and its outcome against
    ``margin``; and the mean of each agreement (and of the measured gap, with its interval) that
    the points carry."""
    groups: dict[tuple, list[Mapping]] = {}
    for p in points:
        groups.setdefault(tuple(p[k] for k in by), []).append(p)
    rows = []
    for key, group in groups.items():
        row = {**dict(zip(by, key)), "seeds": len(group)}
        for label, arm in arms.items():
            d = paired(*({p["seed"]: p["true reward"][name] for p in group} for name in (arm, baseline)), margin)
            row[label], row[f"{label} sd"], row[f"{label} verdict"] = d.mean, d.sd, describe(d, "online", baseline)
            row[f"{label} low"], row[f"{label} high"] = d.interval
        for name in ("agreement", "implicit agreement", "gap"):
            if all(name in p for p in group):
                row[name] = sum(p[name] for p in group) / len(group)
        if "gap" in row:
            row["gap low"], row["gap high"] = paired({p["seed"]: p["gap"] for p in group},
                                                     {p["seed"]: 0.0 for p in group}).interval
        rows.append(row)
    return rows


def rank_correlation(x: list[float], y: list[float], seed: int = 0, draws: int = 2000) -> dict[str, float]:
    """Spearman's rank correlation of ``x`` and ``y`` with a 95% percentile-bootstrap interval
    (``draws`` resamples of the pairs, seeded; resamples in which either side is constant are
    skipped).  NaNs where the data cannot say: either side constant, or fewer than half of the
    resamples usable."""
    import numpy as np
    from scipy.stats import spearmanr

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(draws):
        i = rng.integers(0, len(x), len(x))
        if np.ptp(x[i]) > 0 and np.ptp(y[i]) > 0:
            boot.append(spearmanr(x[i], y[i]).statistic)
    if np.ptp(x) == 0 or np.ptp(y) == 0 or len(boot) < draws / 2:
        return {"rho": math.nan, "low": math.nan, "high": math.nan, "n": len(x)}
    low, high = np.percentile(boot, [2.5, 97.5])
    return {"rho": float(spearmanr(x, y).statistic), "low": float(low), "high": float(high), "n": len(x)}
