"""Preference data for language models: labels from a verifier, and the paper's online pairs."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import datasets

Scorer = Callable[[list[str], list[str]], list[float]]


def labelled_pairs(prompts: list[str], samples: list[list[str]], score: Scorer, temperature: float,
                   seed: int) -> datasets.Dataset:
    """The stand-in for human labels: for each prompt's first two samples, a Bradley–Terry draw
    ``P(a > b) = sigmoid((s(a) - s(b)) / temperature)`` under the verifier's scores ``s``."""
    if temperature <= 0:
        raise ValueError(f"the label temperature must be > 0, got {temperature}")
    rng = random.Random(seed)
    a = [s[0] for s in samples]
    b = [s[1] for s in samples]
    sa, sb = score(prompts, a), score(prompts, b)
    rows: dict[str, list[str]] = {"prompt": [], "chosen": [], "rejected": []}
    for p, x, y, u, v in zip(prompts, a, b, sa, sb):
        z = -(u - v) / temperature
        first = rng.random() < (0.0 if z > 700 else 1 / (1 + math.exp(z)))  # past 709 exp overflows; P is 0
        rows["prompt"].append(p)
        rows["chosen"].append(x if first else y)
        rows["rejected"].append(y if first else x)
    return datasets.Dataset.from_dict(rows)


#: The score of a completion that never ended (no EOS within the length limit), as in the authors'
#: scripts: below anything a judge gives, so it is the rejected one whenever another sample ended.
UNFINISHED = -1e6


def random_summary_pairs(task, n: int, seed: int, temperature: float, score: Scorer | None = None) -> datasets.Dataset:
    """Pairs of *random* summaries of ``n`` fresh task prompts, labelled like :func:`labelled_pairs`
    by ``score`` (default: the task's verifier): the data for measuring whether a reward model can
    learn a verifier before any policy exists.  A summary has 1 to horizon + 1 words, each a document
    word with probability 3/4, else any vocabulary word."""
    rng = random.Random(seed)
    prompts, samples = [], []
    for _ in range(n):
        document = task.document(rng)
        words = [w for w in document if w in task.words]
        prompts.append(task.prompt(document))
        samples.append([" " + " ".join(rng.choice(words) if rng.random() < 0.75 else rng.choice(task.words)
                                       for _ in range(rng.randint(1, task.horizon + 1))) for _ in range(2)])
    score = score or (lambda P, C: [task.score(p, c) for p, c in zip(P, C)])
    return labelled_pairs(prompts, samples, score, temperature, seed)


def best_vs_worst(prompts: list[str], samples: list[list[str]], score: Scorer,
                  ended: list[list[bool]] | None = None) -> datasets.Dataset:
    """The paper's online pairs: of the K samples per prompt, the highest-scoring one is chosen
    and the lowest rejected.  With ``ended`` (per sample: did it emit EOS?), a sample that never
    ended scores :data:`UNFINISHED`.  Prompts whose samples all score alike give no pair."""
    flat_p = [p for p, s in zip(prompts, samples) for _ in s]
    flat_c = [c for s in samples for c in s]
    scores = score(flat_p, flat_c)
    if ended is not None:
        scores = [x if e else UNFINISHED for x, e in zip(scores, (e for row in ended for e in row))]
    rows: dict[str, list[str]] = {"prompt": [], "chosen": [], "rejected": []}
    start = 0
    for p, s in zip(prompts, samples):
        block = scores[start:start + len(s)]
        start += len(s)
        best = max(range(len(s)), key=block.__getitem__)
        worst = min(range(len(s)), key=block.__getitem__)
        if block[best] > block[worst]:
            rows["prompt"].append(p)
            rows["chosen"].append(s[best])
            rows["rejected"].append(s[worst])
    return datasets.Dataset.from_dict(rows)
