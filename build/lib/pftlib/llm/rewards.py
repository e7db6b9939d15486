"""The three reward models the paper compares, as scorers ``score(prompts, completions)``:

* **global**: a transformer with a scalar head, ``r(x, y)`` (TRL's RewardTrainer);
* **local**: a policy's own likelihood, ``r(x, y) = beta * log pi(y | x)``, fitted by BT without
  a reference (:func:`pftlib.llm.trainers.local_reward`);
* **DPO-implicit**: ``r(x, y) = beta * (log pi(y | x) - log pi_ref(y | x))`` of a DPO policy.

and best-of-N selection with any of them.
"""

from __future__ import annotations

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from .preferences import Scorer
from .rollout import completion_logprobs, reward_scores


def global_reward(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> Scorer:
    return lambda prompts, completions: reward_scores(model, tokenizer, prompts, completions).tolist()


def local_reward(policy: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, beta: float) -> Scorer:
    return lambda prompts, completions: (beta * completion_logprobs(policy, tokenizer, prompts, completions)).tolist()


def implicit_reward(policy: PreTrainedModel, reference: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                    beta: float) -> Scorer:
    def score(prompts: list[str], completions: list[str]) -> list[float]:
        ratio = (completion_logprobs(policy, tokenizer, prompts, completions)
                 - completion_logprobs(reference, tokenizer, prompts, completions))
        return (beta * ratio).tolist()
    return score


def best_of_n(prompts: list[str], samples: list[list[str]], score: Scorer, ns: list[int]) -> dict[int, list[str]]:
    """For each ``n`` in ``ns``, the highest-scoring of each prompt's first ``n`` samples (the first
    one wins ties).  Every sample is scored once."""
    if not ns or min(ns) < 1 or max(ns) > min(len(s) for s in samples):
        raise ValueError(f"every n must be between 1 and the samples per prompt, got {ns}")
    flat = score([p for p, s in zip(prompts, samples) for _ in s], [c for s in samples for c in s])
    out: dict[int, list[str]] = {n: [] for n in ns}
    start = 0
    for s in samples:
        block = flat[start:start + len(s)]
        start += len(s)
        for n in ns:
            out[n].append(s[max(range(n), key=block.__getitem__)])
    return out
