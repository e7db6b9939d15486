"""The four-outcome rule that decides every verdict in the book (95% t-interval against zero and
an equivalence margin), its power, and the hypotheses' verdicts built on it, on constructed inputs."""

from __future__ import annotations

import math

import pytest

from pftlib.report import verdicts
from pftlib.report.verdicts import BEATS, EQUIVALENT, LOSES, UNDECIDED, Difference, describe, paired, power


def test_the_interval_is_the_t_interval_of_the_paired_differences():
    d = paired({0: 1.0, 1: 1.1, 2: 0.9}, {0: 0.0, 1: 0.0, 2: 0.0})
    assert math.isclose(d.mean, 1.0) and math.isclose(d.sd, 0.1)
    half = 4.302652729911275 * 0.1 / math.sqrt(3)  # t(0.975, 2 df), from tables
    assert d.interval == pytest.approx((1.0 - half, 1.0 + half))
    assert d.outcome == BEATS and describe(d, "online", "offline").startswith("online beats offline (95% CI +0.752")


def test_four_outcomes_on_constructed_differences():
    assert Difference(-1.0, 0.1, 3).outcome == LOSES
    assert Difference(0.01, 0.02, 5, margin=0.05).outcome == EQUIVALENT  # interval inside ±0.05
    assert Difference(0.01, 0.02, 5, margin=0.02).outcome == UNDECIDED  # the interval reaches past the margin
    assert Difference(0.01, 0.02, 5).outcome == UNDECIDED  # no margin: never equivalent
    assert Difference(0.3, 0.5, 3, margin=0.05).outcome == UNDECIDED  # noisy: neither a difference nor equivalence
    assert "inside ±0.05" in describe(Difference(0.01, 0.02, 5, margin=0.05), "a", "b")


def test_the_rule_is_the_5_percent_t_test_not_two_sd():
    """At 3 seeds the old two-sd rule (t > 3.46) called what a 5% t-test (t > 4.30) does not."""
    se = 1.0 / math.sqrt(3)
    assert Difference(3.9 * se, 1.0, 3).outcome == UNDECIDED
    assert Difference(4.31 * se, 1.0, 3).outcome == BEATS


def test_one_seed_decides_nothing_and_only_shared_seeds_count():
    one = paired({0: 5.0, 1: 9.0}, {0: 1.0})
    assert one.n == 1 and one.outcome == UNDECIDED and "undecided" in describe(one, "a", "b")
    with pytest.raises(ValueError, match="share no seed"):
        paired({0: 1.0}, {1: 1.0})


def test_power_grows_with_seeds_and_matches_its_known_values():
    """Power of a two-sided 5% paired t-test to find an effect of one sd: about 0.19 at 3 seeds
    (the old three-seed setting) and 0.40 at 5 (noncentral t; G*Power gives 0.4014 at n = 5)."""
    assert power(3) == pytest.approx(0.19, abs=0.02)
    assert power(5) == pytest.approx(0.401, abs=0.005)
    assert power(2) < power(5) < power(10) < power(10, effect=2.0)
    assert power(1) == 0.0


def test_seeds_needed_is_the_first_seed_count_with_enough_power():
    from pftlib.report.verdicts import seeds_needed

    d = Difference(1.0, 1.0, 3)  # an effect of one sd
    n = seeds_needed(d)
    assert power(n) >= 0.8 > power(n - 1) and n == 10
    assert seeds_needed(Difference(0.0, 1.0, 3)) is None  # no effect: no number of seeds finds it
    assert seeds_needed(Difference(1.0, 0.0, 3)) == 2


WIN, TIE, LOSS, SAME = (Difference(1.0, 0.1, 5), Difference(0.1, 1.0, 5), Difference(-1.0, 0.1, 5),
                        Difference(0.0, 0.01, 5, margin=0.05))


def test_h1_is_decided_by_the_refitted_reward_model_not_by_whether_online_wins():
    assert verdicts.h1(SAME) == verdicts.AGAINST
    assert verdicts.h1(LOSS) == verdicts.AGAINST
    assert verdicts.h1(WIN) == verdicts.H1_FOR
    assert verdicts.h1(TIE) == verdicts.UNDECIDED


def test_h2_needs_a_win_at_every_beta_and_over_dpo_twice():
    assert verdicts.h2([WIN, WIN], WIN) == verdicts.AGAINST
    assert verdicts.h2([WIN, WIN], SAME) == verdicts.H2_FOR  # one more offline epoch closes the edge
    assert verdicts.h2([WIN, LOSS], WIN) == verdicts.H2_FOR
    assert verdicts.h2([WIN, TIE], WIN) == verdicts.UNDECIDED
    assert verdicts.h2([TIE, LOSS], LOSS) == verdicts.H2_NO_EDGE


def test_a_null_result_never_reads_against_h3_or_h4():
    assert [verdicts.h3(d) for d in (WIN, SAME, LOSS, TIE)] == [verdicts.H3_FOR, verdicts.AGAINST, verdicts.H3_HURT,
                                                                 verdicts.UNDECIDED]
    assert verdicts.h4([TIE, WIN]) == verdicts.AGAINST
    assert verdicts.h4([SAME, LOSS]) == verdicts.H4_NO_EDGE
    assert verdicts.h4([TIE, LOSS]) == verdicts.UNDECIDED


