"""The paper's main experiment, for one seed (Chapter 4).

SFT -> preference pairs (synthetic: SFT samples labelled by a Bradley–Terry draw on the gold
verifier; TL;DR: human pairs) -> a global reward model -> offline DPO -> Online DPO (SFT) and
Online DPO (DPO): one round of best-vs-worst pairs judged by the global reward model.  The reward
model and DPO each train at the epochs one held-out rule chooses from the same budget
(:mod:`pftlib.llm.tuning`); "DPO 2x" is one more epoch from 1-epoch DPO, as the paper's.  Three
kinds of extra policies:

* the same two online rounds judged by the *gold judge* (the verifier itself on the synthetic
  task): what online DPO could do if the verifier were learned exactly;
* Online DPO (SFT) judged by the *simple reward model*: the linear reference fitted to the same
  pairs on the task's simple features (:mod:`pftlib.llm.linear_reward`), the paper's R_sim;
* TRL's fully online DPO (``OnlineDPOTrainer``), which samples from the current policy at every
  step instead of once, judged by the learned reward model.

Every policy is then evaluated by the gold judge: winrate against the reference summaries, mean
true reward (when the judge scores), and a Monte-Carlo KL to SFT.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import Any

import datasets

from ..tasks import optimal_answers
from . import cache, evaluate, gap, judges, models, online, rewards, rollout, trainers, tuning
from .config import Pipeline, Setup
from .distributed import state as process_group
from .linear_reward import fit_linear_reward
from .policies import (
    DPO,
    DPO_2X,
    GOLD_DPO,
    GOLD_SFT,
    ONLINE_DPO,
    ONLINE_FROM,
    ONLINE_SFT,
    SFT,
    SIMPLE_JUDGED,
    TRL_ONLINE,
)
from .sources import Synthetic

POLICIES = (SFT, DPO, DPO_2X, ONLINE_SFT, ONLINE_DPO)
GOLD_JUDGED = (GOLD_SFT, GOLD_DPO)
#: Who judges each policy's online round: nobody for the offline policies.
JUDGE = {**dict.fromkeys(POLICIES[:3], "none (offline)"), **dict.fromkeys((*POLICIES[3:], TRL_ONLINE), "learned RM"),
         **dict.fromkeys(GOLD_JUDGED, "gold judge (perfect)"), SIMPLE_JUDGED: "simple RM (linear)"}


class Workspace:
    """One seed's models, trained stage by stage and saved under ``workdir/<name>``."""

    def __init__(self, setup: Setup, seed: int, workdir: Path):
        self.setup, self.seed, self.dir = setup, seed, Path(workdir)
        self.choices: dict[str, dict] = {}  # what :meth:`tuned` chose, per model
        self.keys: dict[str, str] = {}  # the cache key of each model trained through the cache
        self.drawn: dict[tuple, online.Rollouts] = {}  # online rollouts, shared by rounds that differ in judge
        models.pin_threads()
        self.source = setup.source
        self.tok = self.source.tokenizer(setup.model)

    def load(self, name: str):
        return models.causal_lm(self.tok, str(self.dir / name), self.seed)

    def load_rm(self, name: str):
        return models.reward_model(self.tok, str(self.dir / name), self.seed).eval()

    def generate(self, policy, prompts: list[str], n: int, seed: int, temperature: float | None = None):
        """``n`` completions per prompt (at the setup's sampling temperature unless given)."""
        t = self.setup.sample_temperature if temperature is None else temperature
        return rollout.sample(policy, self.tok, prompts, n, t, self.source.max_new_tokens, seed)

    def sample(self, name: str, prompts: list[str], n: int, seed: int):
        return self.generate(self.load(name), prompts, n, seed)

    def trl(self, stage: str) -> dict[str, Any]:
        """The TRL config options of one training ``stage`` (TRL's names), from the setup: every
        stage's batch size (pairs per batch for preference stages), learning-rate schedule and
        trackers, then the stage's own epochs and learning rate, and beta where the stage has one."""
        s = self.setup
        shared = {"per_device_train_batch_size": s.batch_size, "lr_scheduler_type": s.lr_scheduler_type,
                  "report_to": s.report_to if s.report_to == "none" else s.report_to.split(",")}
        own = {"sft": {"num_train_epochs": s.sft_epochs, "learning_rate": s.sft_learning_rate},
               "reward": {"num_train_epochs": s.rm_epochs, "learning_rate": s.rm_learning_rate},
               "dpo": {"num_train_epochs": 1, "learning_rate": s.learning_rate, "beta": s.beta},  # one epoch
               "online": {"num_train_epochs": 1, "learning_rate": s.learning_rate, "beta": s.beta,
                          "temperature": s.sample_temperature}}[stage]
        return {**shared, **own}

    def cached(self, folder: str, train, stage: str, **settings: Any) -> None:
        """``train()`` into ``folder``, or copy it from :mod:`pftlib.llm.cache` where a run of the
        same stage, seed, source and ``settings`` (data sets count by their rows) trained it before;
        the key is kept in ``keys``.  ``settings`` may name the ``source`` more narrowly (SFT: its
        tokenizer and data, so a task that differs only in its verifier reuses the model).  Never
        cached: runs from a pretrained ``model`` (a checkpoint may change under the same name) and
        under ``accelerate launch`` (processes would copy at once)."""
        if self.setup.model or process_group().num_processes > 1:
            train()
            return
        self.keys[folder] = cache.key(stage, self.seed, **{"source": self.source, **settings})
        cache.reuse(self.dir / folder, self.keys[folder], train)

    def train_sft(self, name: str = SFT, size: str | None = None) -> None:
        """SFT from a fresh ``size`` model (default: the setup's) or the pretrained ``model``,
        shared through the cache with every run of the same settings."""
        s = self.setup
        init = s.model or size or s.size
        data = self.source.sft_data(s.n_sft, self.seed)
        self.cached(name, lambda: trainers.sft(models.causal_lm(self.tok, init, self.seed), self.tok, data,
                                               self.dir / name, self.seed, **self.trl("sft")),
                    "sft", source=self.tok, init=init, data=data, **self.trl("sft"))

    @cached_property
    def pairs(self) -> datasets.Dataset:
        """The training preference pairs (synthetic: two samples of the SFT policy, labelled)."""
        return self.source.preference_pairs(
            self.setup.n_pairs, self.seed, lambda prompts, n, seed: self.sample(SFT, prompts, n, seed))

    def train_rm(self, name: str = "RM", size: str | None = None, **overrides: Any):
        """A global reward model; from the SFT checkpoint when starting from a pretrained model.
        ``overrides`` replace TRL options of the stage (:mod:`pftlib.llm.tuning` sets epochs)."""
        s = self.setup
        init = str(self.dir / SFT) if s.model else size or s.rm_size
        return trainers.reward(models.reward_model(self.tok, init, self.seed), self.tok, self.pairs, self.dir / name,
                               self.seed, **{**self.trl("reward"), **overrides})

    def train_dpo(self, name: str, start: str = SFT, **overrides: Any):
        """One epoch of DPO (unless ``overrides`` say otherwise) on the pairs from the policy saved
        as ``start``, against SFT as reference."""
        return trainers.dpo(self.load(start), self.load(SFT), self.tok, self.pairs, self.dir / name,
                            self.seed, **{**self.trl("dpo"), **overrides})

    def train_local(self, name: str = "Local RM", **overrides: Any):
        """The local reward model (BT over ``beta * log pi``, no reference), from SFT on the pairs."""
        return trainers.local_reward(self.load(SFT), self.tok, self.pairs, self.dir / name, self.seed,
                                     **{**self.trl("dpo"), **overrides})

    def scorer(self, kind: str, name: str):
        """The reward a saved model stands for: ``global`` (a reward model), ``implicit`` (a DPO
        policy against SFT) or ``local`` (``beta * log pi``), see :mod:`pftlib.llm.rewards`."""
        if kind == "global":
            return rewards.global_reward(self.load_rm(name), self.tok)
        if kind == "implicit":
            return rewards.implicit_reward(self.load(name), self.load(SFT), self.tok, self.setup.beta)
        return rewards.local_reward(self.load(name), self.tok, self.setup.beta)

    def train_offline(self, twice: bool = True):
        """What every language-model experiment starts with: SFT, the reward model and DPO at the
        epochs one held-out rule chooses (:meth:`tuned`), and, unless ``twice`` is off, the paper's
        DPO 2x: one more epoch from 1-epoch DPO.  Returns the reward model's scorer."""
        self.train_sft()
        self.tuned("RM")
        self.tuned(DPO)
        if twice:
            self.train_dpo(DPO_2X, start=tuning.folder(DPO, 1))
        return self.scorer("global", "RM")

    def tuned(self, name: str) -> int:
        """Train ``name`` ("RM", "DPO" or "Local RM") at each epoch count of the equal search budget
        (:mod:`pftlib.llm.tuning`), keep the one the held-out rule picks as ``name``, and record the
        choice in ``self.choices``; returns the chosen epochs.  The search is cached as a whole,
        keyed by its data (the pairs and selection pairs, row by row), start and settings."""
        s = self.setup
        train, epochs, kind, stage = {"RM": (self.train_rm, s.rm_epochs, "global", "reward"),
                                      DPO: (self.train_dpo, 1, "implicit", "dpo"),
                                      "Local RM": (self.train_local, 1, "local", "dpo")}[name]
        search = self.dir / tuning.search_folder(name)

        def run() -> None:
            chosen, table = tuning.choose(name, epochs, lambda f, e: train(f, num_train_epochs=e),
                                          lambda f: self.scorer(kind, f), self.selection_pairs)
            (search / "choice.json").write_text(json.dumps({"epochs": chosen, "table": list(table.items())}))

        start = {"sft": self.keys.get(SFT)} if stage == "dpo" else {"init": s.rm_size}  # beta: in the TRL settings
        self.cached(search.name, run, f"tuned {name}", epochs=epochs, pairs=self.pairs,
                    selection=self.selection_pairs, **start, **self.trl(stage))
        choice = json.loads((search / "choice.json").read_text())
        group = process_group()
        if group.is_main_process:  # under `accelerate launch`, one process copies and the others wait
            shutil.copytree(self.dir / tuning.folder(name, choice["epochs"]), self.dir / name)
        group.wait_for_everyone()
        self.choices[name] = {"epochs": choice["epochs"], "selection likelihood": dict(choice["table"])}
        return choice["epochs"]

    def online_round(self, start: str, judge, name: str, prompts: list[str] | None = None) -> datasets.Dataset:
        """One round of the paper's online DPO on ``prompts`` (default: the training pairs'
        prompts); returns the best-vs-worst pairs it trained on."""
        s = self.setup
        prompts = list(self.pairs["prompt"]) if prompts is None else prompts
        which = (start, s.k, s.sample_temperature, tuple(prompts))
        if which not in self.drawn:  # the same policy, prompts and seed draw the same samples
            self.drawn[which] = online.rollouts(self.dir / start, self.tok, prompts, s.k, s.sample_temperature,
                                                self.source.max_new_tokens, self.seed)
        return online.online_dpo_round(self.dir / start, self.tok, prompts, judge, s.k, s.sample_temperature,
                                       self.source.max_new_tokens, self.dir / name, self.seed,
                                       drawn=self.drawn[which], **self.trl("dpo"))[1]

    def trl_online(self, judge, name: str, start: str = SFT):
        prompts = datasets.Dataset.from_dict({"prompt": list(self.pairs["prompt"])})
        trainers.online_dpo(self.load(start), self.load(start), self.tok, prompts, judge, self.dir / name,
                            self.source.max_new_tokens, self.seed, **self.trl("online"))

    def held_out_pairs(self, n: int) -> datasets.Dataset:
        """Validation pairs like the training ones (synthetic: on the evaluation prompts)."""
        return self.source.held_out_pairs(n, self.seed, lambda prompts, k, seed: self.sample(SFT, prompts, k, seed))

    @cached_property
    def selection_pairs(self) -> datasets.Dataset:
        """Pairs for choosing recipes, disjoint from training and held-out pairs (``n_eval`` of them)."""
        return self.source.selection_pairs(self.setup.n_eval, self.seed,
                                           lambda prompts, k, seed: self.sample(SFT, prompts, k, seed))


