"""The benchmarks appendix: each committed benchmark result (``benchmarks/results/*.json``, written by
the scripts in ``benchmarks/``) read back into the sentences, verdicts and tables its page shows.

Each ``*_findings`` function takes the saved results (:func:`load`) and returns the values the
page glues, and the tables it displays; a benchmark that has not been committed yet gives
"not measured yet" (or NaN for numbers) for every value, so the page still builds and says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import pandas as pd

from ..environment import book_root, installed_from
from ..llm.policies import DPO, DPO_2X, GOLD_DPO, GOLD_SFT, ONLINE_DPO, ONLINE_SFT, SFT, TUNED_DPO
from ..params import ParameterError
from ..publish.chapters import LANGUAGE_MODEL
from .verdicts import (
    BEATS,
    DIAL_ARMS,
    EQUIVALENT,
    LOSES,
    NOT_TESTABLE,
    REPRODUCED,
    UNDECIDED,
    claim,
    describe,
    dial_table,
    paired,
    power,
    rank_correlation,
)

NOT_MEASURED = "not measured yet"
#: The build targets (DESIGN.md): cold build, warm rebuild, each language-model chapter, the engine.
COLD_S, WARM_S, CHAPTER_S, ENGINE_S, CLI_S = 12 * 60, 120, 300, 2.0, 2.0  # DESIGN.md's targets


def load(folder: str | Path | None = None) -> dict[str, dict]:
    """Every committed benchmark result in ``folder`` (default: the book's ``benchmarks/results``,
    in the checkout at or above the working folder, else in the one ``pftlib`` is installed from,
    as when a grader runs a chapter in a folder of its own), by file stem."""
    if folder is None:
        root = book_root() or installed_from()
        if root is None:
            raise ParameterError("no checkout of the book here or where pftlib is installed from: the committed "
                                 "benchmark results live in one")
        folder = root / "benchmarks" / "results"
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"parameter 'results_dir': {str(folder)!r} is not a folder of benchmark results")
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def measured(saved: dict, name: str) -> str:
    """Where and when a benchmark ran, in words."""
    if name not in saved:
        return NOT_MEASURED
    prov = saved[name]["provenance"]
    return f"measured on {prov['device']}, commit {prov['commit']}, {prov['executed_utc']}"


#: Where each benchmark ran, glued as ``where_<key>``: the page's key and the result's file stem.
WHERE = {"build": "build", "cli": "cli", "engine": "engine", "training": "training", "budget": "budget_task",
         "learnability": "reward_learnability", "dial": "lm_gap_dial", "collapse": "online_collapse",
         "vocabulary_reference": "lm_gap_dial_vocabulary_reference", "selection": "online_selection"}


def where(saved: dict) -> dict[str, str]:
    """``{"where_<key>": where and when it ran}`` for every benchmark of :data:`WHERE`."""
    return {f"where_{key}": measured(saved, name) for key, name in WHERE.items()}


def show_findings(findings: Callable[[dict], tuple[dict[str, Any], list]], saved: dict) -> list:
    """Glue one benchmark's findings and display its tables (none when it was not measured)."""
    from IPython.display import display

    from . import glue

    values, tables = findings(saved)
    glue(**values)
    for table in tables:
        display(table)
    return tables


def findings(name: str, texts: tuple[str, ...] = (), numbers: tuple[str, ...] = (), needs: str | None = None,
             claims: tuple[str, ...] = ()):
    """Decorate a function of one benchmark's saved result that returns ``(values, tables)``: when
    the benchmark is missing (or its rows lack the measurement ``needs``: saved by an older
    version), the page gets "not measured yet" for each of ``texts``, NaN for each of ``numbers``,
    "not testable" for each claim status in ``claims``, and no tables."""
    def wrap(fn: Callable[[dict], tuple[dict[str, Any], list]]):
        @wraps(fn)
        def run(saved: dict) -> tuple[dict[str, Any], list]:
            if name not in saved or (needs and needs not in saved[name]["rows"][0]):
                return {**dict.fromkeys(texts, NOT_MEASURED), **dict.fromkeys(numbers, math.nan),
                        **dict.fromkeys(claims, NOT_TESTABLE)}, []
            return fn(saved[name])
        return run
    return wrap