def test_h5_asks_whether_likelihood_and_best_of_n_order_reward_models_alike():
    assert verdicts.h5([(1, 1), (-1, -1), (0, 1)]) == verdicts.H5_NOT_ROOT
    assert verdicts.h5([(1, 1), (1, -1)]) == verdicts.H5_DISAGREE
    assert verdicts.h5([(0, 1), (0, 0)]) == verdicts.H5_UNDECIDED


def test_h6_needs_an_edge_that_is_gone_where_the_measured_gap_is_smaller():
    smaller, not_smaller = WIN, TIE  # the default's measured gap minus the setting's
    assert verdicts.h6(WIN, [(SAME, smaller), (WIN, not_smaller)]) == verdicts.H6_SUPPORTED
    assert verdicts.h6(WIN, [(WIN, smaller)]) == verdicts.H6_ALSO_CLOSED
    assert verdicts.h6(WIN, [(TIE, smaller)]) == verdicts.UNDECIDED  # no edge, but not shown equivalent
    assert verdicts.h6(WIN, [(SAME, not_smaller)]) == verdicts.H6_NO_CLOSER  # a closer by name only
    assert verdicts.h6(SAME, [(SAME, smaller)]) == verdicts.H6_NO_EDGE
    assert verdicts.h6(TIE, [(SAME, smaller)]) == verdicts.UNDECIDED


def test_the_language_model_dial_table_on_constructed_points():
    from pftlib.report.verdicts import dial_table

    def point(h, seed, dpo, online, gold, gap):
        return {"horizon": h, "seed": seed, "agreement": 0.9, "implicit agreement": 0.9 - gap, "gap": gap,
                "true reward": {"DPO": dpo, "Online DPO (SFT)": online, "Online DPO (SFT), gold judge": gold}}

    points = [point(1, s, 1.0, 1.0 + e, 1.0, 0.0 + e / 10) for s, e in enumerate((0.01, -0.01, 0.0))]
    points += [point(8, s, 0.0, 0.5 + e, 0.6, 0.2) for s, e in enumerate((0.0, 0.1, -0.1))]  # a clear edge at H=8
    rows = {r["horizon"]: r for r in dial_table(points, ("horizon",), margin=0.05)}
    assert rows[1]["edge"] == pytest.approx(0.0) and rows[1]["edge sd"] == pytest.approx(0.01)
    assert rows[1]["edge verdict"].startswith("online equivalent to DPO")
    assert rows[8]["edge"] == pytest.approx(0.5) and rows[8]["edge verdict"].startswith("online beats DPO")
    assert rows[8]["gold edge"] == pytest.approx(0.6) and rows[8]["seeds"] == 3
    assert rows[8]["gap"] == pytest.approx(0.2) and rows[8]["implicit agreement"] == pytest.approx(0.7)
    assert rows[1]["gap low"] < 0 < rows[1]["gap high"]


def test_rank_correlation_and_its_interval():
    from pftlib.report.verdicts import rank_correlation

    up = rank_correlation(list(range(10)), [x ** 2 for x in range(10)])
    assert up["rho"] == pytest.approx(1.0) and up["low"] == pytest.approx(1.0) and up["n"] == 10
    mixed = rank_correlation([0, 1, 2, 3, 4, 5], [0, 5, 1, 4, 2, 3])
    assert mixed["low"] < mixed["rho"] < mixed["high"] and mixed["low"] < 0
    flat = rank_correlation([0.5, 0.5, 0.5], [1.0, 2.0, 3.0])  # one side constant: nothing to say
    assert math.isnan(flat["rho"]) and math.isnan(flat["low"]) and flat["n"] == 3


def test_every_hypothesis_outcome_has_a_claim_status_and_no_null_reproduces():
    """Each outcome the hypothesis rules can return maps to one of the statuses, and an undecided
    difference never maps to "reproduced"."""
    d = [WIN, TIE, LOSS, SAME]
    outcomes = {verdicts.h1(x) for x in d}
    outcomes |= {verdicts.h2([a, b], c) for a in d for b in d for c in d}
    outcomes |= {verdicts.h3(x) for x in d}
    outcomes |= {verdicts.h4([a, b]) for a in d for b in d}
    outcomes |= {verdicts.h5(signs) for signs in ([], [(1, 1)], [(1, -1)], [(0, 1)])}
    outcomes |= {verdicts.h6(a, [(b, c)]) for a in d for b in d for c in d}
    assert outcomes == set(verdicts.HYPOTHESIS_CLAIM)
    assert set(verdicts.HYPOTHESIS_CLAIM.values()) == set(verdicts.STATUSES)
    assert verdicts.HYPOTHESIS_CLAIM[verdicts.h3(TIE)] == verdicts.UNDECIDED_CLAIM
    assert verdicts.HYPOTHESIS_CLAIM[verdicts.h1(TIE)] == verdicts.UNDECIDED_CLAIM
    assert [verdicts.claim(x) for x in (True, False, None)] == [verdicts.REPRODUCED, verdicts.NOT_REPRODUCED,
                                                                 verdicts.UNDECIDED_CLAIM]
    assert [verdicts.beats(x) for x in (WIN, SAME, LOSS, TIE)] == [True, False, False, None]