def judged(prompts: list[str], completions: list[str], references: list[str], judge: judges.Judge) -> dict[str, float]:
    """Winrate of ``completions`` against the references (the judge decides, ties count half) and,
    when the judge scores, their mean true reward."""
    out = {"winrate": evaluate.winrate(prompts, completions, references, judge.compare)}
    if judge.score is not None:
        out["true reward"] = evaluate.mean_score(prompts, completions, judge.score)
    return out


def policy_metrics(ws: Workspace, names: list[str], judge: judges.Judge, prompts: list[str],
                   references: list[str]) -> dict[str, dict[str, float]]:
    """Winrate of each policy's greedy summary against the reference (the judge decides, ties
    count half), its mean true reward when the judge scores, and KL to SFT from samples."""
    sft = ws.load(SFT)
    out = {}
    for name in names:
        policy = ws.load(name)
        greedy = [s[0] for s in ws.generate(policy, prompts, 1, ws.seed, temperature=0.0)]
        drawn = [s[0] for s in ws.generate(policy, prompts, 1, ws.seed)]
        m = judged(prompts, greedy, references, judge)
        m["KL to SFT"] = evaluate.kl_estimate(rollout.completion_logprobs(policy, ws.tok, prompts, drawn),
                                              rollout.completion_logprobs(sft, ws.tok, prompts, drawn))
        out[name] = m
    return out


