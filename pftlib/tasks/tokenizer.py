"""A word-level tokenizer built locally (no hub download): one token per task word."""

from __future__ import annotations

from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from .budget import BudgetTask
from .priced import PricedTask
from .summarize import EOS, PAD, SEPARATOR, Task

UNK = "<unk>"


def build_tokenizer(task: Task | BudgetTask | PricedTask) -> PreTrainedTokenizerFast:
    """Specials (``<pad>``, ``<eos>``, ``<unk>``), the separator, the task's extra prompt tokens (the
    budget tokens, and the priced summary's price tokens), then the task's words.  The pad
    token is distinct from EOS so that EOS is learned; decoding joins tokens with spaces."""
    vocab = {token: i for i, token in enumerate([PAD, EOS, UNK, SEPARATOR, *task.extra_tokens, *task.words])}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD, eos_token=EOS, unk_token=UNK,
        model_max_length=task.doc_length + task.horizon + 5, padding_side="left",
    )