@findings("build", texts=("build_verdict",))
def build_findings(result: dict):
    build = pd.DataFrame(result["rows"])
    build["minutes"] = (build["seconds"] / 60).round(2)
    cold, warm = build["seconds"].iloc[0], build["seconds"].iloc[1]
    in_book, alone = (build[build["what"].isin([f"{how}chapter {ch.stem}" for ch in LANGUAGE_MODEL])]["seconds"].max()
                      for how in ("", "alone: "))
    if pd.isna(alone):  # results measured before chapters were timed alone: the book's own times
        alone, where = in_book, "in the book"
    else:
        where = f"alone on the machine's cores; side by side in the book, a core each, up to {in_book:.0f} s"
    met = cold <= COLD_S and warm < WARM_S and alone <= CHAPTER_S
    verdict = (f"{'Every' if met else 'Not every'} build target is met: cold {cold / 60:.1f} min (target "
               f"{COLD_S / 60:.0f}), warm {warm:.0f} s (target under {WARM_S}), slowest language-model chapter "
               f"{alone:.0f} s ({where}; target {CHAPTER_S}).")
    return {"build_verdict": verdict}, [build[["what", "seconds", "minutes"]].round(1)]


@findings("cli", texts=("cli_verdict",))
def cli_findings(result: dict):
    cli = pd.DataFrame(result["rows"])
    slowest = cli.loc[cli["first s"].idxmax()]
    verdict = (f"{'Every' if cli['first s'].max() < CLI_S else 'Not every'} command answers within the "
               f"{CLI_S:.0f} s target: the slowest, {slowest['what']}, took {slowest['first s']:.2f} s on its "
               "first run.")
    return {"cli_verdict": verdict}, [cli.round(2)]


@findings("engine", texts=("engine_verdict", "engine_ratio"))
def engine_findings(result: dict):
    engine = pd.DataFrame(result["rows"])
    largest, top = engine.dropna().iloc[-1], engine.iloc[-1]
    at = f"At {int(top['completions']):,} completions the engine takes {top['engine s']:.2f} s"
    return {"engine_verdict": f"{at}: within the target." if top["engine s"] <= ENGINE_S else
            f"{at}: slower than the 2 s target.",
            "engine_ratio": f"At {int(largest['completions']):,} completions the naive loop, doing less work, is "
                            f"{largest['naive loop s'] / largest['engine s']:.0f} times slower."}, [engine]


@findings("training", texts=("kv_gain",))
def training_findings(result: dict):
    training = pd.DataFrame(result["rows"])
    generation = training[training["what"].str.startswith("generation")].copy()
    generation["length"] = generation["what"].str.extract(r"(\d+) new tokens", expand=False)
    generation["cache"] = generation["what"].str.endswith("on")
    by = generation.pivot(index="length", columns="cache", values="value")
    gains = (by[True] / by[False]).round(1).sort_index(key=lambda i: i.astype(int))
    return ({"kv_gain": "; ".join(f"{n} times at {length} new tokens" for length, n in gains.items())},
            [training[["what", "value", "unit", "seconds"]].round(2)])


@findings("reward_learnability", texts=("learn_gap", "learn_best_budget", "learn_story", "learn_priced"),
          numbers=("learn_coverage_train",))
