"""Thin wrappers around TRL's trainers: SFT, global reward model, DPO.

Each trains, saves the model and tokenizer to ``out`` (TRL and the next stage load from there),
and returns the trained model.  Defaults suit CPU; on a GPU they use bf16.  All keyword
arguments go to the TRL config, so any TRL option can be set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from trl import DPOConfig, DPOTrainer, RewardConfig, RewardTrainer, SFTConfig, SFTTrainer


def _args(config_cls, out: Path, seed: int, **overrides: Any):
    gpu = torch.cuda.is_available()
    defaults = dict(
        output_dir=str(out), seed=seed, report_to="none", save_strategy="no", logging_steps=25,
        use_cpu=not gpu, bf16=gpu and torch.cuda.is_bf16_supported(), per_device_train_batch_size=32,
        lr_scheduler_type="cosine", dataloader_num_workers=0,
        gradient_checkpointing=False,  # TRL turns it on; it only slows small models (and disables the KV cache)
    )
    return config_cls(**{**defaults, **overrides})


def _finish(trainer, tokenizer: PreTrainedTokenizerBase, out: Path) -> PreTrainedModel:
    trainer.train()
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    return trainer.model.eval()


def sft(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: datasets.Dataset, out: Path,
        seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """Supervised fine-tuning on prompt/completion pairs (loss on the completion only)."""
    args = _args(SFTConfig, out, seed, **{"learning_rate": 3e-3, "num_train_epochs": 3, **overrides})
    return _finish(SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer), tokenizer, out)


def reward(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: datasets.Dataset, out: Path,
           seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """A global reward model by Bradley–Terry maximum likelihood on prompt/chosen/rejected pairs."""
    args = _args(RewardConfig, out, seed, **{"learning_rate": 1e-3, "num_train_epochs": 2, **overrides})
    return _finish(RewardTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer), tokenizer, out)


def dpo(model: PreTrainedModel, ref_model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
        data: datasets.Dataset, out: Path, beta: float, seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """DPO on prompt/chosen/rejected pairs against an explicit, frozen reference policy."""
    args = _args(DPOConfig, out, seed, **{"learning_rate": 1e-3, "num_train_epochs": 1, "beta": beta, **overrides})
    trainer = DPOTrainer(model=model, ref_model=ref_model, args=args, train_dataset=data, processing_class=tokenizer)
    return _finish(trainer, tokenizer, out)
