"""Models: tiny GPT-NeoX policies and reward models built from a config (no download), or real
checkpoints by name for readers with hub access (``EleutherAI/pythia-1.4b-deduped``)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    GPTNeoXConfig,
    GPTNeoXForCausalLM,
    GPTNeoXForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from .distributed import state


@dataclass(frozen=True)
class Size:
    """A GPT-NeoX shape. ``SIZES`` names the ones the book uses on CPU."""

    hidden: int
    layers: int
    heads: int

    def config(self, tokenizer: PreTrainedTokenizerBase, **extra) -> GPTNeoXConfig:
        return GPTNeoXConfig(
            vocab_size=len(tokenizer), hidden_size=self.hidden, num_hidden_layers=self.layers,
            num_attention_heads=self.heads, intermediate_size=4 * self.hidden,
            max_position_embeddings=max(64, tokenizer.model_max_length), tie_word_embeddings=False,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
            bos_token_id=tokenizer.eos_token_id, **extra,
        )


SIZES = {"tiny": Size(32, 1, 2), "small": Size(64, 2, 4), "base": Size(128, 4, 4)}


CPU_THREADS = 1


def pin_threads() -> None:
    """Run CPU kernels on ``CPU_THREADS`` threads.  A float sum's rounding depends on how many
    threads split it, and a few ulps early in training move the final numbers well beyond them
    (one seed of Chapter 4 changed online DPO's edge by 0.1 between 1 and 2 threads).  Pinning one
    thread makes a run's numbers the same on every CPU, alone or in the book build; these models
    are too small to gain from more threads, and ``pft book`` runs chapters side by side instead."""
    if torch.get_num_threads() != CPU_THREADS:
        torch.set_num_threads(CPU_THREADS)


def device() -> torch.device:
    """This process's device: its GPU under ``accelerate launch``, the GPU if there is one, else CPU."""
    return state().device


def _fit_vocabulary(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
    """Make room for tokens the tokenizer added (a pad token for Pythia) and record the pad id."""
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer))
    model.config.pad_token_id = tokenizer.pad_token_id
    return model


def causal_lm(tokenizer: PreTrainedTokenizerBase, size: str, seed: int) -> PreTrainedModel:
    """A freshly initialised GPT-NeoX language model of a named size (``tiny``, ``small``, ``base``)
    or, for any other string, the pretrained checkpoint of that name or path."""
    if size not in SIZES:
        return _fit_vocabulary(AutoModelForCausalLM.from_pretrained(size), tokenizer).to(device())
    torch.manual_seed(seed)
    return GPTNeoXForCausalLM(SIZES[size].config(tokenizer)).to(device())


def reward_model(tokenizer: PreTrainedTokenizerBase, size: str, seed: int) -> PreTrainedModel:
    """A global reward model: the same trunk with a scalar head on the last token."""
    if size not in SIZES:
        return _fit_vocabulary(AutoModelForSequenceClassification.from_pretrained(size, num_labels=1),
                               tokenizer).to(device())
    torch.manual_seed(seed)
    return GPTNeoXForSequenceClassification(SIZES[size].config(tokenizer, num_labels=1)).to(device())
