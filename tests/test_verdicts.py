"""The two-sd rule that decides every verdict in the book, and the hypotheses' verdicts built on it,
on constructed inputs."""

from __future__ import annotations

import math

import pytest

from pftlib.report import verdicts
from pftlib.report.verdicts import Difference, describe, paired


def test_a_clear_gain_counts_and_a_noisy_one_does_not():
    clear = paired({0: 1.0, 1: 1.1, 2: 0.9}, {0: 0.0, 1: 0.0, 2: 0.0})
    assert clear.sign == 1 and math.isclose(clear.mean, 1.0) and math.isclose(clear.sd, 0.1)
    assert describe(clear, "online", "offline") == "online beats offline"
    noisy = paired({0: 1.0, 1: -0.8, 2: 0.3}, {0: 0.0, 1: 0.0, 2: 0.0})
    assert noisy.sign == 0 and describe(noisy, "a", "b") == "no difference beyond twice the seed spread"
    loss = paired({0: 0.0, 1: 0.0}, {0: 1.0, 1: 1.2})
    assert loss.sign == -1 and describe(loss, "a", "b") == "a loses to b"


def test_the_rule_is_strict_at_exactly_two_sd():
    assert Difference(mean=2.0, sd=1.0, n=3).sign == 0
    assert Difference(mean=2.0001, sd=1.0, n=3).sign == 1


def test_one_seed_decides_nothing_and_only_shared_seeds_count():
    one = paired({0: 5.0, 1: 9.0}, {0: 1.0})
    assert one.n == 1 and one.sign is None and "undecided" in describe(one, "a", "b")
    with pytest.raises(ValueError, match="share no seed"):
        paired({0: 1.0}, {1: 1.0})


WIN, TIE, LOSS, ONE = (Difference(1.0, 0.1, 3), Difference(0.1, 1.0, 3), Difference(-1.0, 0.1, 3),
                       Difference(1.0, math.nan, 1))


def test_h1_is_against_only_when_the_exact_refit_stays_and_relabelling_does_not_win():
    assert verdicts.h1(exact_refit_moved=False, online_vs_offline=TIE) == "against"
    assert verdicts.h1(exact_refit_moved=False, online_vs_offline=LOSS) == "against"
    assert verdicts.h1(exact_refit_moved=False, online_vs_offline=WIN) == "for, on the language model"
    assert verdicts.h1(exact_refit_moved=True, online_vs_offline=TIE) == "undecided"


def test_h2_needs_an_online_edge_at_every_beta_and_over_dpo_twice():
    assert verdicts.h2([WIN, WIN], WIN) == "against"
    assert verdicts.h2([WIN, TIE], WIN) == "mixed"
    assert verdicts.h2([WIN, WIN], TIE) == "mixed"
    assert verdicts.h2([TIE, LOSS], LOSS) == "no online edge to explain at this scale"


def test_h3_h4_follow_the_sign_of_their_differences():
    assert [verdicts.h3(d) for d in (WIN, TIE, LOSS)] == ["for", "against", "against (more prompts hurt)"]
    assert verdicts.h3(ONE).startswith("undecided")
    assert verdicts.h4([TIE, WIN]) == "against"
    assert verdicts.h4([TIE, LOSS]).startswith("not testable")


def test_h5_asks_whether_likelihood_and_best_of_n_order_reward_models_alike():
    assert verdicts.h5([(1, 1), (-1, -1), (0, 1)]).startswith("not a root cause")
    assert verdicts.h5([(1, 1), (1, -1)]) == "likelihood and best-of-N disagree here"
    assert verdicts.h5([(0, 1), (None, None)]).startswith("undecided")


def test_h6_is_supported_only_by_an_edge_that_closing_the_gap_removes():
    assert verdicts.h6(WIN, [TIE, LOSS]).startswith("supported")
    assert verdicts.h6(WIN, [TIE, WIN]).startswith("not supported")
    assert verdicts.h6(TIE, [TIE, TIE]).startswith("not testable")


def test_the_language_model_dial_table_on_constructed_points():
    from pftlib.report.verdicts import dial_table

    def point(h, seed, dpo, online, gold):
        return {"horizon": h, "seed": seed, "agreement": 0.9,
                "true reward": {"DPO": dpo, "Online DPO (SFT)": online, "Online DPO (SFT), gold judge": gold}}

    points = [point(1, s, 1.0, 1.0 + e, 1.0) for s, e in enumerate((0.1, -0.1, 0.0))]  # no edge at H=1
    points += [point(8, s, 0.0, 0.5 + e, 0.6) for s, e in enumerate((0.0, 0.1, -0.1))]  # a clear edge at H=8
    rows = {r["horizon"]: r for r in dial_table(points, ("horizon",))}
    assert rows[1]["edge"] == pytest.approx(0.0) and rows[1]["edge sd"] == pytest.approx(0.1)
    assert rows[1]["edge verdict"] == "no difference beyond twice the seed spread"
    assert rows[8]["edge"] == pytest.approx(0.5) and rows[8]["edge verdict"] == "online beats DPO"
    assert rows[8]["gold edge"] == pytest.approx(0.6) and rows[8]["seeds"] == 3


def test_every_hypothesis_outcome_has_a_claim_status():
    """Each outcome the hypothesis rules can return maps to one of the three statuses."""
    d = {sign: Difference({1: 1.0, 0: 0.0, -1: -1.0, None: 1.0}[sign], 0.1 if sign is not None else math.nan,
                          1 if sign is None else 3) for sign in (1, 0, -1, None)}
    outcomes = {verdicts.h1(moved, d[s]) for moved in (True, False) for s in d}
    outcomes |= {verdicts.h2([d[a], d[b]], d[c]) for a in d for b in d for c in d}
    outcomes |= {verdicts.h3(d[s]) for s in d}
    outcomes |= {verdicts.h4([d[a], d[b]]) for a in d for b in d}
    outcomes |= {verdicts.h5(signs) for signs in ([], [(1, 1)], [(1, -1)], [(None, 1)])}
    outcomes |= {verdicts.h6(d[a], [d[b]]) for a in d for b in d}
    assert outcomes == set(verdicts.HYPOTHESIS_CLAIM)
    statuses = {verdicts.REPRODUCED, verdicts.NOT_REPRODUCED, verdicts.NOT_TESTABLE}
    assert set(verdicts.HYPOTHESIS_CLAIM.values()) == statuses
    assert [verdicts.claim(x) for x in (True, False, None)] == [verdicts.REPRODUCED, verdicts.NOT_REPRODUCED,
                                                                 verdicts.NOT_TESTABLE]
    assert [verdicts.beats(d[s]) for s in (1, 0, -1, None)] == [True, False, False, None]
