"""Run a language-model chapter's experiment outside the notebook, on one or many devices.

    python -m pftlib.llm.launch pipeline -p size tiny --out runs/pipeline.json
    accelerate launch --multi_gpu --num_processes 8 -m pftlib.llm.launch pipeline \\
        -p model EleutherAI/pythia-1.4b-deduped -p sft_dataset trl-lib/tldr \\
        -p pref_dataset trl-lib/tldr-preference -p judge rm:path/to/gold-rm --out runs/1.4b.json

Parameters are the chapter's (``pft list``), validated before anything loads.  ``--multi_gpu``
is accelerate's name for its torchrun launcher; without a GPU it gives CPU processes (gloo).  Under
``accelerate launch`` TRL's trainers train data-parallel, sampling is split across processes, and
the main process writes the results (with their provenance) atomically to ``--out``.  Render them
into the chapter with ``pft run CHAPTER -p from_json runs/1.4b.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..book.chapters import find, number_list
from ..book.params import ParameterError
from ..book.provenance import record

EXPERIMENTS = ("pipeline", "reward-models", "hypotheses", "gap-closers")


def experiment(chapter: str, params: dict) -> Callable[[int, Path], dict]:
    """The chapter's experiment for one seed, ``run(seed, workdir)``, configured by its parameters."""
    from .pipeline import Setup

    if chapter == "pipeline":
        from .pipeline import run
        return partial(run, Setup.from_params(params))
    if chapter == "reward-models":
        from .reward_study import Study, run
        return partial(run, Study.from_params(params))
    from . import hypotheses

    setup = Setup.from_params(params)
    if chapter == "hypotheses":
        betas = number_list(params["betas"])
        return lambda seed, workdir: hypotheses.run_h1_h5(setup, seed, workdir, betas, params["prompt_factor"],
                                                          params["max_n"])
    if chapter == "gap-closers":
        return lambda seed, workdir: hypotheses.run_h6(setup, seed, workdir, hypotheses.SETTINGS)
    raise ValueError(f"chapter {chapter!r} has no language-model experiment; these do: {', '.join(EXPERIMENTS)}")


def results_of(chapter: str, params: dict, workdir: Path) -> list[dict]:
    """One result per seed (seed ``seed * 100 + s`` for run ``s``); the chapters' notebooks call this too."""
    run = experiment(chapter, params)
    return [run(params["seed"] * 100 + s, workdir / f"seed{s}") for s in range(params["seeds"])]


def load(path: str, chapter: str) -> tuple[dict, list[dict], dict]:
    """Saved results for ``chapter``: its parameters (checked against the schema), the per-seed
    results and the provenance of the run that produced them."""
    saved = json.loads(Path(path).read_text())
    if saved.get("chapter") != chapter:
        raise ParameterError(f"{path} holds results of chapter {saved.get('chapter')!r}, not {chapter!r}")
    params = find(chapter).schema.validate({**saved["provenance"]["parameters"], "from_json": ""})
    return params, saved["results"], saved["provenance"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pftlib.llm.launch", description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", choices=EXPERIMENTS)
    parser.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("--out", type=Path, required=True, help="where the results JSON goes")
    parser.add_argument("--workdir", type=Path, help="where models are saved (default: a temporary folder)")
    args = parser.parse_args(argv)
    schema = find(args.chapter).schema
    try:
        params = schema.validate(schema.parse([tuple(p) for p in args.param]))
        if params.get("from_json"):
            raise ParameterError("from_json renders saved results; it cannot be set when producing them")
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    from accelerate.utils import broadcast_object_list

    from .distributed import state as process_group

    state = process_group()
    start = time.time()
    scratch = [tempfile.mkdtemp(prefix="pft-") if state.is_main_process and not args.workdir else None]
    broadcast_object_list(scratch)  # every process must save to and load from the same folders
    try:
        results = results_of(args.chapter, params, args.workdir or Path(scratch[0]))
    finally:
        state.wait_for_everyone()
        if state.is_main_process and scratch[0]:
            shutil.rmtree(scratch[0], ignore_errors=True)
    if state.is_main_process:
        saved = {"chapter": args.chapter, "processes": state.num_processes, "results": results,
                 "provenance": record(Path.cwd(), params, time.time() - start)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_suffix(args.out.suffix + ".partial")
        partial.write_text(json.dumps(saved, indent=1))
        partial.replace(args.out)
    state.wait_for_everyone()
    return 0


if __name__ == "__main__":
    sys.exit(main())
