"""Run a language-model experiment outside its chapter, on one or many devices.

    python -m pftlib.llm.launch pipeline -p size tiny --out runs/pipeline.json
    python -m pftlib.llm.launch pipeline -f recipes/paper-1.4b.yaml -p judge rm:runs/gold-rm --out runs/1.4b.json
    accelerate launch --multi_gpu --num_processes 8 -m pftlib.llm.launch pipeline \\
        -p model EleutherAI/pythia-1.4b-deduped -p sft_dataset trl-lib/tldr \\
        -p pref_dataset trl-lib/tldr-preference -p judge rm:path/to/gold-rm --out runs/1.4b.json

Parameters are the experiment's config fields (``pft list`` shows them under its chapter),
validated before anything loads.  ``--multi_gpu`` is accelerate's name for its torchrun launcher;
without a GPU it gives CPU processes (gloo).  Under ``accelerate launch`` TRL's trainers train
data-parallel, sampling is split across processes, and the main process writes the results (with
their config and provenance) atomically to ``--out``.  Render them into the chapter with
``pft run CHAPTER -p from_json runs/1.4b.json``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from ..params import ParameterError, check_writable, schema_of, take_params
from ..provenance import record
from . import experiments
from .judges import check_datasets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pftlib.llm.launch", description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", choices=list(experiments.CONFIGS))
    parser.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("-f", "--params-file", type=Path, metavar="FILE",
                        help="a YAML file of `name: value` lines (a recipe such as recipes/paper-1.4b.yaml); -p wins")
    parser.add_argument("--out", type=Path, required=True, help="where the results JSON goes")
    parser.add_argument("--workdir", type=Path, help="where models are saved (default: a temporary folder)")
    try:
        rest, pairs = take_params(sys.argv[1:] if argv is None else argv)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args = parser.parse_args(rest)
    try:
        schema = schema_of(experiments.CONFIGS[args.experiment])
        params = schema.validate({**(schema.parse_file(args.params_file) if args.params_file else {}),
                                  **schema.parse(pairs)})  # checked here, where they enter; the config trusts them
        config = experiments.config(args.experiment, params)
        check_writable(args.out)  # before hours of training, not after
        check_datasets(params)
    except ValueError as err:  # a hub data set that cannot be had (ParameterError is a ValueError too)
        print(f"error: {err}", file=sys.stderr)
        return 2

    from accelerate.utils import broadcast_object_list

    from .distributed import state as process_group

    state = process_group()
    start = time.time()
    scratch = [tempfile.mkdtemp(prefix="pft-") if state.is_main_process and not args.workdir else None]
    broadcast_object_list(scratch)  # every process must save to and load from the same folders
    keep = False
    try:
        results = experiments.run(args.experiment, config, args.workdir or Path(scratch[0]))
        if state.is_main_process:
            keep = True  # until the results are safely written
            experiments.save(args.out, args.experiment, config, results,
                             record(Path.cwd(), asdict(config), time.time() - start), state.num_processes)
            keep = False
    finally:
        state.wait_for_everyone()
        if keep and scratch[0]:
            print(f"the results could not be written to {args.out}; the trained models are kept in {scratch[0]}",
                  file=sys.stderr)
        elif state.is_main_process and scratch[0]:
            shutil.rmtree(scratch[0], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
