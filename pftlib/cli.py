"""The ``pft`` command: list chapters and parameters, run one chapter, build the book.

It answers at once: ``--help``, ``list`` and every parameter error load neither torch,
transformers, datasets nor altair; papermill and the chapters' libraries load only to execute.

Exit codes: 0 success, 1 a chapter or the HTML build failed, 2 bad usage or parameters
(nothing executed, nothing written).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

from .environment import book_root
from .llm.judges import check_datasets
from .params import ParameterError, check_writable, take_params
from .publish.chapters import CHAPTERS, TEACHING, find
from .publish.failures import BuildFailed, ChapterFailed


class UsageError(Exception):
    """Bad usage: reported on stderr with exit code 2."""


def project_root() -> Path:
    """The book's checkout at or above the working folder (:func:`pftlib.environment.book_root`)."""
    root = book_root()
    if root is None:
        raise UsageError(f"no checkout of this book (a folder whose pyproject.toml names pftlib, with _toc.yml and "
                         f"notebooks/) at or above {Path.cwd()}")
    return root


_JSON_TYPES = {int: "integer", float: "number", str: "string", bool: "boolean"}


def schema_json(chapter) -> dict:
    """One chapter's parameters as a JSON Schema (draft 2020-12, ``pft list --json``): types,
    defaults, ranges, choices and help; the rules over several parameters, the small profile and
    where the notebook is go under ``x-pft``, since JSON Schema cannot say them."""
    properties = {}
    for p in chapter.schema.params:
        prop = {"type": _JSON_TYPES[p.type], "default": p.default, "description": p.help}
        if p.low is not None:
            prop["exclusiveMinimum" if p.low_open else "minimum"] = p.low
        if p.high is not None:
            prop["maximum"] = p.high
        if p.choices:
            prop["enum"] = list(p.choices)
        properties[p.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": chapter.title, "type": "object",
        "properties": properties, "additionalProperties": False,
        "x-pft": {"slug": chapter.slug, "notebook": f"notebooks/{chapter.stem}.ipynb",
                  "quick": dict(chapter.schema.quick),
                  "constraints": [{"names": list(c.names), "message": c.message} for c in chapter.schema.constraints]},
    }


def cmd_list(args: argparse.Namespace) -> None:
    chapters = [find(args.chapter)] if args.chapter else list(CHAPTERS)
    if args.json:
        print(json.dumps([schema_json(ch) for ch in chapters], indent=1))
        return
    width = shutil.get_terminal_size().columns
    for ch in chapters:
        print(f"{ch.slug}  (chapter {int(ch.stem.split('_')[0])}: {ch.title}; notebooks/{ch.stem}.ipynb)")
        rows = [("name", "type", "default", "allowed", "meaning")]
        rows += [(p.name, p.type.__name__, repr(p.default), p.allowed(), p.help) for p in ch.schema.params]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        indent = 2 + sum(w + 2 for w in widths)
        for r in rows:  # the meaning wraps under itself, within the terminal's width
            meaning = textwrap.wrap(r[4], max(30, width - indent), break_on_hyphens=False) or [""]
            print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + meaning[0])
            for more in meaning[1:]:
                print(" " * indent + more)
        notes = [f"constraint on {', '.join(c.names)}: {c.message}" for c in ch.schema.constraints]
        if ch.schema.quick:
            notes.append("quick profile (--quick): " + ", ".join(f"{k}={v!r}" for k, v in ch.schema.quick.items()))
        for note in notes:
            print(textwrap.fill(note, width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False))
        print()


def enter_root() -> Path:
    """Move to the book's checkout, where the chapters run: relative paths in parameters are then
    checked against the same folder the notebook reads them from."""
    root = project_root()
    os.chdir(root)
    return root


def requested(chapter, quick: bool, params_file: Path | None, pairs: list[tuple[str, str]]) -> dict:
    """A run's checked parameters: the defaults, then the small profile (``--quick``), then the
    file's values (``-f``), then each ``-p``: a later source wins."""
    base = dict(chapter.schema.quick) if quick else {}
    from_file = chapter.schema.parse_file(params_file) if params_file else {}
    return chapter.schema.validate({**base, **from_file, **chapter.schema.parse(pairs)})


def cmd_run(args: argparse.Namespace) -> None:
    chapter = find(args.chapter)
    out = Path(args.out).resolve() if args.out else None  # relative to where pft was called
    if out is not None and (out.is_dir() or args.out.endswith("/")):
        out = out / f"{chapter.stem}.ipynb"
    if out is not None and out.suffix != ".ipynb":
        raise UsageError(f"--out must be a folder or a .ipynb path, got {args.out}")
    recipe = Path(args.params_file).resolve() if args.params_file else None  # relative to where pft was called
    root = enter_root()
    params = requested(chapter, args.quick, recipe, args.param or [])
    if not params.get("from_json"):  # a hub data set that cannot be had stops here, not in the kernel
        try:
            check_datasets(params)
        except ValueError as err:
            raise ParameterError(str(err)) from None
    if out is not None:
        if out.is_relative_to(root / "notebooks"):
            raise UsageError(f"--out {args.out} is inside notebooks/, where the source notebooks live: an executed "
                             "page there would replace a chapter's source")
        check_writable(out)
    from .progress import Board
    from .publish.execute import execute  # papermill: loaded once the parameters are known good

    with Board() if not args.no_progress else contextlib.nullcontext() as board:
        meta = execute(chapter, root, params, out=out, board=board)
    where = out or chapter.page(root)
    print(f"[pft] wrote {where} in {meta['provenance']['wall_s']:.1f} s; reproduce with: {meta['command']}")


