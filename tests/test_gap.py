"""The measured generation–verification gap and the equal-tuning rule, on constructed inputs."""

from __future__ import annotations

import datasets
import pytest

from pftlib.llm import tuning
from pftlib.llm.gap import agreement, margins, measured_gap

# Four pairs whose gold scores are the completions' lengths; the third is a gold tie.
PAIRS = datasets.Dataset.from_dict({"prompt": ["p"] * 4, "chosen": ["aaa", "a", "bb", "bbbb"],
                                    "rejected": ["a", "aaa", "cc", "b"]})


def gold(prompts, completions):
    return [float(len(c)) for c in completions]


def test_agreement_counts_strict_gold_pairs_and_ties_half():
    assert margins(gold, PAIRS).tolist() == [2.0, -2.0, 0.0, 3.0]
    assert agreement(gold, PAIRS, gold) == 1.0
    assert agreement(lambda p, c: [-x for x in gold(p, c)], PAIRS, gold) == 0.0  # the reverse order
    assert agreement(lambda p, c: [0.0] * len(c), PAIRS, gold) == 0.5  # a constant reward: chance
    # right on the first pair, wrong on the second, a tie on the fourth; the gold tie is skipped
    picky = {"aaa": 1.0, "a": 0.0, "bb": 5.0, "cc": -5.0, "bbbb": 2.0, "b": 2.0}
    assert agreement(lambda p, c: [picky[x] for x in c], PAIRS, gold) == pytest.approx((1 + 1 + 0.5) / 3)
    with pytest.raises(ValueError, match="ties every pair"):
        agreement(gold, PAIRS.select([2]), gold)


def test_the_measured_gap_is_checking_minus_generating_on_the_same_pairs():
    """A perfect checker beside a policy equal to its reference (implicit reward 0 everywhere)."""
    gap = measured_gap(gold, lambda p, c: [0.0] * len(c), PAIRS, gold)
    assert gap == {"checking": 1.0, "generating": 0.5, "gap": 0.5}
    assert measured_gap(gold, gold, PAIRS, gold)["gap"] == 0.0  # a closed gap


def test_the_held_out_rule_keeps_the_candidate_with_the_highest_selection_likelihood():
    trained = []
    # the candidate trained for e epochs scores its chosen completions e - 1.5 higher: 2 epochs wins
    scorer = lambda folder: (lambda p, c: [(int(folder.split("/")[1].split()[0]) - 1.5) * len(x) for x in c])  # noqa: E731
    epochs, table = tuning.choose("DPO", 1, lambda folder, e: trained.append((folder, e)), scorer, PAIRS)
    assert trained == [("DPO search/1 epochs", 1), ("DPO search/2 epochs", 2)] and epochs == 2
    assert table[2] > 0.5 > table[1]
    flat = lambda folder: (lambda p, c: [0.0] * len(c))  # noqa: E731
    assert tuning.choose("RM", 6, lambda f, e: None, flat, PAIRS)[0] == 6  # a tie keeps the first


def test_what_a_judge_picked_on_constructed_pairs():
    from pftlib.llm.selection import picked

    pairs = datasets.Dataset.from_dict({"prompt": ["p", "p"], "chosen": ["a a a", "b"], "rejected": ["a", "c c"]})
    length = lambda p, c: [float(len(x.split())) for x in c]  # noqa: E731 -- longer is better
    assert picked(pairs, length) == {"pair accuracy": 0.5, "pairs": 2, "gold margin": (2 - 1) / 2,
                                     "chosen words": 2.0, "rejected words": 1.5}


def test_the_selection_sweep_trains_one_round_per_temperature_k_and_judge(tmp_path):
    from pftlib.llm.config import Setup
    from pftlib.llm.selection import JUDGES, selection_point

    setup = Setup(budget=2, size="tiny", rm_size="tiny", n_sft=64, sft_epochs=1, n_pairs=24, rm_epochs=1, n_eval=12,
                  batch_size=16)
    rows = selection_point(setup, 0, tmp_path, ks=(2, 3), temperatures=(1.0,))
    assert [(r["K"], r["judge"]) for r in rows] == [(k, j) for k in (2, 3) for j in JUDGES]
    for r in rows:
        assert r["edge"] == pytest.approx(r["true reward"] - r["DPO (tuned)"]) and 0 < r["pairs"] <= 24
        assert 0 <= r["pair accuracy"] <= 1
    assert not (tmp_path / "round").exists()  # each round's model is removed once evaluated
