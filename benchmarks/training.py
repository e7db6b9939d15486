"""Training and sampling throughput on CPU, at Chapter 4's default model and task.

    .venv/bin/python benchmarks/training.py

* DPO and global-reward-model training: preference pairs per second, end to end (tokenisation,
  one epoch, saving), through pftlib's TRL wrappers;
* online-DPO generation: prompts per second for K=4 samples each, with and without the KV cache,
  at the task's summary length and at a longer one (where the cache matters).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import save

from pftlib.llm import models, preferences, rollout, trainers
from pftlib.llm.config import Setup
from pftlib.tasks import build_tokenizer, eval_prompts

N_PAIRS, N_PROMPTS, K = 2000, 500, 4


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    setup, start = Setup(), time.time()
    task, tok = setup.task, build_tokenizer(setup.task)
    policy = models.causal_lm(tok, setup.size, 0)
    prompts = list(eval_prompts(task, N_PAIRS, 0)["prompt"])
    pairs = preferences.labelled_pairs(prompts, rollout.sample(policy, tok, prompts, 2, 1.0, task.budget + 1, 0),
                                       lambda p, c: [task.score(x, y) for x, y in zip(p, c)], 0.05, 0)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        options = {"num_train_epochs": 1, "per_device_train_batch_size": setup.batch_size,
                   "lr_scheduler_type": setup.lr_scheduler_type}  # one epoch at the chapters' batch size
        dpo = timed(lambda: trainers.dpo(models.causal_lm(tok, setup.size, 0), models.causal_lm(tok, setup.size, 0),
                                         tok, pairs, Path(work) / "dpo", 0, beta=setup.beta,
                                         learning_rate=setup.learning_rate, **options))
        rm = timed(lambda: trainers.reward(models.reward_model(tok, setup.rm_size, 0), tok, pairs, Path(work) / "rm",
                                           0, learning_rate=setup.rm_learning_rate, **options))
    rows += [{"what": "DPO training", "unit": "pairs/s", "value": N_PAIRS / dpo, "seconds": dpo},
             {"what": "reward-model training", "unit": "pairs/s", "value": N_PAIRS / rm, "seconds": rm}]
    for new_tokens in (task.budget + 1, 48):
        for cache in (True, False):
            s = timed(lambda: rollout.sample(policy, tok, prompts[:N_PROMPTS], K, 1.0, new_tokens, 0, use_cache=cache))
            rows.append({"what": f"generation, K={K}, {new_tokens} new tokens, KV cache {'on' if cache else 'off'}",
                         "unit": "prompts/s", "value": N_PROMPTS / s, "seconds": s})
    params = {"size": setup.size, "rm_size": setup.rm_size, "n_pairs": N_PAIRS, "n_prompts": N_PROMPTS, "k": K,
              "batch_size": 32}
    save("training", params, rows, time.time() - start)


if __name__ == "__main__":
    main()
