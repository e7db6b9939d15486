"""Thin wrappers around TRL's trainers: SFT, global reward model, DPO, the local reward model,
and TRL's fully online DPO.

Each trains, saves the model and tokenizer to ``out`` (TRL and the next stage load from there),
and returns the trained model.  Hyperparameters (learning rate, epochs, batch size, schedule, DPO's
beta) are keyword arguments that go to the TRL config under TRL's names, so any TRL option can be
set; the wrappers add none of their own (the chapters' come from :mod:`pftlib.llm.config` through
:class:`pftlib.llm.pipeline.Workspace`).  What they do set changes no number: where to save, how
often to log, CPU or bf16 on a GPU, no gradient checkpointing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import datasets
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase, TrainerCallback
from trl import DPOConfig, DPOTrainer, RewardConfig, RewardTrainer, SFTConfig, SFTTrainer
from trl.experimental.online_dpo import OnlineDPOConfig, OnlineDPOTrainer

from .. import progress
from ..environment import scoped_env
from .distributed import state as process_group
from .preferences import Scorer

LOG_DIR_ENV = "PFT_LOG_DIR"


def _args(config_cls, out: Path, seed: int, **overrides: Any):
    gpu = torch.cuda.is_available()
    defaults = dict(
        output_dir=str(out), seed=seed, report_to="none", run_name="/".join(out.parts[-2:]),  # <seed folder>/<stage>
        save_strategy="no", logging_steps=25,
        use_cpu=not gpu, bf16=gpu and torch.cuda.is_bf16_supported(), dataloader_num_workers=0,
        gradient_checkpointing=False,  # TRL turns it on; it only slows small models (and disables the KV cache)
    )
    return config_cls(**{**defaults, **overrides})


def _tensorboard_env(args) -> dict[str, str]:
    """With ``report_to`` naming TensorBoard, each run writes to ``$PFT_LOG_DIR/<run_name>``
    (default ``runs/``), not to its output folder, which a chapter deletes when it ends.  A
    ``TENSORBOARD_LOGGING_DIR`` the user set wins."""
    if "tensorboard" not in (args.report_to or []) or os.environ.get("TENSORBOARD_LOGGING_DIR"):
        return {}
    return {"TENSORBOARD_LOGGING_DIR": str(Path(os.environ.get(LOG_DIR_ENV, "runs")) / args.run_name)}


class _Progress(TrainerCallback):
    """Reports each optimizer step to :mod:`pftlib.progress` (``pft`` shows it), as training ``out``
    under its seed's folder (``training RM search/12 epochs``)."""

    def __init__(self, out: Path):
        seeds = [i for i, part in enumerate(out.parts) if re.fullmatch(r"seed\d+", part)]
        self.stage = "training " + "/".join(out.parts[seeds[-1] + 1:] if seeds else out.parts[-1:])

    def on_train_begin(self, args, state, control, **_: Any) -> None:
        progress.report(self.stage, 0, state.max_steps)

    def on_step_end(self, args, state, control, **_: Any) -> None:
        progress.report(self.stage, state.global_step, state.max_steps)


def _train(trainer_cls, args, tokenizer: PreTrainedTokenizerBase, out: Path, **parts: Any) -> PreTrainedModel:
    """Build ``trainer_cls`` from its config and parts, train, save to ``out``, return the model."""
    with scoped_env(**_tensorboard_env(args)):  # transformers reads it when the trainer builds its callbacks
        trainer = trainer_cls(args=args, processing_class=tokenizer, callbacks=[_Progress(out)], **parts)
    return _finish(trainer, tokenizer, out)


def _finish(trainer, tokenizer: PreTrainedTokenizerBase, out: Path) -> PreTrainedModel:
    trainer.train()
    trainer.save_model(str(out))
    state = process_group()
    if state.is_main_process:
        tokenizer.save_pretrained(str(out))
    state.wait_for_everyone()  # under `accelerate launch`, the next stage loads from `out` on every process
    return trainer.model.eval()


def sft(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: datasets.Dataset, out: Path,
        seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """Supervised fine-tuning on prompt/completion pairs (loss on the completion only)."""
    args = _args(SFTConfig, out, seed, **overrides)
    return _train(SFTTrainer, args, tokenizer, out, model=model, train_dataset=data)


def reward(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: datasets.Dataset, out: Path,
           seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """A global reward model by Bradley–Terry maximum likelihood on prompt/chosen/rejected pairs."""
    args = _args(RewardConfig, out, seed, **overrides)
    return _train(RewardTrainer, args, tokenizer, out, model=model, train_dataset=data)


def dpo(model: PreTrainedModel, ref_model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
        data: datasets.Dataset, out: Path, seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """DPO on prompt/chosen/rejected pairs against an explicit, frozen reference policy (``beta``,
    the KL strength, is one of the options, as in ``DPOConfig``)."""
    args = _args(DPOConfig, out, seed, **overrides)
    return _train(DPOTrainer, args, tokenizer, out, model=model, ref_model=ref_model, train_dataset=data)


class _ReferenceFree(DPOTrainer):
    """DPO whose reference log-likelihoods are all 0, so its loss is the Bradley–Terry loss of the
    local reward ``beta * sum_h log pi(a_h | s_h)`` (TRL's precompute hook supplies the zeros)."""

    def _precompute_ref_logps(self, dataset: datasets.Dataset, name: str, batch_size: int) -> datasets.Dataset:
        zeros = [0.0] * len(dataset)
        return dataset.add_column("ref_chosen_logps", zeros).add_column("ref_rejected_logps", zeros)


def local_reward(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: datasets.Dataset, out: Path,
                 seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """The paper's local reward model: BT maximum likelihood over ``r(x, y) = beta * log pi(y | x)``
    (``beta`` among the options), with no reference policy.  Read it with
    :func:`pftlib.llm.rewards.local`."""
    args = _args(DPOConfig, out, seed, **overrides, precompute_ref_log_probs=True)
    return _train(_ReferenceFree, args, tokenizer, out, model=model, train_dataset=data)


def online_dpo(model: PreTrainedModel, ref_model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
               prompts: datasets.Dataset, judge: Scorer, out: Path, max_new_tokens: int,
               seed: int = 0, **overrides: Any) -> PreTrainedModel:
    """TRL's fully online DPO (``trl.experimental.online_dpo``): every step samples two completions
    per prompt from the *current* policy, the judge picks the better, and one DPO step follows."""

    def reward(prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        return judge(prompts, completions)

    args = _args(OnlineDPOConfig, out, seed, max_new_tokens=max_new_tokens, **overrides)
    return _train(OnlineDPOTrainer, args, tokenizer, out, model=model, ref_model=ref_model, reward_funcs=reward,
                  train_dataset=prompts)
