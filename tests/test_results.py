"""The helpers the language-model chapters and the benchmarks appendix call: per-seed tables,
comparisons under the four-outcome rule, and findings that say when a benchmark was not measured."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import ROOT

import pftlib.report as report
from pftlib.report import benchmarks, verdicts
from pftlib.report.results import mean_of, per_seed, size_effect, spread, steps, table, versus

RESULTS = [
    {"seed": 0, "policies": {"DPO": {"reward": 1.0}, "Online": {"reward": 1.5}},
     "settings": {"short": {"policies": {"DPO": {"reward": 0.1}}}}},
    {"seed": 1, "policies": {"DPO": {"reward": 2.0}, "Online": {"reward": 2.4}},
     "settings": {"short": {"policies": {"DPO": {"reward": 0.2}}}}},
    {"seed": 2, "policies": {"DPO": {"reward": 3.0}, "Online": {"reward": 3.6}},
     "settings": {"short": {"policies": {"DPO": {"reward": 0.3}}}}},
]


def test_table_flattens_nested_results_into_one_row_per_seed_and_leaf():
    runs = table(RESULTS, ("policies", "policy"))
    assert list(runs.columns) == ["seed", "policy", "reward"] and len(runs) == 6
    nested = table(RESULTS, ("settings", "setting"), ("policies", "policy"))
    assert nested[["setting", "policy"]].drop_duplicates().values.tolist() == [["short", "DPO"]]
    curves = table([{"seed": 0, "best": {"rm": {1: {"r": 0.5}, 5: {"r": 0.7}}}}], ("best", "rm"), (None, "N"))
    assert curves["N"].tolist() == [1, 5]


def test_versus_pairs_seeds_and_applies_the_four_outcome_rule():
    runs = table(RESULTS, ("policies", "policy"))
    assert per_seed(runs, "reward", policy="Online") == {0: 1.5, 1: 2.4, 2: 3.6}
    d = versus(runs, "Online", "DPO", "reward")
    assert d.n == 3 and d.mean == pytest.approx(0.5) and d.outcome == verdicts.BEATS  # 0.5, 0.4, 0.6: sd 0.1
    assert versus(runs.assign(arm=runs["policy"]), "DPO", "Online", "reward", by="arm").outcome == verdicts.LOSES
    assert versus(runs, "Online", "DPO", "reward", margin=1.0).margin == 1.0
    stats = spread(runs, "policy", "reward")
    assert stats.loc[stats.policy == "DPO", ["mean", "low", "high"]].values.tolist() == [[2.0, 1.0, 3.0]]


def test_glue_comparisons_glues_each_difference_and_says_why_an_arm_is_missing(monkeypatch):
    glued = {}
    monkeypatch.setattr(report, "glue", lambda name=None, value=None, /, **kw: glued.update(kw or {name: value}))
    runs = table(RESULTS, ("policies", "policy"))
    out = report.glue_comparisons(runs, "reward", edge=("Online", "DPO"),
                                  gold=("Gold", "DPO", "the judge cannot score"))
    assert out["gold"] is None and glued["gold_verdict"] == "not trained (the judge cannot score)"
    assert glued["edge_diff"] == pytest.approx(0.5) and glued["edge_verdict"].startswith("Online beats DPO (95% CI")
    assert math.isnan(glued["gold_diff"])


def test_a_benchmark_not_yet_measured_gives_every_value_it_would_glue():
    values, tables = benchmarks.collapse_findings({})
    assert tables == [] and values["collapse_story"] == benchmarks.NOT_MEASURED
    assert math.isnan(values["collapse_rejected_long"])
    assert benchmarks.measured({}, "build") == benchmarks.NOT_MEASURED


def test_the_chapter_target_is_judged_on_each_chapter_alone_when_it_was_timed_alone():
    """DESIGN.md's 5 minutes are for a chapter on the machine's cores; in the book each chapter has
    one core.  Results saved before the chapters were timed alone are judged on the book's times."""
    rows = [{"what": "cold", "seconds": 600.0}, {"what": "warm", "seconds": 10.0},
            {"what": "chapter 04_pipeline", "seconds": 310.0}, {"what": "chapter 01_likelihood", "seconds": 900.0}]
    saved = {"build": {"rows": rows, "provenance": {}}}
    old = benchmarks.build_findings(saved)[0]["build_verdict"]
    assert old.startswith("Not every") and "310 s (in the book" in old
    rows.append({"what": "alone: chapter 04_pipeline", "seconds": 240.0})
    new = benchmarks.build_findings(saved)[0]["build_verdict"]
    assert new.startswith("Every") and "240 s (alone" in new and "up to 310 s" in new


