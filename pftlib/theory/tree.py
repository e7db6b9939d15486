"""Tabular autoregressive policies on a token tree.

A prompt ``s0`` is followed by ``H`` tokens from a vocabulary of ``V``; the ``V**H`` completions
are indexed in base ``V`` with the first token most significant, so completion ``i`` has prefix
``i // V**(H-h)`` at depth ``h``.  A tabular policy is a list ``logits[h]`` of tensors of shape
``(P, V**h, V)``: for each of ``P`` prompts and each of the ``V**h`` prefixes of length ``h``,
the unnormalised log-probabilities of the next token.  Everything is float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

DTYPE = torch.float64

Logits = list[torch.Tensor]


@dataclass(frozen=True)
class Tree:
    """The completion space: ``prompts`` prompts, vocabulary ``V``, horizon ``H``."""

    V: int
    H: int
    prompts: int = 1

    def __post_init__(self) -> None:
        if self.V < 2 or self.H < 1 or self.prompts < 1:
            raise ValueError(f"need V >= 2, H >= 1, prompts >= 1; got {self}")

    @property
    def n(self) -> int:
        """Number of completions per prompt, ``V**H``."""
        return self.V**self.H

    def tokens(self) -> torch.Tensor:
        """All completions as a ``(V**H, H)`` integer tensor of tokens."""
        idx = torch.arange(self.n)
        powers = self.V ** torch.arange(self.H - 1, -1, -1)
        return (idx[:, None] // powers) % self.V

    def labels(self) -> list[str]:
        """Each completion written as its tokens, e.g. ``"0 2 1"``, in the order of :meth:`tokens`."""
        return [" ".join(map(str, row)) for row in self.tokens().tolist()]

    def uniform_logits(self) -> Logits:
        """The uniform policy (every token equally likely after every prefix)."""
        return [torch.zeros(self.prompts, self.V**h, self.V, dtype=DTYPE) for h in range(self.H)]

    def random_logits(self, generator: torch.Generator, scale: float = 1.0) -> Logits:
        """A random policy: i.i.d. Gaussian logits with standard deviation ``scale``."""
        return [
            scale * torch.randn(self.prompts, self.V**h, self.V, dtype=DTYPE, generator=generator)
            for h in range(self.H)
        ]


def log_probs(logits: Logits) -> torch.Tensor:
    """Trajectory log-likelihoods ``log P_pi(xi | s0) = sum_h log pi(a_h | s0, a_<h)``.

    Returns a ``(P, V**H)`` tensor.  Cost is linear in the number of tree nodes: the running sum
    over prefixes of depth ``h`` is repeated ``V`` times and the depth-``h`` log-softmax added.
    """
    P = logits[0].shape[0]
    total = torch.zeros(P, 1, dtype=logits[0].dtype, device=logits[0].device)
    for layer in logits:
        step = torch.log_softmax(layer, dim=-1)  # (P, V**h, V)
        total = (total[:, :, None] + step).reshape(P, -1)
    return total


def token_log_probs(logits: Logits) -> torch.Tensor:
    """Per-token log-probabilities ``log pi(a_h | s0, a_<h)`` of every completion: ``(P, V**H, H)``."""
    P = logits[0].shape[0]
    n = logits[-1].shape[1] * logits[-1].shape[2]
    steps = []
    for layer in logits:
        step = torch.log_softmax(layer, dim=-1).reshape(P, -1)  # one entry per prefix of length h+1
        steps.append(step.repeat_interleave(n // step.shape[1], dim=1))
    return torch.stack(steps, dim=-1)


def probs(logits: Logits) -> torch.Tensor:
    """Trajectory probabilities ``P_pi(xi | s0)``, shape ``(P, V**H)``."""
    return log_probs(logits).exp()


def normalize(logits: Logits) -> Logits:
    """Canonical logits: ``log pi(a | s)``, so that each row log-sum-exps to zero."""
    return [torch.log_softmax(layer, dim=-1) for layer in logits]
