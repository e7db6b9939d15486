"""The language-model experiments by name: each one's config and its run for one seed.

    config, results = run_or_load("pipeline", params)   # a chapter's one call: train, or read a saved run
    results = run("pipeline", Pipeline(seeds=1, size="tiny"), workdir)

Run ``s`` of ``config.seeds`` uses seed ``config.seed * 100 + s``.  Results saved by
:func:`save` (``python -m pftlib.llm.launch``) carry the config they were computed with;
:func:`load` rebuilds it, so a chapter renders saved results with the parameters that produced them.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import progress
from ..environment import SEED_WORKERS_ENV, available_cores
from ..params import ParameterError, config_from, restored
from .config import GapClosers, Hypotheses, Pipeline, RewardStudy, Setup

#: Each experiment's config, by name.
CONFIGS: dict[str, type[Setup]] = {"pipeline": Pipeline, "reward-models": RewardStudy, "hypotheses": Hypotheses,
                                   "gap-closers": GapClosers}


def run_seed(name: str, config: Setup, seed: int, workdir: Path) -> dict:
    """One seed of experiment ``name``.  Each experiment's module loads torch and TRL, so it is
    imported here, when a seed runs, not when a config is checked."""
    if name == "pipeline":
        from .pipeline import run
    elif name == "reward-models":
        from .reward_study import run
    elif name == "hypotheses":
        from .hypotheses import run
    elif name == "gap-closers":
        from .gap_closers import run
    else:
        raise ValueError(f"unknown experiment {name!r}; experiments: {', '.join(CONFIGS)}")
    return run(config, seed, workdir)


def config(name: str, params: dict[str, Any]) -> Setup:
    """The config of experiment ``name`` that ``params`` describe (:func:`pftlib.params.config_from`)."""
    return config_from(CONFIGS[name], params)


def run_or_load(chapter: str, params: Mapping[str, Any]) -> tuple[Setup, list[dict]]:
    """The chapter's experiment at ``params``: trained now in a temporary folder, with TRL's
    logs and progress bars kept off the page, or, when ``params["from_json"]`` names a file,
    read from results saved by ``python -m pftlib.llm.launch`` (whose config then replaces the
    page's parameters; the page says where they were computed)."""
    if params.get("from_json"):
        saved, results, saved_by = load(params["from_json"], chapter)
        print(f"Rendered from {params['from_json']}, computed on {saved_by['device']} at commit "
              f"{saved_by['commit']} in {saved_by['wall_s']:.0f} s.")
        return saved, results
    import datasets
    import transformers

    setup = config(chapter, params)
    transformers.logging.set_verbosity_error()  # TRL's trainers then keep their progress bars off too
    transformers.logging.disable_progress_bar()  # where ipywidgets is installed (otter brings it) the bars
    datasets.disable_progress_bars()  # would be widgets on the page, out of reach of the log below
    log = io.StringIO()
    with tempfile.TemporaryDirectory() as work, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        return setup, run(chapter, setup, Path(work))


def run(name: str, config: Setup, workdir: Path) -> list[dict]:
    """One result per seed, each trained under ``workdir/seed<s>``, :func:`seed_workers` seeds at a
    time.  Seeds are independent and each pins its own thread count, so running them side by side
    gives the same numbers as one after another."""
    n = len(config.run_seeds)
    jobs = [(name, config, seed, Path(workdir) / f"seed{s}", f"seed {s + 1}/{n}")
            for s, seed in enumerate(config.run_seeds)]
    workers = seed_workers(len(jobs))
    if workers == 1:
        return [_one_seed(*job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_quiet_worker) as pool:  # spawn: no forked torch or kernel state
        return list(pool.map(_one_seed, *zip(*jobs)))


def seed_workers(seeds: int) -> int:
    """How many seeds run side by side: ``$PFT_SEED_WORKERS`` if set (``pft book`` sets it to its
    cores per chapter), else one per core; never more than the seeds, and one on a GPU or under
    ``accelerate launch`` (processes there share the device, not the seeds)."""
    import torch

    from .distributed import state

    if seeds == 1 or torch.cuda.is_available() or state().num_processes > 1:
        return 1
    value = os.environ.get(SEED_WORKERS_ENV, "")
    if value and not (value.isdigit() and int(value) >= 1):
        raise ParameterError(f"${SEED_WORKERS_ENV} must be a whole number of processes (1 or more), got {value!r}")
    return min(seeds, int(value) if value else available_cores())


def _one_seed(name: str, config: Setup, seed: int, workdir: Path, label: str) -> dict:
    progress.where(label)  # the seed's stages show under its label (pft's progress lines)
    return run_seed(name, config, seed, workdir)


def _quiet_worker() -> None:
    """A seed process keeps TRL's logs and progress bars off the terminal, as the chapter does."""
    import transformers

    transformers.logging.set_verbosity_error()
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (open for the process's life)


def save(path: Path, name: str, config: Setup, results: list[dict], provenance: dict, processes: int = 1) -> None:
    """Write results atomically (a ``.partial`` file renamed into place)."""
    saved = {"chapter": name, "config": asdict(config), "processes": processes, "results": results,
             "provenance": provenance}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(saved, indent=1))
    partial.replace(path)


#: What each experiment's page reads from every seed's result, beside the seed.
NEEDS = {"pipeline": ("policies", "reward model"), "reward-models": ("likelihood", "best of n", "sizes"),
         "hypotheses": ("policies", "reward models"), "gap-closers": ("settings",)}


def load(path: str | Path, name: str) -> tuple[Setup, list[dict], dict]:
    """Saved results of experiment ``name``: the config that produced them, the per-seed results
    and the provenance of the run.  Raises :class:`ParameterError` naming what is wrong with the
    file (unreadable, not JSON, another chapter's, a field missing).  The config is restored as
    saved, each value checked against its range; the rules that check *this* machine (folders,
    API keys, trackers) are not applied, since rendering needs none of them."""
    what = f"from_json {path}"
    try:
        saved = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ParameterError(f"{what}: not a results file of `python -m pftlib.llm.launch` ({err})") from None
    if not isinstance(saved, dict) or "chapter" not in saved:
        raise ParameterError(f"{what}: not a results file of `python -m pftlib.llm.launch` (no 'chapter' field)")
    if saved["chapter"] != name:
        raise ParameterError(f"{what} holds results of chapter {saved['chapter']!r}, not {name!r}")
    results = saved.get("results")
    missing = [k for k in ("config", "provenance") if not isinstance(saved.get(k), dict)]
    if not isinstance(results, list) or not results:
        missing.append("results")
    else:
        missing += sorted({k for r in results for k in ("seed", *NEEDS[name])
                           if not isinstance(r, dict) or k not in r})
    if missing:
        raise ParameterError(f"{what}: fields missing or empty: {', '.join(missing)}")
    return restored(CONFIGS[name], saved["config"]), results, saved["provenance"]