def test_steps_and_size_effects_are_paired_over_seeds():
    runs = table(RESULTS, ("policies", "policy"))
    (up,) = steps(runs, "reward", ["DPO", "Online"], by="policy")
    assert up.mean == pytest.approx(0.5) and up.direction == 1
    grid = pd.DataFrame([{"seed": s, "RM size": rm, "policy size": p, "r": s + (rm == "big") + 2 * (p == "big")}
                         for s in range(2) for rm in ("small", "big") for p in ("small", "big")])
    assert size_effect(grid, "r", "RM size", "small", "big") == {0: 1.0, 1: 1.0}
    assert size_effect(grid, "r", "policy size", "small", "big") == {0: 2.0, 1: 2.0}


def test_the_hypotheses_table_takes_the_papers_verdicts_from_the_claims_list():
    from pftlib.report.pages import hypotheses_table

    statuses = {f"h{i}_status": f"ours {i}" for i in range(1, 6)}
    out = hypotheses_table("06_hypotheses", statuses)
    assert out["our verdict (computed)"].tolist() == [f"ours {i}" for i in range(1, 6)]
    assert out["the paper's verdict"].tolist() == ["against"] * 4 + ["not a root cause"]
    with pytest.raises(KeyError):
        hypotheses_table("06_hypotheses", {})


def test_every_policy_the_pipeline_can_train_has_a_judge():
    from pftlib.llm.pipeline import GOLD_JUDGED, JUDGE, POLICIES, SIMPLE_JUDGED, TRL_ONLINE

    assert set(JUDGE) == {*POLICIES, *GOLD_JUDGED, SIMPLE_JUDGED, TRL_ONLINE}
    assert JUDGE["DPO 2x"] == "none (offline)" and JUDGE[GOLD_JUDGED[1]] == "gold judge (perfect)"


def test_mean_of_skips_seeds_without_the_metric_and_is_nan_when_none_has_it():
    results = [{"seed": 0, "rm": {"agreement": 0.8}}, {"seed": 1, "rm": {"agreement": 0.6}}, {"seed": 2}]
    assert mean_of(results, "rm", "agreement") == pytest.approx(0.7)
    assert math.isnan(mean_of(results, "linear reference", "agreement"))


def test_a_hypothesis_verdict_is_glued_with_its_claim_status(monkeypatch):

    glued = {}
    monkeypatch.setattr(report, "glue", lambda name=None, value=None, /, **kw: glued.update(kw or {name: value}))
    assert report.glue_hypothesis("h3", verdicts.H3_FOR) == verdicts.H3_FOR
    assert glued == {"h3_status": verdicts.H3_FOR, "claim_h3": verdicts.NOT_REPRODUCED}
    with pytest.raises(KeyError):
        report.glue_hypothesis("h3", "a verdict no rule returns")


def test_h2_compares_both_routes_at_the_chapters_beta_and_at_each_swept_beta():
    from pftlib.llm.config import Hypotheses
    from pftlib.llm.hypotheses import ONLINE_SFT, beta_arms, swept

    config = Hypotheses(beta=0.2, betas="0.05,0.4")
    assert beta_arms(config) == [(0.2, "DPO", ONLINE_SFT), (0.05, swept("DPO", 0.05), swept(ONLINE_SFT, 0.05)),
                                 (0.4, swept("DPO", 0.4), swept(ONLINE_SFT, 0.4))]


def test_the_appendices_say_where_each_benchmark_ran_and_which_pages_left_the_lock():
    from pftlib.report.pages import lock_verdict

    assert set(benchmarks.where({}).values()) == {benchmarks.NOT_MEASURED}
    committed = {p.stem for p in (ROOT / "benchmarks" / "results").glob("*.json")}  # each says where it ran
    assert set(benchmarks.WHERE.values()) == committed and len(benchmarks.where({})) == len(committed)
    assert lock_verdict({}) == "Every page was executed with the versions the lock pins."
    assert "04_pipeline (torch 2.1 (lock 2.2))" in lock_verdict({"04_pipeline": {"torch": ("2.1", "2.2")}})


def _dial_point(verifier, horizon, seed, gap, edge):
    return {"verifier": verifier, "horizon": horizon, "n_pairs": 2500, "seed": seed, "gap": gap, "edge": edge,
            "agreement": 0.9, "implicit agreement": 0.9 - gap, "gold edge": edge, "chosen epochs": {"RM": 12, "DPO": 2},
            "true reward": {"DPO (tuned)": 0.0, "DPO 2x": -0.1, "Online DPO (SFT)": edge,
                            "Online DPO (SFT), gold judge": edge}}


