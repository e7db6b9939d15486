"""Can the transformer reward model learn the verifier?  Measured alone, before any policy.

    .venv/bin/python benchmarks/reward_learnability.py          # about 20 minutes on 2 CPU cores
    .venv/bin/python benchmarks/reward_learnability.py priced   # one verifier, merged into the saved results

For three verifiers on training-style prompts, 2,500 preference pairs between two *random*
summaries (1 to horizon + 1 words, three quarters of them drawn from the document), labelled by a
Bradley–Terry draw at temperature 0.1, and 1,000 held-out pairs like them:

* **bag of words**: a fixed value per word (seeded), summed over the summary: no document needed;
* **coverage**: the coverage summary's verifier (every summary word looked up in the document);
* **budget**: the budgeted summary's verifier (values and costs summed, compared with the budget);
* **priced**: the priced summary's verifier (each word's value read from the document's price list,
  summed; costs summed and compared with the budget), the candidate for a task whose best answer
  needs the document.

Each is learned by the linear reference on the verifier's simple features and by TRL's
RewardTrainer on a fresh GPT-NeoX under several recipes; the score is agreement with the verifier
on strict pairs, on the training pairs and on the held-out ones.  This is the search that chose the
book's reward-model recipe (the budget verifier's best held-out agreement), on random summaries
only: no policy, no evaluation prompts.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from common import RESULTS, kept_from, save

from pftlib.llm import models, trainers
from pftlib.llm.config import synthetic_task
from pftlib.llm.linear_reward import fit_linear_reward
from pftlib.llm.pipeline import rm_metrics
from pftlib.llm.preferences import random_summary_pairs
from pftlib.llm.rewards import global_reward
from pftlib.tasks import build_tokenizer, parse_summary

N_TRAIN, N_HELD, LABEL_TEMPERATURE = 2500, 1000, 0.1
RECIPES = [{"size": "small", "epochs": 6, "lr": 3e-3}, {"size": "small", "epochs": 12, "lr": 1e-3},
           {"size": "small", "epochs": 30, "lr": 1e-3}, {"size": "base", "epochs": 6, "lr": 1e-3}]


def bag_of_words():
    """The coverage task's prompts, scored by a fixed (seeded) value per word."""
    task = synthetic_task(3, "coverage")
    rng = random.Random(5)
    value = {w: rng.uniform(-1, 1) for w in task.words}
    score = lambda prompt, completion: sum(value.get(w, 0.0) for w in parse_summary(completion))  # noqa: E731
    features = lambda prompt, completion: [float(parse_summary(completion).count(w)) for w in task.words]  # noqa: E731
    return task, score, features


def verifiers():
    coverage, budget, priced = synthetic_task(3, "coverage"), synthetic_task(8, "budget"), synthetic_task(8, "priced")
    yield "bag of words", *bag_of_words()
    yield "coverage", coverage, coverage.score, coverage.features
    yield "budget", budget, budget.score, budget.features
    yield "priced", priced, priced.score, priced.features


def agreement(reward, pairs, gold) -> float:
    return rm_metrics(reward, pairs, gold)["agreement with gold judge"]


def main(only: tuple[str, ...] = ()) -> None:
    """Measure every verifier, or only those named (their rows replace the saved ones; the others'
    rows, and the commit that measured them, are kept)."""
    start, rows = time.time(), []
    saved = RESULTS / "reward_learnability.json"
    kept = {}
    if only:
        kept = json.loads(saved.read_text())
        rows = [r for r in kept["rows"] if r["verifier"] not in only]
    for name, task, score, features in verifiers():
        if only and name not in only:
            continue
        gold = lambda P, C: [score(p, c) for p, c in zip(P, C)]  # noqa: E731
        train = random_summary_pairs(task, N_TRAIN, 1, LABEL_TEMPERATURE, gold)
        held = random_summary_pairs(task, N_HELD, 2, LABEL_TEMPERATURE, gold)
        linear = fit_linear_reward(train, features)
        rows.append({"verifier": name, "model": "linear reference", "train": agreement(linear, train, gold),
                     "held out": agreement(linear, held, gold), "seconds": 0.0})
        tok = build_tokenizer(task)
        for recipe in RECIPES:
            t = time.time()
            with tempfile.TemporaryDirectory() as work:
                rm = trainers.reward(models.reward_model(tok, recipe["size"], 0), tok, train, Path(work), 0,
                                     num_train_epochs=recipe["epochs"], learning_rate=recipe["lr"], disable_tqdm=True,
                                     per_device_train_batch_size=32, lr_scheduler_type="cosine")
            reward = global_reward(rm, tok)
            rows.append({"verifier": name, "model": f"transformer ({recipe['size']}, {recipe['epochs']} epochs, "
                                                     f"lr {recipe['lr']:g})", "train": agreement(reward, train, gold),
                         "held out": agreement(reward, held, gold), "seconds": time.time() - t})
            print(rows[-1], flush=True)
    params = {"n_train": N_TRAIN, "n_held_out": N_HELD, "label_temperature": LABEL_TEMPERATURE, "recipes": RECIPES,
              "seed": 0}
    if only:
        params["merged"] = {"re-run here": list(only), "kept from commit": kept_from(kept["provenance"])}
    save("reward_learnability", params, rows, time.time() - start)


if __name__ == "__main__":
    main(tuple(sys.argv[1:]))
