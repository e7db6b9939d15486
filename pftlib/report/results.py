"""What the language-model chapters do with their experiment's results (from
:func:`pftlib.llm.experiments.run_or_load`): lay the per-seed results out as tables, and compare
two arms seed by seed.

    runs = table(results, ("policies", "policy"))        # one row per seed and policy
    d = versus(runs, ONLINE_SFT, DPO, "true reward")     # names from pftlib.llm.policies
    describe(d, "online", "offline")                     # the verdict and its 95% interval in words
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .verdicts import Difference, describe, paired


def table(results: list[dict], *levels: tuple[str | None, str]) -> pd.DataFrame:
    """One row per seed and leaf of nested results.  Each level ``(key, column)`` steps into
    ``node[key]`` (``key=None``: the node itself), a mapping whose keys fill ``column``; the leaf's
    metrics become columns.  ``table(results, ("policies", "policy"))`` gives seed, policy, winrate, ..."""
    rows: list[dict] = []

    def walk(node: Mapping, row: dict, rest: tuple) -> None:
        if not rest:
            rows.append({**row, **node})
            return
        (key, column), *deeper = rest
        for name, child in (node if key is None else node[key]).items():
            walk(child, {**row, column: name}, tuple(deeper))

    for r in results:
        walk(r, {"seed": r["seed"]}, levels)
    return pd.DataFrame(rows)


def mean_of(results: list[dict], key: str, metric: str) -> float:
    """The mean of ``result[key][metric]`` over the seeds' results that have it; NaN when none do
    (an arm that was not trained, or a metric the judge cannot measure)."""
    values = [r[key][metric] for r in results if metric in r.get(key, {})]
    return sum(values) / len(values) if values else float("nan")


def paired_of(results: list[dict], key: str, a: str, b: str, margin: float = 0.0) -> Difference:
    """``result[key][a] - result[key][b]`` over the seeds' results, judged against ``margin``."""
    return paired(*({r["seed"]: r[key][name] for r in results} for name in (a, b)), margin)


def chosen(results: list[dict], model: str) -> str:
    """The epochs the held-out rule chose for ``model`` in each seed's run, e.g. ``"12, 6, 12"``."""
    return ", ".join(str(r["tuning"][model]["epochs"]) for r in results)


def per_seed(frame: pd.DataFrame, column: str, where: Mapping[str, Any] | None = None,
             **columns: Any) -> dict[int, float]:
    """``{seed: value of column}`` over the rows where each column of ``where`` (or of the
    keywords, for column names without spaces) has its value."""
    rows = frame
    for key, value in {**(where or {}), **columns}.items():
        rows = rows[rows[key] == value]
    return rows.set_index("seed")[column].to_dict()


def versus(frame: pd.DataFrame, a: str, b: str, column: str, by: str = "policy", margin: float = 0.0,
           **where: Any) -> Difference:
    """``a - b`` in ``column`` over the seeds both have, where the column ``by`` names the arm
    (keywords ``where`` select the other columns, as in :func:`per_seed`), judged against the
    equivalence ``margin``."""
    return paired(*(per_seed(frame, column, {by: arm, **where}) for arm in (a, b)), margin)


def steps(frame: pd.DataFrame, column: str, order: Sequence[str], by: str, margin: float = 0.0) -> list[Difference]:
    """Each step up an ordering of arms: ``order[i + 1] - order[i]`` in ``column``, over seeds."""
    return [versus(frame, high, low, column, by=by, margin=margin) for low, high in zip(order, order[1:])]


def size_effect(frame: pd.DataFrame, column: str, axis: str, small: Any, large: Any) -> dict[int, float]:
    """Per seed: the mean of ``column`` where ``axis`` is ``large`` minus where it is ``small``,
    each mean taken over the frame's other rows (e.g. over policy sizes, for ``axis="RM size"``)."""
    means = frame.groupby(["seed", axis])[column].mean().unstack(axis)
    return (means[large] - means[small]).to_dict()


def spread(frame: pd.DataFrame, by: list[str] | str, column: str) -> pd.DataFrame:
    """Mean and sd of ``column`` per group (sd 0 with one seed), and the band ``low``/``high`` = mean ∓ sd."""
    out = frame.groupby(by, sort=False)[column].agg(["mean", "std"]).fillna(0.0).reset_index()
    out["low"], out["high"] = out["mean"] - out["std"], out["mean"] + out["std"]
    return out


def closers(runs: pd.DataFrame, gaps: pd.DataFrame, settings: Sequence[str], arm: str, baseline: str,
            margin: float) -> tuple[dict[str, Difference], dict[str, Difference], pd.DataFrame]:
    """Chapter 7's reading of gap-closing settings (the first of ``settings`` is the default).
    ``gaps`` has one row per seed and setting with the measured gap's ``checking``, ``generating``
    and ``gap`` (:func:`pftlib.llm.gap.measured_gap`).  Returns, per setting, ``arm - baseline`` in
    true reward (judged against ``margin``), the default's measured gap minus the setting's, and a
    table of both with the mean agreements."""
    per = {s: gaps[gaps.setting == s].set_index("seed")["gap"].to_dict() for s in settings}
    edges = {s: versus(runs, arm, baseline, "true reward", margin=margin, setting=s) for s in settings}
    drops = {s: paired(per[settings[0]], per[s]) for s in settings}
    means = gaps.groupby("setting")[["checking", "generating", "gap"]].mean()
    rows = [{"setting": s, f"{arm} − {baseline}": d.mean, "verdict": describe(d, "online", baseline),
             "RM agreement (checking)": means.loc[s, "checking"],
             "DPO-implicit agreement (generating)": means.loc[s, "generating"], "measured gap": means.loc[s, "gap"],
             "default's gap − this one": drops[s].mean} for s, d in edges.items()]
    return edges, drops, pd.DataFrame(rows)
