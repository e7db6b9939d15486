"""``pft teach``: a teacher's kit for each chapter, built with otter-grader.

Each chapter's exercises end in a solution (a dropdown on the site).  Where the solution stores
its answer in a named variable (its code cell carries ``"pft": {"answer": NAME}`` in its metadata,
and the exercise tells readers the name), the exercise is autograded; the others are graded by
hand.  For every chapter this writes an Otter Assign notebook (:func:`master`) and runs
``otter assign`` on it, which gives

* ``student/<stem>.ipynb``: the chapter with every solution removed (code and prose), a cell to
  fill in per exercise and a ``grader.check`` cell for the answer's format;
* ``autograder/<stem>.ipynb``: the reference, with solutions;
* ``autograder/<stem>-autograder.zip``: the grader, for ``otter run`` (or Gradescope).

An autograded exercise is worth :data:`POINTS`, all or nothing.  Its hidden test runs the book's
own solution on the graded notebook's objects (:func:`reference`) and compares the answers
(:func:`same`), so it holds at any parameters the notebook was run with.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import nbformat

from .chapters import Chapter
from .setup_cell import is_setup

POINTS = 1
#: The kit's set-up cell.  It stays in the notebook's folder (otter reads its tests from there), so
#: the chapters find the book's files through the checkout pftlib is installed from.
KIT_SETUP = '''\
# Set-up: this copy runs in a folder of its own (otter keeps its tests there), with pftlib
# installed from a checkout of the book.
try:
    import pftlib  # noqa: F401
except ImportError:
    raise RuntimeError("install pftlib from a checkout of the book first (`make` there)") from None'''
EXERCISE = re.compile(r"^```\{exercise\} ?(?P<title>[^\n]*)\n:label: (?P<label>\S+)\n(?P<body>.*?)\n```\s*$", re.S)
SOLUTION_START = re.compile(r"^```\{solution-start\} (\S+)")
SOLUTION_END = "```{solution-end}"


def answer_of(cell) -> str | None:
    """The answer variable a solution's code cell stores, if any."""
    return cell.metadata.get("pft", {}).get("answer") if cell.cell_type == "code" else None


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _exercises(nb) -> Iterator[tuple[Any, list, str | None]]:
    """Each cell that is not part of an exercise's solution as ``(cell, [], None)``, and each
    exercise as ``(its cell, its solution's cells, its answer variable)``."""
    cells = iter(nb.cells)
    for cell in cells:
        if cell.cell_type != "markdown" or not EXERCISE.match(cell.source):
            yield cell, [], None
            continue
        start = next(cells)
        if not SOLUTION_START.match(start.source):
            raise ValueError(f"the exercise {EXERCISE.match(cell.source)['label']} is not followed by its solution")
        solution = []
        for inner in cells:
            if SOLUTION_END in inner.source:  # the closing cell may end the prose too
                text = inner.source.replace(SOLUTION_END, "").replace("```", "").strip()
                solution += [nbformat.v4.new_markdown_cell(text)] if text else []
                break
            solution.append(inner)
        answers = [a for c in solution if (a := answer_of(c))]
        yield cell, solution, answers[0] if answers else None


def _prompt(cell) -> Any:
    """The exercise as plain Markdown (Jupyter does not render the book's ``{exercise}`` block)."""
    m = EXERCISE.match(cell.source)
    return nbformat.v4.new_markdown_cell(f"**Exercise ({m['label']}). {m['title']}**\n\n{m['body'].strip()}")


def _test(answer: str, solution: list) -> list:
    """The question's tests: a visible one (the answer is there) and a hidden one (it is right)."""
    source = "\n\n".join(c.source for c in solution if c.cell_type == "code")
    hidden = ('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
              "from pftlib.publish.teach import reference, same\n"
              f"assert same({answer}, reference(globals(), {source!r}, {answer!r}))")
    return [nbformat.v4.new_code_cell(f"assert {answer!r} in globals() and {answer} is not ..., "
                                      f"'store your answer in {answer}'"),
            nbformat.v4.new_code_cell(hidden)]


def master(chapter: Chapter, root: Path) -> nbformat.NotebookNode:
    """The chapter as an Otter Assign notebook: one question per exercise, its solution in a
    solution block, and, where the solution stores an answer, the tests."""
    nb = nbformat.read(chapter.source(root), as_version=4)
    config = {"name": chapter.stem, "init_cell": True, "check_all_cell": False, "export_cell": False,
              "solutions_pdf": False, "generate": True, "run_tests": False}
    cells = [_raw("# ASSIGNMENT CONFIG\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in config.items()))]
    for cell, solution, answer in _exercises(nb):
        if not solution:
            cells.append(nbformat.v4.new_code_cell(KIT_SETUP) if is_setup(cell) else cell)
            continue
        label = EXERCISE.match(cell.source)["label"].replace("-", "_")
        question = {"name": label, "points": POINTS if answer else 0, "all_or_nothing": True, "manual": not answer}
        cells += [_raw("# BEGIN QUESTION\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in question.items())),
                  _prompt(cell)]
        cells += [_raw("# BEGIN SOLUTION"), *_solution_cells(solution, answer), _raw("# END SOLUTION")]
        if answer:
            cells += [_raw("# BEGIN TESTS"), *_test(answer, solution), _raw("# END TESTS")]
        cells.append(_raw("# END QUESTION"))
    nb.cells = cells
    return nb


def _solution_cells(solution: list, answer: str | None) -> list:
    """Code becomes a solution block: the student sees ``ANSWER = ...`` in the answer's cell and
    an empty cell in the others.  Prose is dropped from the student's copy by otter."""
    out = []
    for cell in solution:
        if cell.cell_type == "code":
            prompt = f'""" # BEGIN PROMPT\n{answer} = ...\n""" # END PROMPT\n' if answer_of(cell) else ""
            cell = nbformat.v4.new_code_cell(f"{prompt}# BEGIN SOLUTION NO PROMPT\n{cell.source}\n# END SOLUTION")
        out.append(cell)
    return out


def build(chapter: Chapter, root: Path, out: Path) -> Path:
    """Write ``chapter``'s kit under ``out/<stem>`` with ``otter assign``; return that folder."""
    folder = out / chapter.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = folder / "master" / f"{chapter.stem}.ipynb"
    source.parent.mkdir()
    nbformat.write(master(chapter, root), source)
    done = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs", str(source),
                           str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"otter assign failed on {chapter.stem}:\n{done.stdout}\n{done.stderr}")
    [grader] = (folder / "autograder").glob(f"{chapter.stem}-autograder_*.zip")
    grader.rename(folder / "autograder" / f"{chapter.stem}-autograder.zip")
    return folder


def reference(env: Mapping[str, Any], source: str, answer: str) -> Any:
    """The ``answer`` the book's solution ``source`` computes from the objects in ``env`` (run on
    a copy, output discarded, so the graded notebook is untouched)."""
    scope = dict(env)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(source, f"<solution of {answer}>", "exec"), scope)  # noqa: S102 -- the book's own code
    return scope[answer]


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy, torch, pandas
        value = value.tolist()
    elif hasattr(value, "item"):
        value = value.item()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def same(got: Any, want: Any, rel: float = 1e-6) -> bool:
    """Whether an answer matches the reference: numbers to ``rel`` (NaN matches NaN), strings and
    flags exactly, sequences and mappings element by element."""
    got, want = _plain(got), _plain(want)
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return (math.isnan(got) and math.isnan(want)) or math.isclose(got, want, rel_tol=rel, abs_tol=1e-12)
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k], rel) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same(a, b, rel) for a, b in zip(got, want))
    return got == want
