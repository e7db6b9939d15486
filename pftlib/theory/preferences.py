"""Bradley–Terry preferences, reward models and DPO on the token tree.

Under Bradley–Terry (BT) a labeller prefers ``xi1`` to ``xi2`` with probability
``sigmoid(r(xi1) - r(xi2))``.  A *global* reward model scores whole completions (here: a free
table of ``V**H`` numbers per prompt).  The *local* reward model of a policy is

    r_pi(xi) = beta * sum_h log(pi(a_h | s_h) / pi_ref(a_h | s_h)),

and DPO is maximum BT likelihood over exactly these rewards.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .tree import Logits, log_probs


@dataclass(frozen=True)
class Pairs:
    """Labelled comparisons: for pair ``k``, prompt ``prompt[k]`` and completion indices."""

    prompt: torch.Tensor
    chosen: torch.Tensor
    rejected: torch.Tensor

    def __len__(self) -> int:
        return int(self.prompt.numel())


def sample_pairs(
    true_reward: torch.Tensor, coverage_logp: torch.Tensor, n: int, generator: torch.Generator
) -> Pairs:
    """Draw ``n`` pairs: a uniform prompt, two completions i.i.d. from the coverage distribution
    ``exp(coverage_logp)`` (shape ``(P, V**H)``), and a BT label under ``true_reward``."""
    P = true_reward.shape[0]
    prompt = torch.randint(P, (n,), generator=generator)
    draws = torch.empty(n, 2, dtype=torch.long)
    for p in range(P):  # one multinomial per prompt: memory stays O(n + V**H)
        rows = (prompt == p).nonzero().squeeze(1)
        if len(rows):
            dist = coverage_logp[p].exp()
            draws[rows] = torch.multinomial(dist, 2 * len(rows), replacement=True, generator=generator).view(-1, 2)
    first, second = draws[:, 0], draws[:, 1]
    margin = true_reward[prompt, first] - true_reward[prompt, second]
    first_wins = torch.rand(n, generator=generator, dtype=margin.dtype) < torch.sigmoid(margin)
    return Pairs(prompt, torch.where(first_wins, first, second), torch.where(first_wins, second, first))


def bt_log_likelihood(reward: torch.Tensor, pairs: Pairs) -> torch.Tensor:
    """Mean BT log-likelihood ``mean_k log sigmoid(r(chosen_k) - r(rejected_k))``."""
    margin = reward[pairs.prompt, pairs.chosen] - reward[pairs.prompt, pairs.rejected]
    return torch.nn.functional.logsigmoid(margin).mean()


def local_reward(logits: Logits, ref_logits: Logits, beta: float) -> torch.Tensor:
    """The local (DPO-implicit) reward ``r_pi = beta (log P_pi - log P_ref)``, shape ``(P, V**H)``."""
    return beta * (log_probs(logits) - log_probs(ref_logits))


def dpo_loss(logits: Logits, ref_logits: Logits, beta: float, pairs: Pairs) -> torch.Tensor:
    """The DPO loss: negative BT log-likelihood of the policy's local reward."""
    return -bt_log_likelihood(local_reward(logits, ref_logits, beta), pairs)
