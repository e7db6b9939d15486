"""How fast ``pft`` answers before any chapter runs: ``--help``, ``list``, ``--version`` and a
parameter error, each a fresh process (Python's start included), timed several times.

    .venv/bin/python benchmarks/cli.py

Target (DESIGN.md, the readers' issue): each under 2 s on a cold start.  The first of the repeats
is the coldest the machine allows here (the files may sit in the system's cache).
"""

from __future__ import annotations

import statistics
import subprocess
import time

from common import ROOT, save

PFT = str(ROOT / ".venv" / "bin" / "pft")
COMMANDS = {"pft --help": ["--help"], "pft list": ["list"], "pft --version": ["--version"],
            "pft run pipeline -p n_pairs 0 (a parameter error)": ["run", "pipeline", "-p", "n_pairs", "0"]}
REPEATS = 5


def main() -> None:
    start = time.time()
    rows = []
    for what, argv in COMMANDS.items():
        times = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            subprocess.run([PFT, *argv], cwd=ROOT, capture_output=True)
            times.append(time.perf_counter() - t)
        rows.append({"what": what, "first s": times[0], "median s": statistics.median(times)})
    save("cli", {"repeats": REPEATS}, rows, time.time() - start)


if __name__ == "__main__":
    main()
