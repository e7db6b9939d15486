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
    """Labelled comparisons: for pair ``k``, prompt ``prompt[k]``, completion indices and a weight
    (1 for an observed label; pseudo-observations may weigh less)."""

    prompt: torch.Tensor
    chosen: torch.Tensor
    rejected: torch.Tensor
    weight: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.prompt.numel())

    def weights(self) -> torch.Tensor:
        return torch.ones(len(self), dtype=torch.float64) if self.weight is None else self.weight

    def __add__(self, other: Pairs) -> Pairs:
        return Pairs(*(torch.cat([a, b]) for a, b in zip(
            (self.prompt, self.chosen, self.rejected, self.weights()),
            (other.prompt, other.chosen, other.rejected, other.weights()))))

    def with_pseudocounts(self, eps: float) -> Pairs:
        """Add ``eps`` pseudo-observations of *each* outcome for every distinct compared pair.

        A symmetric prior on the data: every maximum-likelihood reward becomes finite (a
        completion that won all its comparisons no longer has reward +inf), and since it changes
        the data, not the learner, any statement about "the same data" still applies.
        """
        if eps <= 0:
            return self
        lo, hi = torch.minimum(self.chosen, self.rejected), torch.maximum(self.chosen, self.rejected)
        keep = lo != hi
        key = torch.unique(torch.stack([self.prompt[keep], lo[keep], hi[keep]], 1), dim=0)
        p, a, b = key.unbind(1)
        w = torch.full((2 * len(p),), float(eps), dtype=torch.float64)
        return self + Pairs(torch.cat([p, p]), torch.cat([a, b]), torch.cat([b, a]), w)


def draw_completions(logp: torch.Tensor, prompt: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """``k`` completions i.i.d. from ``exp(logp[prompt[i]])`` for each row ``i``: an ``(n, k)`` tensor.
    One multinomial per prompt, so memory stays ``O(n k + V**H)``."""
    draws = torch.empty(len(prompt), k, dtype=torch.long)
    for p in range(logp.shape[0]):
        rows = (prompt == p).nonzero().squeeze(1)
        if len(rows):
            draws[rows] = torch.multinomial(logp[p].exp(), k * len(rows), replacement=True,
                                            generator=generator).view(-1, k)
    return draws


def sample_pairs(
    true_reward: torch.Tensor, coverage_logp: torch.Tensor, n: int, generator: torch.Generator
) -> Pairs:
    """Draw ``n`` pairs: a uniform prompt, two completions i.i.d. from the coverage distribution
    ``exp(coverage_logp)`` (shape ``(P, V**H)``), and a BT label under ``true_reward``."""
    P = true_reward.shape[0]
    prompt = torch.randint(P, (n,), generator=generator)
    draws = draw_completions(coverage_logp, prompt, 2, generator)
    first, second = draws[:, 0], draws[:, 1]
    margin = true_reward[prompt, first] - true_reward[prompt, second]
    first_wins = torch.rand(n, generator=generator, dtype=margin.dtype) < torch.sigmoid(margin)
    return Pairs(prompt, torch.where(first_wins, first, second), torch.where(first_wins, second, first))


def relabel(pairs: Pairs, reward: torch.Tensor) -> Pairs:
    """The same comparisons with *expected* BT labels under ``reward``: each pair becomes both
    orders, weighted ``sigmoid(r1 - r2)`` and ``sigmoid(r2 - r1)`` (infinitely many labels)."""
    margin = reward[pairs.prompt, pairs.chosen] - reward[pairs.prompt, pairs.rejected]
    w = pairs.weights()
    forward = Pairs(pairs.prompt, pairs.chosen, pairs.rejected, w * torch.sigmoid(margin))
    return forward + Pairs(pairs.prompt, pairs.rejected, pairs.chosen, w * torch.sigmoid(-margin))


def components(pairs: Pairs, prompts: int, n: int) -> torch.Tensor:
    """Connected components of the comparison graph: a ``(P, V**H)`` label per completion, equal
    within a component and ``-1`` for completions never compared.  BT identifies a reward only up
    to one additive constant per component, and not at all off the graph."""
    a = pairs.prompt * n + pairs.chosen
    b = pairs.prompt * n + pairs.rejected
    label = torch.arange(prompts * n)
    while True:  # propagate the smallest label along edges until nothing changes
        low = torch.minimum(label[a], label[b])
        new = label.scatter_reduce(0, a, low, "amin").scatter_reduce(0, b, low, "amin")
        new = new[new]  # jump to the label's own label: converges in O(log diameter) rounds
        if torch.equal(new, label):
            break
        label = new
    touched = torch.zeros(prompts * n, dtype=torch.bool)
    touched[a] = touched[b] = True
    return torch.where(touched, label, torch.tensor(-1)).reshape(prompts, n)


def bt_log_likelihood(reward: torch.Tensor, pairs: Pairs) -> torch.Tensor:
    """Weighted mean BT log-likelihood ``sum_k w_k log sigmoid(r(chosen_k) - r(rejected_k)) / sum_k w_k``."""
    margin = reward[pairs.prompt, pairs.chosen] - reward[pairs.prompt, pairs.rejected]
    w = pairs.weights()
    return (w * torch.nn.functional.logsigmoid(margin)).sum() / w.sum()


def local_reward(logits: Logits, ref_logits: Logits, beta: float) -> torch.Tensor:
    """The local (DPO-implicit) reward ``r_pi = beta (log P_pi - log P_ref)``, shape ``(P, V**H)``."""
    return beta * (log_probs(logits) - log_probs(ref_logits))


def dpo_loss(logits: Logits, ref_logits: Logits, beta: float, pairs: Pairs) -> torch.Tensor:
    """The DPO loss: negative BT log-likelihood of the policy's local reward."""
    return -bt_log_likelihood(local_reward(logits, ref_logits, beta), pairs)