def test_the_gap_findings_correlate_edge_with_measured_gap_and_check_held_out_seeds():
    """Four settings whose edge rises with the measured gap, five seeds each: the correlation is +1
    with an interval above zero; the held-out seeds' edges keep their sign."""
    rows = [_dial_point("budget", h, s, gap=h / 10 + s % 100 / 1000, edge=(h - 2.5) / 10 + s % 100 / 1000)
            for h in (1, 2, 3, 4) for s in (*range(5), 1000, 1001)]
    result = {"lm_gap_dial": {"rows": rows, "provenance": {"parameters": {"setup": {"margin": 0.05}}}}}
    values, (table,) = benchmarks.gap_findings(result)
    assert values["gap_rho_text"].startswith("rank correlation +1.00")
    assert values["gap_settings"] == 4 and values["gap_min_seeds"] == 5
    assert values["gap_prediction"].startswith("The paper's prediction holds here")
    assert values["gap_held_out"].startswith("of the 4 settings whose edge the main seeds decide, the held-out seeds "
                                             "(2 per setting) give 4 the same sign")
    assert values["gap_closed"].startswith("the measured gap is above zero in every setting")
    assert values["gap_twice"] == "DPO 2x beats the tuned DPO in no setting"
    assert values["gap_epochs"] == "RM chose 12 epochs in 100% of runs, DPO chose 2 epochs in 100% of runs"
    assert list(table["seeds"]) == [5] * 4 and list(table["DPO 2x edge"]) == pytest.approx([-0.1] * 4)
    assert values["claim_gap_slope"] == verdicts.REPRODUCED
    assert values["gap_margin"] == "Its equivalence margin, fixed in its config before it ran, is ±0.05 in true reward."
    closed = rows + [_dial_point("priced", 8, s, gap=(-1) ** s / 100, edge=-0.3 - s / 100) for s in range(5)]
    result["lm_gap_dial"]["rows"] = closed  # a setting whose gap straddles zero: its edge is named beside it
    text = benchmarks.gap_findings(result)[0]["gap_closed"]
    assert text.startswith("the measured gap's interval reaches zero, so the prediction is that online has no edge, "
                           "in priced at horizon 8 with 2500 pairs (there online loses to DPO (tuned) (95% CI")
    missing, tables = benchmarks.gap_findings({})
    assert missing["gap_prediction"] == benchmarks.NOT_MEASURED and tables == []
    assert missing["claim_gap_slope"] == verdicts.NOT_TESTABLE


def test_the_selection_findings_compare_the_learned_and_the_gold_judge_by_what_they_picked():
    rows = [{"seed": s, "temperature": t, "K": k, "judge": j, "true reward": base + s / 100, "DPO (tuned)": 0.0,
             "pair accuracy": acc, "gold margin": acc, "chosen words": 2.0, "rejected words": 3.0}
            for s in range(3) for t in (0.1, 1.0) for k in (2, 25)
            for j, base, acc in (("learned RM", 0.3, 0.8), ("gold verifier", 0.1 + k / 100, 1.0),
                                 ("simple RM (linear)", 0.2, 0.9))]
    setup = {"margin": 0.05, "verifier": "priced", "budget": 8, "n_pairs": 2500, "n_sft": 2500}
    result = {"online_selection": {"rows": rows, "provenance": {"parameters": {"setup": setup}}}}
    values, (table,) = benchmarks.selection_findings(result)
    assert values["selection_task"] == "the priced summary (horizon 8, 2,500 pairs, 2,500 SFT examples)"
    assert values["selection_order"].startswith("Judged by the learned reward model, the online round beats the same "
                                                "round judged by the gold verifier in 2 of 4 (temperature, K) "
                                                "settings, loses in 2")  # the gold judge wins at K = 25
    assert "right 80.0% of the time against 100.0%" in values["selection_why"]
    assert values["selection_why"].endswith("yet its round's mean true reward is the higher; learned against gold: "
                                            "learned beats gold (95% CI +0.180 to +0.180).")
    assert values["selection_k"] == ("With the gold judge, the edge over the tuned DPO goes at temperature 0.1, from "
                                     "+0.130 at K=2 to +0.360 at K=25; at temperature 1, from +0.130 at K=2 to +0.360 "
                                     "at K=25.")
    assert len(table) == 12 and set(table["seeds"]) == {3}
    assert benchmarks.selection_findings({})[0]["selection_order"] == benchmarks.NOT_MEASURED


def test_the_attribution_names_what_the_edge_follows():
    """Selection rows where K = 25 beats K = 2 for every (temperature, judge), beside the dial of the
    gap-findings test (an edge rising with the measured gap): the edge follows both."""
    rows = [_dial_point("budget", h, s, gap=h / 10 + s % 100 / 1000, edge=(h - 2.5) / 10 + s % 100 / 1000)
            for h in (1, 2, 3, 4) for s in range(5)]
    selection = [{"seed": s, "temperature": t, "K": k, "judge": j, "true reward": k / 10 + s / 100}
                 for s in range(3) for t in (0.1, 1.0) for k in (2, 25) for j in ("learned RM", "gold verifier")]
    saved = {"lm_gap_dial": {"rows": rows, "provenance": {"parameters": {"setup": {}}}},
             "online_selection": {"rows": selection, "provenance": {"parameters": {"setup": {}}}}}
    assert benchmarks.attribution(saved).startswith("At this scale online's edge follows both selection and the "
                                                    "measured gap: K=25 beats K=2 for 4 of 4")
    assert benchmarks.attribution({"lm_gap_dial": saved["lm_gap_dial"]}) == benchmarks.NOT_MEASURED
