"""The generation–verification gap, measured rather than named.

On the same held-out preference pairs, two rewards are compared with the gold verifier:

* *checking*: the global reward model ``r(x, y)``, which only scores finished summaries;
* *generating*: DPO's implicit reward ``beta * log(pi_DPO(y | x) / pi_ref(y | x))``, the policy's
  own local reward, which must encode at every prefix how good the rest can become (a soft Q).

Each one's *agreement* is the fraction of pairs (where the verifier is strict) that it orders as the
verifier does, a tie counting half.  The measured gap is ``agreement(checking) - agreement(generating)``:
how much better the simple verifier is learned from the pairs than the policy's own reward is.
The paper predicts that online's edge grows with this gap and vanishes where it is near zero.
"""

from __future__ import annotations

import datasets
import torch

from .preferences import Scorer


def margins(score: Scorer, pairs: datasets.Dataset) -> torch.Tensor:
    """``score(chosen) - score(rejected)`` per pair, in float64."""
    prompts, chosen, rejected = (list(pairs[c]) for c in ("prompt", "chosen", "rejected"))
    return (torch.tensor(score(prompts, chosen), dtype=torch.float64)
            - torch.tensor(score(prompts, rejected), dtype=torch.float64))


def agreement(score: Scorer, pairs: datasets.Dataset, gold: Scorer) -> float:
    """How often ``score`` orders a pair as ``gold`` does, over the pairs ``gold`` does not tie;
    a tie under ``score`` counts half (so a constant reward agrees 0.5, chance)."""
    return agreement_of(margins(score, pairs), margins(gold, pairs))


def agreement_of(m: torch.Tensor, g: torch.Tensor) -> float:
    """:func:`agreement` from the two rewards' margins on the same pairs (each scored once)."""
    m, g = m[g != 0], g[g != 0]
    if len(g) == 0:
        raise ValueError("the gold verifier ties every pair: agreement is undefined")
    return ((torch.sign(m) == torch.sign(g)).double() + 0.5 * (m == 0).double()).mean().item()


def measured_gap(checking: Scorer, generating: Scorer, pairs: datasets.Dataset, gold: Scorer) -> dict[str, float]:
    """Both agreements on the same ``pairs`` and their difference, the measured gap."""
    check, gen = agreement(checking, pairs, gold), agreement(generating, pairs, gold)
    return {"checking": check, "generating": gen, "gap": check - gen}
