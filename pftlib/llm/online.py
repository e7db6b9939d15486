"""Online DPO the paper's way (Swamy et al., 2025, section 4).

From a starting policy (SFT for "Online DPO (SFT)", the offline-DPO policy for "Online DPO (DPO)"):
sample K completions per prompt, score them with a judge (the global reward model, or the gold
verifier itself; a completion with no EOS within the length limit scores lowest, as in the authors'
scripts), keep the best against the worst as a preference pair, and run one round of DPO
on those pairs with the starting policy as the frozen reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from .models import causal_lm
from .preferences import Scorer, best_vs_worst
from .rollout import sample_with_ends
from .trainers import dpo

Rollouts = tuple[list[list[str]], list[list[bool]]]


def rollouts(start: Path, tokenizer: PreTrainedTokenizerBase, prompts: list[str], k: int, temperature: float,
             max_new_tokens: int, seed: int = 0) -> Rollouts:
    """``k`` completions per prompt from the policy saved at ``start``, and whether each ended."""
    if k < 2:
        raise ValueError(f"online DPO needs k >= 2 samples per prompt, got {k}")
    policy = causal_lm(tokenizer, str(start), seed)
    return sample_with_ends(policy, tokenizer, prompts, k, temperature, max_new_tokens, seed)


def online_dpo_round(start: Path, tokenizer: PreTrainedTokenizerBase, prompts: list[str], judge: Scorer,
                     k: int, temperature: float, max_new_tokens: int, out: Path, seed: int = 0,
                     drawn: Rollouts | None = None, **overrides: Any) -> tuple[PreTrainedModel, datasets.Dataset]:
    """One round of the paper's online DPO from the policy saved at ``start``; returns the trained
    policy (saved to ``out``) and the best-vs-worst pairs it was trained on.  ``drawn``: the
    :func:`rollouts` of these settings, when already drawn (rounds that differ only in their judge
    share them: the samples are the same)."""
    samples, ended = drawn or rollouts(start, tokenizer, prompts, k, temperature, max_new_tokens, seed)
    pairs = best_vs_worst(prompts, samples, judge, ended)
    if len(pairs) == 0:
        raise ValueError(f"every prompt's {k} samples scored alike, so online DPO has no pair to train on: sample "
                         f"more varied completions (a higher sample_temperature than {temperature:g}, or a larger k)")
    policy, reference = (causal_lm(tokenizer, str(start), seed) for _ in range(2))
    return dpo(policy, reference, tokenizer, pairs, out, seed, **overrides), pairs
