"""Where the pipeline's data come from.

* :class:`Synthetic`: the CPU stand-in (:mod:`pftlib.tasks`).  Preference pairs are two samples of
  the SFT policy labelled by a Bradley–Terry draw on the gold verifier, as in the paper's setting
  where labellers compare policy samples.
* :class:`TLDR`: data sets in the Reddit TL;DR schema (``trl-lib/tldr`` for SFT and references,
  ``trl-lib/tldr-preference`` for human preference pairs), by hub id or local folder, with the
  tokenizer of a pretrained checkpoint.  Nothing here knows the true reward: a judge is needed.

Both give TRL-format ``datasets`` and plain lists of prompts and references.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import datasets
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from ..tasks import SyntheticTask, build_tokenizer, eval_prompts, load_tldr, sft_dataset
from .preferences import Scorer, labelled_pairs

#: ``sampler(prompts, n, seed)`` returns ``n`` samples per prompt from the SFT policy.
Sampler = Callable[[list[str], int, int], list[list[str]]]


@dataclass(frozen=True)
class Synthetic:
    task: SyntheticTask
    label_temperature: float  # the Bradley–Terry draw that labels pairs (Setup.label_temperature)

    @property
    def max_new_tokens(self) -> int:
        return self.task.horizon + 1  # one spare token: room to overrun the horizon, or to stop

    def tokenizer(self, model: str) -> PreTrainedTokenizerBase:
        return build_tokenizer(self.task)

    def verifier(self) -> Scorer:
        return lambda prompts, completions: [self.task.score(p, c) for p, c in zip(prompts, completions)]

    def sft_data(self, n: int, seed: int) -> datasets.Dataset:
        return sft_dataset(self.task, n, seed)

    def evaluation(self, n: int, seed: int) -> tuple[list[str], list[str]]:
        data = eval_prompts(self.task, n, seed + 20_000)
        return list(data["prompt"]), list(data["reference"])

    def preference_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        prompts = list(eval_prompts(self.task, n, seed + 10_000)["prompt"])
        return labelled_pairs(prompts, sampler(prompts, 2, seed), self.verifier(), self.label_temperature, seed)

    def held_out_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        """Pairs labelled like the training ones, on the evaluation prompts."""
        prompts = self.evaluation(n, seed)[0]
        return labelled_pairs(prompts, sampler(prompts, 2, seed + 1), self.verifier(), self.label_temperature, seed + 1)

    def selection_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        """Pairs labelled like the training ones on prompts of their own (neither training nor
        evaluation prompts): where epochs and learning rates are chosen (:mod:`pftlib.llm.tuning`)."""
        prompts = list(eval_prompts(self.task, n, seed + 40_000)["prompt"])
        return labelled_pairs(prompts, sampler(prompts, 2, seed + 3), self.verifier(), self.label_temperature, seed + 3)


@dataclass(frozen=True)
class TLDR:
    sft_dataset: str
    pref_dataset: str
    max_new_tokens: int = 53  # the paper's summary length

    def tokenizer(self, model: str) -> PreTrainedTokenizerBase:
        """The checkpoint's own tokenizer, left-padded; Pythia has no pad token, so one is added
        as a distinct token (pad == EOS would mask the EOS the reward model scores)."""
        tok = AutoTokenizer.from_pretrained(model, padding_side="left")
        if tok.pad_token is None:
            tok.add_special_tokens({"pad_token": "<|padding|>"})
        return tok

    def verifier(self) -> None:
        """No gold verifier: winrates need a judge (a trained reward model or an API)."""
        return None

    def sft_data(self, n: int, seed: int) -> datasets.Dataset:
        return load_tldr(self.sft_dataset, "train", "sft", n).shuffle(seed=seed)

    def evaluation(self, n: int, seed: int) -> tuple[list[str], list[str]]:
        data = load_tldr(self.sft_dataset, "validation", "sft", n)
        return list(data["prompt"]), list(data["completion"])

    def preference_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        """Human preference pairs; the policy's samples are not needed."""
        return load_tldr(self.pref_dataset, "train", "preference", n).select_columns(["prompt", "chosen", "rejected"])

    def _validation(self, n: int) -> tuple[datasets.Dataset, datasets.Dataset]:
        """The held-out pairs and, disjoint from them, the pairs recipes are chosen on: the first
        ``n`` validation pairs and the next ``n``, or the two halves of a validation split shorter
        than ``2 n``."""
        pairs = load_tldr(self.pref_dataset, "validation", "preference", 2 * n).select_columns(
            ["prompt", "chosen", "rejected"])
        if len(pairs) < 2:
            raise ValueError(f"{self.pref_dataset} (validation) needs at least 2 pairs: one held out, one to choose "
                             "recipes on")
        cut = n if len(pairs) >= 2 * n else (len(pairs) + 1) // 2
        return pairs.select(range(cut)), pairs.select(range(cut, len(pairs)))

    def held_out_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        return self._validation(n)[0]

    def selection_pairs(self, n: int, seed: int, sampler: Sampler) -> datasets.Dataset:
        """Validation pairs the held-out ones never include (:meth:`_validation`)."""
        return self._validation(n)[1]


Source = Synthetic | TLDR
