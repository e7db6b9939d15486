"""The exact theory engine against a naive per-node loop, up to 1,048,576 completions (V=4, H=10).

    .venv/bin/python benchmarks/engine.py

The engine computes the soft-optimal policy, a BT log-likelihood over 10,000 pairs and its
gradient; the naive loop computes only trajectory log-likelihoods and soft value iteration.
"""

from __future__ import annotations

import time

from common import save

from pftlib.theory.bench import benchmark

if __name__ == "__main__":
    params = {"V": 4, "max_horizon": 10, "naive_max": 1_048_576}
    start = time.time()
    rows = benchmark(**params)
    save("engine", params, rows, time.time() - start)
