"""`pft book` from a fresh clone of HEAD: cold (install, every chapter at its defaults, the HTML),
then warm (nothing changed), with each chapter's own runtime in the book (chapters side by side,
a core each); then each language-model chapter alone (`pft run`, every core, an empty cache).

    .venv/bin/python benchmarks/build.py               # about 25 minutes on 2 cores
    .venv/bin/python benchmarks/build.py --keep DIR    # build in DIR and keep it (to read the pages)

Targets (DESIGN.md, and ``pftlib.report.benchmarks`` which judges against them): cold at most 12
minutes, warm under 2 minutes, each language-model chapter (alone, on the machine's cores) at most
5 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import ROOT, save

from pftlib.llm.cache import CACHE_ENV
from pftlib.publish.chapters import LANGUAGE_MODEL

#: The clone trains into its own cache (`pft` sets .cache/pft there), never into this checkout's.
ENV = {k: v for k, v in os.environ.items() if k != CACHE_ENV}


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.time()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", type=Path, help="clone into this new folder and keep it")
    keep = ap.parse_args().keep
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        clone = keep.resolve() if keep else Path(tmp) / "book"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        cold = timed(["make", "book"], clone)
        warm = timed([str(clone / ".venv" / "bin" / "pft"), "book"], clone)
        pages = sorted((clone / "book" / "chapters").glob("*.ipynb"))
        chapters = [{"what": f"chapter {p.stem}", "seconds": json.loads(p.read_text())["metadata"]["pftlib"]
                     ["provenance"]["wall_s"]} for p in pages]
        alone = []
        for ch in LANGUAGE_MODEL:  # each from an empty cache, as a reader's first `pft run` is
            shutil.rmtree(clone / ".cache" / "pft", ignore_errors=True)
            alone.append({"what": f"alone: chapter {ch.stem}",
                          "seconds": timed([str(clone / ".venv" / "bin" / "pft"), "run", ch.slug], clone)})
        rows = [{"what": "cold: make book from a fresh clone (install, every chapter, HTML)", "seconds": cold},
                {"what": "warm: pft book with nothing changed", "seconds": warm}, *chapters, *alone]
        save("build", {"command": "make book, then pft book"}, rows, time.time() - start, measured=clone)


if __name__ == "__main__":
    main()
