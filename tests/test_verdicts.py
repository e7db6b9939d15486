"""The two-sd rule that decides every verdict in the book, on constructed inputs."""

from __future__ import annotations

import math

import pytest

from pftlib.book.verdicts import Difference, describe, paired


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