def rm_metrics(score, pairs: datasets.Dataset, gold=None) -> dict[str, float]:
    """A reward model's validation BT likelihood and accuracy on ``pairs``, and, given the gold
    scorer, how often it orders the pair as the gold judge does (:func:`pftlib.llm.gap.agreement`)."""
    margins = gap.margins(score, pairs)  # the pairs are scored once, for every measure
    out = evaluate.bt_validation(margins)
    if gold is not None:
        out["agreement with gold judge"] = gap.agreement_of(margins, gap.margins(gold, pairs))
    return out


def pair_accuracy(pairs: datasets.Dataset, gold) -> float:
    """Fraction of pairs whose chosen completion the gold judge scores higher (ties count half):
    the quality of the labels a DPO round trains on."""
    compare = judges.ScoreJudge("gold", gold).compare
    return evaluate.winrate(list(pairs["prompt"]), list(pairs["chosen"]), list(pairs["rejected"]), compare)


def run(setup: Pipeline, seed: int, workdir: Path) -> dict:
    """Train every policy for one seed under ``workdir``; return its metrics, the RM's, the
    measured gap and the recipes the held-out rule chose."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec(setup.judge, ws.source.verifier(), seed)
    rm = ws.train_offline()
    names = list(POLICIES)
    training_pairs = {"offline pairs (labels)": ws.pairs}
    for start in (SFT, DPO):
        training_pairs[f"{ONLINE_FROM[start]} pairs (learned RM)"] = ws.online_round(start, rm, ONLINE_FROM[start])
    if gold.score is not None:  # the same rounds with a perfect judge, for contrast
        for start, name in zip((SFT, DPO), GOLD_JUDGED):
            ws.online_round(start, gold.score, name)
        names += GOLD_JUDGED
    simple = fit_linear_reward(ws.pairs, setup.task.features) if isinstance(ws.source, Synthetic) else None
    if simple is not None:  # the same round judged by the simple class, fitted to the same pairs
        training_pairs[f"{SIMPLE_JUDGED} pairs"] = ws.online_round(SFT, simple, SIMPLE_JUDGED)
        names.append(SIMPLE_JUDGED)
    if setup.trl_online:
        ws.trl_online(rm, TRL_ONLINE)
        names.append(TRL_ONLINE)

    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    held_out = ws.held_out_pairs(setup.n_eval)
    result = {"seed": seed, "setup": asdict(setup), "policies": policy_metrics(ws, names, gold, prompts, references),
              "reward model": rm_metrics(rm, held_out, gold.score), "tuning": ws.choices}
    if gold.score is not None:  # how often each training set's "chosen" is really the better one
        result["pair accuracy"] = {name: pair_accuracy(pairs, gold.score) for name, pairs in training_pairs.items()}
        result["measured gap"] = gap.measured_gap(rm, ws.scorer("implicit", DPO), held_out, gold.score)
    if simple is not None:  # what a simple verifier class learns from the same pairs
        result["linear reference"] = rm_metrics(simple, held_out, gold.score)
        verifier = ws.source.verifier()
        result["reference true reward"] = evaluate.mean_score(prompts, references, verifier)
        result["best true reward"] = sum(setup.task.best_score(p) for p in prompts) / len(prompts)
        result["optimal answers"] = optimal_answers(setup.task, prompts)
    return result