def cmd_book(args: argparse.Namespace) -> None:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {args.jobs}")
    root = enter_root()
    from .publish.build import build_html, execute_chapters

    execute_chapters(root, quick=args.quick, force=args.force, keep=args.keep_params, jobs=args.jobs)
    site = build_html(root)
    print(f"[pft] the book is at {site / 'index.html'}")


def cmd_params(args: argparse.Namespace) -> None:
    from .publish.parameters_cell import sync

    stale = sync(enter_root(), check=args.check)
    names = ", ".join(f"notebooks/{ch.stem}.ipynb" for ch in stale)
    if args.check and stale:
        raise BuildFailed(f"parameters cells differ from their schemas (run `pft params`): {names}")
    print(f"[pft] {'rewrote' if stale else 'every parameters cell already matches its schema'} {names}".rstrip())


def cmd_teach(args: argparse.Namespace) -> None:
    chapters = [find(name) for name in args.chapter] or list(TEACHING)
    if bare := [ch.slug for ch in chapters if ch not in TEACHING]:
        raise UsageError(f"no exercises in {', '.join(bare)}; chapters with exercises: "
                         + ", ".join(ch.slug for ch in TEACHING))
    out = Path(args.out).resolve() if args.out else None  # relative to where pft was called
    root = enter_root()
    from .publish.teach import build

    for chapter in chapters:
        kit = build(chapter, root, out or root / "_build" / "teach")
        print(f"[pft] {chapter.slug}: students get {kit / 'student'}; the grader is "
              f"{kit / 'autograder' / (chapter.stem + '-autograder.zip')}", flush=True)
    print("[pft] grade a submission: otter run -a GRADER.zip SUBMISSION.ipynb -o RESULTS_FOLDER")


def cmd_pdf(args: argparse.Namespace) -> None:
    from .publish.pdf import build_pdf

    print(f"[pft] the PDF is at {build_pdf(enter_root())}")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pft", description="The companion book to 'All Roads Lead to Likelihood'.")
    sub = ap.add_subparsers(dest="command", required=True)
    ap.add_argument("--version", action="version", version=f"%(prog)s {version('pftlib')}")
    listing = sub.add_parser("list", help="every chapter (or one) with its parameters")
    listing.add_argument("chapter", nargs="?", help="only this chapter (slug, notebook name or number)")
    listing.add_argument("--json", action="store_true", help="the parameters as JSON Schema, one per chapter")
    listing.set_defaults(func=cmd_list)

    run = sub.add_parser("run", help="execute one chapter with papermill")
    run.add_argument("chapter", help="slug, notebook name or number (see pft list)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a parameter (repeatable)")
    run.add_argument("-f", "--params-file", metavar="FILE",
                     help="a YAML file of `name: value` lines (a recipe such as recipes/paper-1.4b.yaml); -p wins")
    run.add_argument("--out", help="write the executed notebook here instead of the book's page")
    run.add_argument("--quick", action="store_true", help="start from the chapter's small profile")
    run.add_argument("--no-progress", action="store_true",
                     help="no progress lines (the cell, the stage training, its step, the time left)")
    run.set_defaults(func=cmd_run)

    book = sub.add_parser("book", help="execute out-of-date chapters, then build the HTML site")
    book.add_argument("--quick", action="store_true", help="each chapter's small profile (for tests)")
    book.add_argument("--force", action="store_true", help="re-execute every chapter")
    book.add_argument("--keep-params", action="store_true",
                      help="keep the parameters each page was last run with (after pft run)")
    book.add_argument("--jobs", type=int, default=None, metavar="N",
                      help="chapters executed side by side (default: one per available core)")
    book.set_defaults(func=cmd_book)

    params = sub.add_parser("params", help="write each notebook's parameters cell from its chapter's schema")
    params.add_argument("--check", action="store_true", help="only report the cells that differ (exit 1 if any)")
    params.set_defaults(func=cmd_params)

    teach = sub.add_parser("teach", help="a teacher's kit per chapter: student notebooks and an otter grader")
    teach.add_argument("chapter", nargs="*", help="only these chapters (default: every chapter with exercises)")
    teach.add_argument("--out", help="where the kits go (default: _build/teach)")
    teach.set_defaults(func=cmd_teach)

    pdf = sub.add_parser("pdf", help="print the built site into one PDF (_build/html/book.pdf) with headless Chromium")
    pdf.set_defaults(func=cmd_pdf)
    return ap


def main(argv: list[str] | None = None) -> int:
    try:
        rest, pairs = take_params(sys.argv[1:] if argv is None else argv)
    except ParameterError as err:
        print(f"pft: error: {err}", file=sys.stderr)
        return 2
    args = parser().parse_args(rest)
    if pairs and args.command != "run":
        print(f"pft: error: -p sets a parameter of `pft run`, not of `pft {args.command}`", file=sys.stderr)
        return 2
    args.param = pairs
    try:
        args.func(args)
    except (ParameterError, UsageError) as err:
        print(f"pft: error: {err}", file=sys.stderr)
        return 2
    except (ChapterFailed, BuildFailed) as err:
        print(f"pft: failed: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # outside a chapter's execution (which reports its own interrupt)
        print("pft: failed: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped reading (`pft list | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
