"""Text tasks with a known true reward (the verifier), their data sets and tokenizer, and
loaders for the real Reddit TL;DR schema."""

from .budget import BudgetTask
from .datasets import eval_prompts, load_tldr, optimal_answers, sft_dataset
from .priced import PricedTask
from .summarize import EOS, PAD, SEPARATOR, Task, parse_document, parse_summary, rouge_l
from .tokenizer import build_tokenizer

#: A synthetic task: the coverage (or ROUGE-L) summary, the budgeted summary, or the priced summary.
SyntheticTask = Task | BudgetTask | PricedTask

__all__ = [
    "EOS", "PAD", "SEPARATOR", "BudgetTask", "PricedTask", "SyntheticTask", "Task", "build_tokenizer", "eval_prompts",
    "load_tldr", "optimal_answers",
    "parse_document", "parse_summary", "rouge_l", "sft_dataset",
]