def learnability_findings(result: dict):
    learn = pd.DataFrame(result["rows"])
    transformer = learn[learn.model != "linear reference"]
    best, fit = transformer.groupby("verifier")["held out"].max(), transformer.groupby("verifier")["train"].max()
    ref = learn[learn.model == "linear reference"].set_index("verifier")["held out"]
    budget = transformer[transformer.verifier == "budget"]
    below = (ref - best) * 100  # points below the linear reference, per verifier
    sound = below["bag of words"] <= 5 and best["budget"] >= 0.85 and below["coverage"] >= 15
    story = (f"The recipe is sound: the transformer reward model ends {below['bag of words']:.1f} points below the "
             f"linear reference on the bag-of-words verifier and {below['budget']:.1f} below on the budget verifier, "
             f"but {below['coverage']:.1f} below on the coverage verifier, where it underfits even its own training "
             "pairs: the document lookup is what it does not learn from a few thousand pairs." if sound else
             "The results do not single out the coverage verifier as the one the recipe cannot learn; read the table.")
    priced = (NOT_MEASURED if "priced" not in best else
              f"On the priced verifier the best transformer reaches {best['priced']:.3f} held-out agreement against "
              f"the linear reference's {ref['priced']:.3f}, {below['priced']:.1f} points below it: "
              + ("learnable from a few thousand pairs, like the budget verifier." if below["priced"] <= 5 else
                 "the document lookup is not learned from a few thousand pairs, so the priced summary is not yet a "
                 "task to build on."))
    return {"learn_gap": "; ".join(f"{v}: best transformer {best[v]:.3f} against the linear reference's {ref[v]:.3f}"
                                   for v in best.index), "learn_priced": priced,
            "learn_coverage_train": fit.get("coverage", math.nan),
            "learn_best_budget": budget.loc[budget["held out"].idxmax(), "model"], "learn_story": story}, \
        [learn.pivot_table(index="model", columns="verifier", values="held out", sort=False).round(3)]


ARMS = [(ONLINE_SFT, DPO), (ONLINE_DPO, DPO_2X), (GOLD_SFT, DPO), (GOLD_DPO, DPO_2X)]


@findings("budget_task", texts=("budget_online_sft", "budget_online_dpo", "budget_gold_sft", "budget_gold_dpo"),
          numbers=("budget_rm_agree", "budget_lin_agree", "coverage_rm_agree", "coverage_lin_agree"))
def budget_findings(result: dict):
    overview, calls = [], []
    for task, rows in pd.DataFrame(result["rows"]).groupby("task", sort=False):
        overview.append({"task": task, "seeds": len(rows),
                         **{f"{key} agreement": rows[key].map(lambda m: m["agreement with gold judge"]).mean()
                            for key in ("reward model", "linear reference")}})
        for a, b in ARMS:
            d = paired(*({r["seed"]: r["policies"][p]["true reward"] for _, r in rows.iterrows()} for p in (a, b)))
            calls.append({"task": task, "comparison": f"{a} − {b}", "mean": d.mean, "sd": d.sd,
                          "verdict": describe(d, a, b)})
    overview, calls = pd.DataFrame(overview).set_index("task"), pd.DataFrame(calls)
    budget = calls[calls.task.str.startswith("budgeted")].set_index("comparison")["verdict"]
    names = ("budget_online_sft", "budget_online_dpo", "budget_gold_sft", "budget_gold_dpo")
    values = {name: budget[f"{a} − {b}"] for name, (a, b) in zip(names, ARMS)}
    for i, task in ((0, "budget"), (-1, "coverage")):
        values[f"{task}_rm_agree"] = overview["reward model agreement"].iloc[i]
        values[f"{task}_lin_agree"] = overview["linear reference agreement"].iloc[i]
    return values, [overview.reset_index().round(3), calls.round(3)]


def _baseline(points: list[dict]) -> str:
    """The offline policy a dial's edges are taken over: the tuned DPO (since equal tuning), or
    1-epoch DPO in results saved before it."""
    return TUNED_DPO if TUNED_DPO in points[0]["true reward"] else DPO


