"""Text tasks with a known true reward (the verifier), their data sets and tokenizer, and
loaders for the real Reddit TL;DR schema.  The data sets and the tokenizer load ``datasets`` and
``transformers`` on first use, so the tasks themselves import at once."""

from importlib import import_module

from .budget import BudgetTask
from .priced import PricedTask
from .summarize import EOS, PAD, SEPARATOR, Task, parse_document, parse_summary, rouge_l

_LAZY = {"eval_prompts": "datasets", "load_tldr": "datasets", "optimal_answers": "datasets",
         "sft_dataset": "datasets", "build_tokenizer": "tokenizer"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)

#: A synthetic task: the coverage (or ROUGE-L) summary, the budgeted summary, or the priced summary.
SyntheticTask = Task | BudgetTask | PricedTask

__all__ = [
    "EOS", "PAD", "SEPARATOR", "BudgetTask", "PricedTask", "SyntheticTask", "Task", "build_tokenizer", "eval_prompts",
    "load_tldr", "optimal_answers",
    "parse_document", "parse_summary", "rouge_l", "sft_dataset",
]
