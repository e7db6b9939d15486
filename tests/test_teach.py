"""The teacher's kit (``pft teach``): every exercise becomes an otter question, and the grader
gives the reference full marks, a blank student copy none, and takes away exactly the points of
a wrong answer."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from conftest import ROOT, exercises

from pftlib.publish.chapters import LIKELIHOOD, TEACHING
from pftlib.publish.teach import POINTS, answer_of, build, master, same


@pytest.mark.parametrize("chapter", TEACHING, ids=[ch.slug for ch in TEACHING])
def test_each_exercise_becomes_a_question_and_each_answer_is_tested(chapter):
    source = nbformat.read(chapter.source(ROOT), as_version=4)
    answers = {cell.metadata["pft"]["answer"] for cells in exercises(source).values() for cell in cells
               if answer_of(cell)}
    cells = master(chapter, ROOT).cells
    raw = [c.source for c in cells if c.cell_type == "raw"]
    assert sum(s.startswith("# BEGIN QUESTION") for s in raw) == len(exercises(source))
    assert sum(s.startswith("# BEGIN TESTS") for s in raw) == len(answers) == len(exercises(source))
    hidden = [c.source for c in cells if "hidden: true" in c.source]
    assert sorted(a for a in answers for h in hidden if f"same({a}, reference(" in h) == sorted(answers)
    assert not any("{solution-start}" in c.source or "{exercise}" in c.source for c in cells)  # plain Markdown


def test_answers_compare_as_numbers_strings_and_containers():
    assert same(0.1 + 0.2, 0.3) and not same(0.3, 0.31) and same(float("nan"), float("nan"))
    assert same({"a": [1, 2.0]}, {"a": [1, 2]}) and not same({"a": 1}, {"b": 1}) and not same([1], [1, 2])
    assert same("DPO", "DPO") and not same(True, 1) and not same(..., 0.0) and same(None, None)


def _score(kit, submission, out):
    out.mkdir()
    grader = kit / "autograder" / f"{LIKELIHOOD.stem}-autograder.zip"
    subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(grader), str(submission), "-o",
                    str(out)], check=True, capture_output=True, timeout=600)
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: t["score"] for t in tests if "max_score" in t}


#: Chapter 1 as small as it goes: grading runs the whole notebook, and any parameters grade alike.
SMALL = {**LIKELIHOOD.schema.quick, "n_policies": 1, "bench_horizon": 1}


def _submission(nb, path, **changes):
    """``nb`` at :data:`SMALL` parameters, with ``changes``:
    answer variable -> a line run right after the cell that computes it."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in list(nb.cells):
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in SMALL.items())
        for name, line in changes.items():
            if f"BEGIN PROMPT\n{name} = ..." in cell.source:
                nb.cells.insert(nb.cells.index(cell) + 1, nbformat.v4.new_code_cell(line))
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Chapter 1's kit, and the scores of three submissions: the reference, the blank student
    copy, and the reference with one answer wrong."""
    tmp = tmp_path_factory.mktemp("kit")
    kit = build(LIKELIHOOD, ROOT, tmp / "kits")
    reference = nbformat.read(kit / "autograder" / f"{LIKELIHOOD.stem}.ipynb", as_version=4)
    student = nbformat.read(kit / "student" / f"{LIKELIHOOD.stem}.ipynb", as_version=4)
    submissions = {
        "reference": _submission(reference, tmp / "reference.ipynb"),
        "blank": _submission(student, tmp / "blank.ipynb"),
        "wrong": _submission(reference, tmp / "wrong.ipynb", kl_by_beta="kl_by_beta = kl_by_beta[::-1]"),
    }
    with ThreadPoolExecutor(3) as pool:
        jobs = {name: pool.submit(_score, kit, path, tmp / f"results-{name}") for name, path in submissions.items()}
        return kit, {name: job.result() for name, job in jobs.items()}


def test_the_kit_has_a_student_copy_without_solutions_and_a_grader(graded):
    kit, _ = graded
    student = nbformat.read(kit / "student" / f"{LIKELIHOOD.stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "kl_by_beta = ...\n" in text + "\n" and "T.soft_optimal(true_reward, ref, b)" not in text
    assert 'grader.check("ex_likelihood_beta")' in text


def test_the_reference_solutions_get_full_marks(graded):
    _, scores = graded
    assert scores["reference"] == {"ex_likelihood_beta": POINTS, "ex_likelihood_shift": POINTS}


def test_the_blank_student_notebook_gets_none(graded):
    _, scores = graded
    assert scores["blank"] == {"ex_likelihood_beta": 0, "ex_likelihood_shift": 0}


def test_a_wrong_answer_loses_exactly_its_exercise_points(graded):
    _, scores = graded
    assert scores["wrong"] == {"ex_likelihood_beta": 0, "ex_likelihood_shift": POINTS}