def dial_tables(result: dict, held_out: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The language-model gap dial: edges by horizon (at the most pairs) and by pairs (at the longest
    horizon), on the main seeds (or on the held-out seeds, the 1000s, with ``held_out``)."""
    points = [p for p in result["rows"] if (p["seed"] >= HELD_OUT_FROM) == held_out]
    margin = result["provenance"]["parameters"]["setup"].get("margin", 0.0)
    most, longest = max(q["n_pairs"] for q in points), max(q["horizon"] for q in points)
    by_h = dial_table([p for p in points if p["n_pairs"] == most], ("verifier", "horizon"), baseline=_baseline(points),
                      margin=margin)
    by_n = dial_table([p for p in points if p["horizon"] == longest], ("verifier", "n_pairs"),
                      baseline=_baseline(points), margin=margin)
    return pd.DataFrame(by_h), pd.DataFrame(by_n)


#: Seeds from here on are held out: no chapter default uses them (``benchmarks/lm_gap_dial.py``).
HELD_OUT_FROM = 1000


@findings("lm_gap_dial", texts=("dial_grows", "dial_short", "dial_long", "dial_rouge_long"),
          numbers=("dial_rouge_agree", "dial_budget_agree"))
def dial_findings(result: dict):
    by_h, by_n = dial_tables(result)
    simple = by_h[by_h.verifier == "budget"].sort_values("horizon")
    hard = by_h[by_h.verifier == "budget-rouge"].sort_values("horizon")
    grows = simple["edge"].is_monotonic_increasing and simple["edge"].iloc[-1] > simple["edge"].iloc[0]
    return {"dial_grows": f"With the simple verifier, online's edge {'grows' if grows else 'does not grow'} with the "
                          "horizon at every step of the dial.",
            "dial_short": simple["edge verdict"].iloc[0], "dial_long": simple["edge verdict"].iloc[-1],
            "dial_rouge_long": hard["edge verdict"].iloc[-1], "dial_rouge_agree": hard["agreement"].iloc[-1],
            "dial_budget_agree": simple["agreement"].iloc[-1]}, [pd.concat([by_h, by_n]).round(3)]


def _margin_text(result: dict) -> str:
    """What the sweep's equivalence margin was, in words: one fixed in its config before it ran,
    or none (a sweep that started before configs had margins gets no "equivalent" outcome)."""
    margin = result["provenance"]["parameters"]["setup"].get("margin")
    if margin is None:
        return ("This sweep started before the configs carried an equivalence margin, so none was fixed for it and "
                "no difference in it can read \"equivalent\": each is beats, loses or undecided.")
    return f"Its equivalence margin, fixed in its config before it ran, is ±{margin:g} in true reward."


def gap_settings(result: dict, held_out: bool = False) -> pd.DataFrame:
    """One row per setting of the dial (verifier, horizon, pairs): seeds, the edge of the learned
    and of the gold-judged online round over the tuned DPO with their intervals and verdicts, and
    the measured gap with its interval."""
    points = [p for p in result["rows"] if (p["seed"] >= HELD_OUT_FROM) == held_out]
    margin = result["provenance"]["parameters"]["setup"].get("margin", 0.0)
    arms = {**DIAL_ARMS, "DPO 2x edge": DPO_2X}  # the paper's control beside the online rounds
    return pd.DataFrame(dial_table(points, ("verifier", "horizon", "n_pairs"), arms, _baseline(points), margin))


@findings("lm_gap_dial", texts=("gap_rho_text", "gap_point_rho_text", "gap_held_out", "gap_prediction",
                                "gap_epochs", "gap_closed", "gap_twice", "gap_margin"),
          numbers=("gap_settings", "gap_min_seeds", "gap_largest", "gap_smallest"), needs="gap",
          claims=("claim_gap_slope",))
def gap_findings(result: dict):
    """Online's edge against the measured gap, across settings: the rank correlation of the
    setting means (and of every seed's point) with 95% bootstrap intervals, and whether the
    held-out seeds give each decided edge the same sign."""
    table = gap_settings(result)
    points = [p for p in result["rows"] if p["seed"] < HELD_OUT_FROM]
    by_setting = rank_correlation(list(table["gap"]), list(table["edge"]))
    by_point = rank_correlation([p["gap"] for p in points], [p["edge"] for p in points])
    held = gap_settings(result, held_out=True) if any(p["seed"] >= HELD_OUT_FROM for p in result["rows"]) else None
    if held is None:
        held_text = NOT_MEASURED
    else:
        key = ["verifier", "horizon", "n_pairs"]
        both = table.merge(held[key + ["edge", "seeds"]], on=key, suffixes=("", " held out"))
        decided = both[both["edge low"].gt(0) | both["edge high"].lt(0)]
        same = int((decided["edge"].gt(0) == decided["edge held out"].gt(0)).sum())
        held_text = (f"of the {len(decided)} settings whose edge the main seeds decide, the held-out seeds "
                     f"({int(both['seeds held out'].min())} per setting) give {same} the same sign"
                     if len(decided) else "the main seeds decide no setting's edge, so there is no sign to check")
    prediction = ("The paper's prediction holds here: the edge rises with the measured gap, and the interval of the "
                  "correlation lies above zero." if by_setting["low"] > 0 else
                  "The paper's prediction is contradicted here: the edge falls as the measured gap grows, and the "
                  "interval of the correlation lies below zero." if by_setting["high"] < 0 else
                  "The paper's prediction is not decided here: the interval of the correlation includes zero.")
    label = [f"{r.verifier} at horizon {r.horizon} with {r.n_pairs} pairs" for r in table.itertuples()]
    open_ = table["gap low"] > 0
    closed = ("the measured gap is above zero in every setting (its interval excludes zero): none closes it, so "
              "the sweep tests the slope of the prediction, not its zero" if open_.all() else
              "the measured gap's interval reaches zero, so the prediction is that online has no edge, in "
              + "; ".join(f"{name} (there {verdict})" for name, o, verdict in zip(label, open_, table["edge verdict"])
                          if not o))
    beats = table["DPO 2x edge low"] > 0
    twice = (f"DPO 2x beats the tuned DPO in {int(beats.sum())} of {len(table)} settings" if beats.any() else
             "DPO 2x beats the tuned DPO in no setting")
    chosen = pd.DataFrame([p["chosen epochs"] for p in points])
    epochs = ", ".join(f"{model} chose {int(e)} epochs in {share:.0%} of runs"
                       for model in chosen for e, share in chosen[model].value_counts(normalize=True).items())
    ci = "rank correlation {rho:+.2f} (95% bootstrap interval {low:+.2f} to {high:+.2f}, {n} {what})"
    return {"gap_rho_text": ci.format(**by_setting, what="settings"),
            "gap_point_rho_text": ci.format(**by_point, what="seed-by-setting points"),
            "claim_gap_slope": claim(True if by_setting["low"] > 0 else False if by_setting["high"] < 0 else None),
            "gap_held_out": held_text, "gap_prediction": prediction, "gap_epochs": epochs, "gap_closed": closed,
            "gap_twice": twice, "gap_margin": _margin_text(result),
            "gap_settings": len(table), "gap_min_seeds": int(table["seeds"].min()),
            "gap_largest": table["gap"].max(), "gap_smallest": table["gap"].min()}, [table.round(3)]


def rouge_search(saved: dict, references: dict[str, str], n_pairs: int = 2500) -> pd.DataFrame | str:
    """The ROUGE-L closer by horizon, once per ROUGE-L reference (label: result name) that was measured."""
    rows = []
    for label, name in references.items():
        if name in saved:
            rouge = [p for p in saved[name]["rows"]
                     if p["verifier"] == "budget-rouge" and p["n_pairs"] == n_pairs and p["seed"] < HELD_OUT_FROM]
            rows += [{"ROUGE-L reference": label, **row}
                     for row in dial_table(rouge, ("verifier", "horizon"), baseline=_baseline(rouge))]
    return pd.DataFrame(rows).drop(columns=["verifier", "seeds"]).round(3) if rows else NOT_MEASURED


@findings("online_collapse", texts=("collapse_reward", "collapse_repeats", "collapse_gain", "collapse_words",
                                    "collapse_chosen_full", "collapse_story"), numbers=("collapse_rejected_long",))
def collapse_findings(result: dict):
    rows, ks = result["rows"], result["provenance"]["parameters"]["ks"]
    collapse = pd.DataFrame([{"policy": r["policy"], "decoding": mode, "seed": r["seed"], **r[mode]}
                             for r in rows for mode in ("greedy", "sampled")])
    means = collapse.drop(columns="seed").groupby(["policy", "decoding"], sort=False).mean()
    big, small = f"gold K={max(ks)}", f"gold K={min(ks)}"
    g = means.xs("greedy", level="decoding")
    lengths = pd.DataFrame([{"seed": r["seed"], "round": r["policy"], "side": side, "words": int(n), "pairs": c}
                            for r in rows if r["policy"] != SFT
                            for side, hist in r["pair lengths"].items() for n, c in hist.items()])
    pairs = lengths.groupby(["round", "side", "words"])["pairs"].sum()
    share = pairs / lengths.groupby(["round", "side"])["pairs"].sum()

    def beyond(rnd: str, side: str, words: int) -> float:
        """Share of a round's chosen or rejected summaries with more than ``words`` words."""
        return share.loc[(rnd, side)][share.loc[(rnd, side)].index > words].sum()

    worse = (g.loc[big, "true reward"] < g.loc[SFT, "true reward"]
             and g.loc[big, "repeated words"] > g.loc[SFT, "repeated words"]
             and g.loc[big, "words"] > g.loc[SFT, "words"])
    return {
        "collapse_reward": f"{g.loc[SFT, 'true reward']:.3f} for SFT and {g.loc[big, 'true reward']:.3f} after the "
                           f"round at {big.split()[-1]}",
        "collapse_repeats": f"{g.loc[SFT, 'repeated words']:.2f} to {g.loc[big, 'repeated words']:.2f}",
        "collapse_gain": f"{g.loc[SFT, 'coverage gain']:.3f} to {g.loc[big, 'coverage gain']:.3f}",
        "collapse_words": f"{g.loc[SFT, 'words']:.2f} to {g.loc[big, 'words']:.2f}",
        "collapse_chosen_full": f"{beyond(small, 'chosen', 2):.0%} at {small.split()[-1]} and "
                                f"{beyond(big, 'chosen', 2):.0%} at {big.split()[-1]}",
        "collapse_rejected_long": beyond(big, "rejected", 3),
        "collapse_story": "The round lengthened the greedy summary and filled the extra place with repeated words: it "
                          "learned to write another word faster than which word." if worse else
                          "In this run the round did not both lengthen the greedy summary and fill it with repeats; "
                          "the story below does not apply as told.",
    }, [means.round(3), share.unstack("words").fillna(0).round(3)]


def selection_table(result: dict) -> pd.DataFrame:
    """The checking-or-selecting sweep (``benchmarks/online_selection.py``): per temperature, K and
    judge, the online round's edge over the tuned DPO (mean, 95% interval, verdict over seeds) and
    the mean of what its judge picked."""
    frame = pd.DataFrame(result["rows"])
    margin = result["provenance"]["parameters"]["setup"].get("margin", 0.0)
    rows = []
    for (t, k, judge), g in frame.groupby(["temperature", "K", "judge"], sort=False):
        d = paired(dict(zip(g["seed"], g["true reward"])), dict(zip(g["seed"], g[TUNED_DPO])), margin)
        low, high = d.interval
        rows.append({"temperature": t, "K": k, "judge": judge, "seeds": d.n, "edge": d.mean, "edge low": low,
                     "edge high": high, "verdict": describe(d, "online", "tuned DPO"),
                     **g[["pair accuracy", "gold margin", "chosen words", "rejected words"]].mean().to_dict()})
    return pd.DataFrame(rows)


#: The synthetic tasks by verifier, in words (for a sweep that records its verifier).
TASK_NAMES = {"priced": "the priced summary", "priced-rouge": "the priced summary judged by ROUGE-L",
              "budget": "the budgeted summary", "budget-rouge": "the budgeted summary judged by ROUGE-L",
              "coverage": "the coverage summary", "rouge": "the coverage summary judged by ROUGE-L"}


@findings("online_selection", texts=("selection_order", "selection_why", "selection_k", "selection_task"),
          numbers=("selection_seeds", "selection_power"))
def selection_findings(result: dict):
    """The learned judge against the gold judge, setting by setting, and why, from what each picked."""
    frame = pd.DataFrame(result["rows"])
    margin = result["provenance"]["parameters"]["setup"].get("margin", 0.0)
    outcomes, learned_vs_gold = [], {}
    for key, g in frame.groupby(["temperature", "K"], sort=False):
        by = {j: dict(zip(r["seed"], r["true reward"])) for j, r in g.groupby("judge")}
        d = paired(by["learned RM"], by["gold verifier"], margin)
        outcomes.append(d.outcome)
        learned_vs_gold[key] = describe(d, "learned", "gold")
    count = {o: outcomes.count(o) for o in (BEATS, LOSES, EQUIVALENT, UNDECIDED)}
    order = (f"Judged by the learned reward model, the online round beats the same round judged by the gold verifier "
             f"in {count[BEATS]} of {len(outcomes)} (temperature, K) settings, loses in {count[LOSES]}, is equivalent "
             f"in {count[EQUIVALENT]} and undecided in {count[UNDECIDED]}.")
    table = selection_table(result).set_index(["temperature", "K", "judge"])
    lead = (table.xs("learned RM", level="judge")["edge"] - table.xs("gold verifier", level="judge")["edge"])
    t, k = lead.idxmax()
    learned, gold = table.loc[(t, k, "learned RM")], table.loc[(t, k, "gold verifier")]
    why = (f"Where the learned judge leads the gold one most (temperature {t:g}, K={k}: {lead.max():+.3f} in mean true "
           f"reward), its pairs are right {learned['pair accuracy']:.1%} of the time against "
           f"{gold['pair accuracy']:.1%}, with a verifier margin of {learned['gold margin']:.2f} against "
           f"{gold['gold margin']:.2f}; its chosen summaries have {learned['chosen words']:.2f} words against "
           f"{gold['chosen words']:.2f}, its rejected ones {learned['rejected words']:.2f} against "
           f"{gold['rejected words']:.2f}. "
           + ("So the learned judge is not the better judge there (it is wrong more often and its pairs are closer "
              f"under the verifier), yet its round's mean true reward is the higher; learned against gold: "
              f"{learned_vs_gold[(t, k)]}."
              if learned["pair accuracy"] <= gold["pair accuracy"]
              and learned["gold margin"] <= gold["gold margin"] else
              "There the learned judge's pairs are at least as right, or as far apart, as the gold judge's."))
    table = table.reset_index()
    ks = sorted(table["K"].unique())
    gold_rows = table[table.judge == "gold verifier"].set_index(["temperature", "K"])["edge"]
    k_text = "; ".join(f"at temperature {t:g}, from {gold_rows[(t, ks[0])]:+.3f} at K={ks[0]} to "
                       f"{gold_rows[(t, ks[-1])]:+.3f} at K={ks[-1]}" for t in sorted(table["temperature"].unique()))
    seeds = int(table["seeds"].min())
    setup = result["provenance"]["parameters"]["setup"]
    task = (f"{TASK_NAMES[setup['verifier']]} (horizon {setup['budget']}, {setup['n_pairs']:,} pairs, "
            f"{setup['n_sft']:,} SFT examples)")
    return {"selection_order": order, "selection_why": why, "selection_seeds": seeds, "selection_power": power(seeds),
            "selection_task": task,
            "selection_k": f"With the gold judge, the edge over the tuned DPO goes {k_text}."}, [table.round(3)]


def attribution(saved: dict) -> str:
    """Does online's edge follow selection (K) or the measured gap?  From the two sweeps: how many
    (temperature, judge) pairs gain significantly from the largest K over the smallest, and the
    outcome of the edge's rank correlation with the measured gap."""
    gap_values, _ = gap_findings(saved)
    if "online_selection" not in saved or gap_values["claim_gap_slope"] == NOT_TESTABLE:
        return NOT_MEASURED
    frame = pd.DataFrame(saved["online_selection"]["rows"])
    low, high = frame["K"].min(), frame["K"].max()
    gains = [paired(*(dict(zip(g[g.K == k]["seed"], g[g.K == k]["true reward"])) for k in (high, low))).outcome
             for _, g in frame.groupby(["temperature", "judge"])]
    by_k = sum(o == BEATS for o in gains) * 2 >= len(gains)
    by_gap = gap_values["claim_gap_slope"] == REPRODUCED
    follows = {(True, False): "follows selection (the number of samples compared), not the measured gap",
               (False, True): "follows the measured gap, not selection", (True, True): "follows both selection and "
               "the measured gap", (False, False): "follows neither selection nor the measured gap"}[(by_k, by_gap)]
    return (f"At this scale online's edge {follows}: K={high} beats K={low} for {sum(o == BEATS for o in gains)} of "
            f"{len(gains)} (temperature, judge) pairs, and the edge has a {gap_values['gap_rho_text']} with the "
            "measured gap.")
