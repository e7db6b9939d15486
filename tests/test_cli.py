"""The ``pft`` command line: list, run, and the validation errors (exit 2, nothing written)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT, pft, two_chapter_book

from pftlib.params import ParameterError
from pftlib.publish.chapters import CHAPTERS, LIKELIHOOD
from pftlib.publish.execute import ChapterFailed, execute
from pftlib.report.pages import glued


def test_list_shows_every_parameter_with_type_default_range_and_meaning(checkout):
    result = pft("list", cwd=checkout)
    assert result.returncode == 0, result.stderr
    sections = {block.split()[0]: block for block in result.stdout.strip().split("\n\n")}
    assert list(sections) == [ch.slug for ch in CHAPTERS]
    assert max(len(line) for line in result.stdout.splitlines()) <= 160  # help wraps (80 columns, or the table)
    for ch in CHAPTERS:
        lines, flat = sections[ch.slug].splitlines(), " ".join(sections[ch.slug].split())
        for p in ch.schema.params:
            line = next(row for row in lines if row.split()[:1] == [p.name])
            assert p.type.__name__ in line and repr(p.default) in line and p.allowed() in line
            assert " ".join(p.help.split()) in flat
        for c in ch.schema.constraints:
            assert " ".join(c.message.split()) in flat
    one = pft("list", "pipeline", cwd=checkout).stdout
    assert one.startswith("pipeline  (chapter 4") and "likelihood" not in one.split("\n")[0]
    assert pft("list", "nope", cwd=checkout).returncode == 2


def test_list_json_is_one_json_schema_per_chapter_and_version_is_the_package_version(checkout):
    from importlib.metadata import version

    import jsonschema

    listed = json.loads(pft("list", "--json", cwd=checkout).stdout)
    assert [s["x-pft"]["slug"] for s in listed] == [ch.slug for ch in CHAPTERS]
    for schema, ch in zip(listed, CHAPTERS):
        jsonschema.Draft202012Validator.check_schema(schema)
        defaults = {name: prop["default"] for name, prop in schema["properties"].items()}
        assert defaults == ch.schema.defaults() and ch.schema.validate(defaults) == defaults
        jsonschema.validate(defaults, schema)
        for p in ch.schema.params:  # a value just outside a range fails the JSON Schema as it fails pft
            if p.type in (int, float) and p.high is not None:
                with pytest.raises(jsonschema.ValidationError):
                    jsonschema.validate({**defaults, p.name: p.high + 1}, schema)
        assert [c["message"] for c in schema["x-pft"]["constraints"]] == [c.message for c in ch.schema.constraints]
        assert schema["x-pft"]["quick"] == dict(ch.schema.quick)
    assert [s["x-pft"]["slug"] for s in json.loads(pft("list", "gap", "--json", cwd=checkout).stdout)] == ["gap"]
    assert pft("--version", cwd=checkout).stdout.strip() == f"pft {version('pftlib')}"


@pytest.mark.parametrize("args, message", [
    (["-p", "beta", "-1"], "parameter 'beta': got -1.0; allowed: a number in [0.01, 100]"),
    (["-p", "H", "two"], "parameter 'H': got 'two', which is not an integer"),
    (["-p", "gamma", "1"], "unknown parameter 'gamma'"),
    (["-p", "V", "16", "-p", "H", "20"], "keep V**H <= 1,048,576"),
    (["--out", "result.txt"], "--out must be a folder or a .ipynb path"),
    (["-p", "beta", "-inf"], "parameter 'beta': got -inf"),  # a value that looks like an option is a value
    (["-p", "beta", "-1e-3"], "parameter 'beta': got -0.001"),
    (["-p", "beta"], "-p needs a name and a value"),
    (["-p", "beta", "1e-320"], "too small to compute with"),
])
def test_bad_input_stops_with_a_message_and_exit_2_and_writes_nothing(checkout, args, message):
    result = pft("run", "likelihood", *args, cwd=checkout)
    assert result.returncode == 2
    assert message in result.stderr
    assert not LIKELIHOOD.page(checkout).exists()
    assert not (checkout / "result.txt").exists() and not (checkout / "_build").exists()


@pytest.mark.parametrize("chapter, args, message", [
    ("pipeline", ["-p", "judge", "rm:/nonexistent/rm"],
     "neither an existing folder (a saved reward model) nor a hub id"),
    ("claims", ["-p", "pages_dir", "/nonexistent"], "pages_dir: must be an existing folder"),
    ("benchmarks", ["-p", "results_dir", "no/such"], "results_dir: must be an existing folder"),
])
def test_paths_that_do_not_exist_stop_before_any_compute(checkout, chapter, args, message):
    """From a subfolder, too: relative paths are checked against the book's root, where chapters run."""
    result = pft("run", chapter, *args, cwd=checkout / "notebooks")
    assert result.returncode == 2 and message in result.stderr
    assert not (checkout / "_build").exists()


def test_unknown_chapter_and_missing_checkout(checkout, tmp_path):
    result = pft("run", "chapter-nine", cwd=checkout)
    assert result.returncode == 2 and "unknown chapter 'chapter-nine'" in result.stderr
    result = pft("book", cwd=tmp_path)
    assert result.returncode == 2 and "no checkout of this book" in result.stderr


def test_run_writes_an_executed_notebook_with_provenance_and_a_reproduce_box(checkout):
    """... removes what killed runs left beside its page, but not the partial page of a live run,
    and run again with the same parameters and seed gives the same numbers."""
    import os

    folder = checkout / "out"
    folder.mkdir()
    live = folder / f".01_likelihood.{os.getpid()}.x2.partial.ipynb"
    dead = [folder / ".01_likelihood.999999999.x1.partial.ipynb", folder / ".01_likelihood.999999999.x3.tmp"]
    for path in (*dead, live):
        path.write_text("{}")
    result = pft("run", "1", "--quick", "-p", "beta", "2", "--out", "out/", "--no-progress", cwd=checkout)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr  # no kernel warning a reader cannot act on
    page = checkout / "out" / "01_likelihood.ipynb"
    nb = nbformat.read(page, as_version=4)
    meta = nb.metadata["pftlib"]
    assert meta["command"] == ("pft run likelihood -p V 2 -p H 3 -p beta 2.0 -p n_pairs 300 -p n_policies 50"
                               " -p bench_horizon 5")
    prov = meta["provenance"]
    assert prov["parameters"]["beta"] == 2.0 and prov["wall_s"] > 0 and "CPU" in prov["device"]
    assert {"torch", "trl", "transformers", "papermill"} <= set(prov["versions"])
    assert "Reproduce this page" in nb.cells[1].source and meta["command"] in nb.cells[1].source
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "beta = 2.0" in injected[0].source
    assert not LIKELIHOOD.page(checkout).exists()  # --out, not the book's page
    assert list(page.parent.glob(".*")) == [live]  # no temporary files of its own, nor of dead runs, left behind
    outputs = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    charts = [d for d in outputs if "application/vnd.vegalite.v5+json" in d]
    assert charts and all("image/png" in d and "text/html" not in d for d in charts)  # not a book page: live charts
    again = pft("run", "1", "--quick", "-p", "beta", "2", "--out", "again/", "--no-progress", cwd=checkout)
    assert again.returncode == 0, again.stderr
    numbers = [{k: v for k, v in glued(p).items() if not k.startswith("bench_")}  # timings of the engine differ
               for p in (page, checkout / "again" / page.name)]
    assert numbers[0] and numbers[0] == numbers[1]


def test_the_notebook_validates_its_own_parameters_before_computing(checkout):
    """Run directly (bypassing the CLI), a bad value stops in the validation cell."""
    with pytest.raises(ChapterFailed) as err:
        execute(LIKELIHOOD, checkout, {**LIKELIHOOD.schema.defaults(), "beta": -1.0})
    message = str(err.value)
    assert "starting `from pftlib.report import parameters`" in message  # the first cell after the parameters
    assert "ParameterError" in message and "'beta'" in message
    assert not LIKELIHOOD.page(checkout).exists()


def test_params_rewrites_a_parameters_cell_that_left_its_schema(checkout):
    path = checkout / "notebooks" / "03_gap.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("V = 2", "V = 3")
    nbformat.write(nb, path)
    stale = path.read_text()
    check = pft("params", "--check", cwd=checkout)
    assert check.returncode == 1 and "notebooks/03_gap.ipynb" in check.stderr and path.read_text() == stale
    fixed = pft("params", cwd=checkout)
    assert fixed.returncode == 0 and "rewrote notebooks/03_gap.ipynb" in fixed.stdout
    assert pft("params", "--check", cwd=checkout).returncode == 0
    assert (checkout / "notebooks" / "03_gap.ipynb").read_text() == (ROOT / "notebooks" / "03_gap.ipynb").read_text()


def _gap_with_cell(checkout, code: str):
    """Chapter 3 with ``code`` as a new cell after the parameters check, and a stale page in place."""
    from pftlib.publish.chapters import GAP

    path = GAP.source(checkout)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)
    page = GAP.page(checkout)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("a stale page")
    return page


def _one_failure_line(stderr: str, says: str, first_line: str) -> None:
    failed = [line for line in stderr.splitlines() if line.startswith("pft: failed:")]
    assert len(failed) == 1 and "chapter 'gap'" in failed[0] and failed[0].endswith(says), stderr
    # the source's 5th cell is the executed notebook's 6th (counting from 1, as the progress line
    # does): papermill inserts the injected parameters after the parameters cell, the 3rd
    assert f"cell 6 of the executed notebook (starting `{first_line}`)" in failed[0]


def test_a_chapter_whose_kernel_dies_fails_by_name_and_leaves_no_stale_page(checkout):
    """A dead kernel (not an error a cell raises) still ends in one ``pft: failed`` line naming the
    chapter and the cell, and the old page is removed."""
    page = _gap_with_cell(checkout, "import os\nos._exit(1)")
    result = pft("run", "gap", "--quick", cwd=checkout)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    _one_failure_line(result.stderr, "its kernel died (out of memory, a crash or a kill)", "import os")
    assert not page.exists() and not list(page.parent.glob(".*partial*"))


def test_an_interrupted_chapter_fails_by_name_and_leaves_no_stale_page(checkout, monkeypatch):
    """Ctrl-C while a cell runs (papermill raising KeyboardInterrupt once it has started cell 5)
    becomes one failure naming the chapter, the cell and the interrupt, and the old page goes."""
    import papermill as pm

    from pftlib.publish import execute as run
    from pftlib.publish.chapters import GAP

    page = _gap_with_cell(checkout, "import time\ntime.sleep(60)")

    def interrupted(source, output, **kwargs):  # what papermill has written when Ctrl-C arrives
        nb = nbformat.read(source, as_version=4)
        nb.cells.insert(3, nbformat.v4.new_code_cell("# Parameters", metadata={"tags": ["injected-parameters"]}))
        for i, cell in enumerate(nb.cells):
            cell.metadata["papermill"] = {"start_time": "now" if i <= 5 else None}
        nbformat.write(nb, output)
        raise KeyboardInterrupt

    monkeypatch.setattr(pm, "execute_notebook", interrupted)
    with pytest.raises(ChapterFailed) as err:
        run.execute(GAP, checkout, GAP.schema.defaults())
    _one_failure_line(f"pft: failed: {err.value}", "interrupted", "import time")
    assert not page.exists() and not list(page.parent.glob(".*partial*"))


def test_the_command_line_answers_without_loading_torch_transformers_datasets_or_altair():
    """`pft --help`, `pft list` and parameter errors import none of the heavy libraries (this
    checks imports, not time; benchmarks/cli.py times them)."""
    code = """
import contextlib, io, sys
from pftlib.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    with contextlib.suppress(SystemExit):
        main(["--help"])
    codes = [main(argv) for argv in (["list"], ["list", "--json"], ["run", "likelihood", "-p", "beta", "-1"],
                                     ["run", "pipeline", "-p", "n_pairs", "0"], ["run", "gap-closers", "-p", "V", "3"])]
print(codes, sorted(m for m in ("torch", "transformers", "datasets", "altair", "papermill") if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "[0, 0, 2, 2, 2] []", result.stdout + result.stderr


def test_kernels_side_by_side_keep_to_their_own_sockets(tmp_path):
    """Kernels talk over local sockets (no TCP warning); each in its own folder, or kernels started
    at once pick the same socket names and read each other's messages ("Invalid Signature")."""
    import tempfile
    import threading

    import papermill as pm

    from pftlib.publish.execute import kernel_config

    slow = "import time\nfor i in range(10):\n    print(i)\n    time.sleep(0.05)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(slow) for _ in range(3)])
    nbformat.write(nb, tmp_path / "in.ipynb")
    errors = []

    def run(i):
        try:
            with tempfile.TemporaryDirectory(prefix="pft-kernel-") as sockets:
                pm.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / f"out{i}.ipynb"), kernel_name="python3",
                                    progress_bar=False, config=kernel_config(sockets), start_timeout=60)
        except Exception as err:  # noqa: BLE001 -- collected, asserted below
            errors.append(repr(err))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [len(nbformat.read(tmp_path / f"out{i}.ipynb", as_version=4).cells) for i in range(3)] == [3, 3, 3]


def test_a_params_file_is_checked_like_p_and_p_wins(tmp_path):
    from pftlib.cli import main, requested
    from pftlib.publish.chapters import PIPELINE

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("beta: 0.2\nn_pairs: 500\ntrl_online: true\nlearning_rate: 3e-5\n")
    got = requested(PIPELINE, True, recipe, [("n_pairs", "60")])
    assert (got["beta"], got["n_pairs"], got["trl_online"], got["learning_rate"]) == (0.2, 60, True, 3e-5)
    assert got["size"] == PIPELINE.schema.quick["size"]  # the small profile, under the file
    for text, says in (("beta: -1\n", "parameter 'beta': got -1.0"), ("gamma: 1\n", "unknown parameter 'gamma'"),
                       ("- beta\n", "must map parameter names to values"), ("beta: [1\n", "not a readable YAML")):
        recipe.write_text(text)
        with pytest.raises(ParameterError, match=f"-f {recipe}: .*{re.escape(says)}"):
            requested(PIPELINE, False, recipe, [])
    assert main(["run", "pipeline", "-f", str(recipe)]) == 2  # from the command line: exit 2, no kernel


def test_the_paper_recipe_holds_valid_values_for_the_pipeline_and_the_launcher():
    from pftlib.llm import experiments
    from pftlib.params import schema_of
    from pftlib.publish.chapters import PIPELINE

    recipe = ROOT / "recipes" / "paper-1.4b.yaml"
    assert PIPELINE.schema.parse_file(recipe) == schema_of(experiments.CONFIGS["pipeline"]).parse_file(recipe)
    assert PIPELINE.schema.parse_file(recipe)["k"] == 25
    assert "recipes/paper-1.4b.yaml" in (ROOT / "book" / "paper_scale.md").read_text()


def test_an_interrupted_book_starts_no_further_chapter(checkout, monkeypatch):
    """Ctrl-C during `pft book` reaches the build as KeyboardInterrupt from a running chapter: the
    chapters still queued are cancelled, not run one after another before pft exits."""
    import time

    from pftlib.publish import build

    started = []

    def run_one(chapter, root, params, board):
        started.append(chapter.slug)
        if len(started) == 1:
            raise KeyboardInterrupt
        time.sleep(0.5)

    monkeypatch.setattr(build, "_run_one", run_one)
    with pytest.raises(KeyboardInterrupt):
        build.execute_chapters(checkout, quick=True, force=True, jobs=2)
    assert len(started) <= 3 < len(build.toc_chapters(checkout))  # the interrupted one and those beside it


def test_ctrl_c_in_pft_book_stops_the_running_chapter_by_name_and_leaves_nothing_behind(checkout):
    """A real SIGINT to ``pft book``'s process group (what a terminal's Ctrl-C sends) while a cell
    sleeps: pft exits 130 within seconds, naming the chapter, with no page, no partial page and no
    kernel left, and the next chapter never starts."""
    import os
    import signal
    import time

    import psutil

    two_chapter_book(checkout, 'import os, time\nopen("kernel.pid", "w").write(str(os.getpid()))\ntime.sleep(300)')
    book = subprocess.Popen([sys.executable, "-m", "pftlib.cli", "book", "--quick", "--jobs", "1"], cwd=checkout,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    marker = checkout / "kernel.pid"
    deadline = time.monotonic() + 240
    while not marker.exists() or not marker.read_text():
        assert book.poll() is None and time.monotonic() < deadline, book.communicate()
        time.sleep(0.2)
    kernel = int(marker.read_text())
    os.killpg(book.pid, signal.SIGINT)
    stopped = time.monotonic()
    _, stderr = book.communicate(timeout=120)
    assert book.returncode == 130 and time.monotonic() - stopped < 30, stderr
    assert "chapter 'likelihood'" in stderr and "failed in cell 5" in stderr, stderr
    assert stderr.endswith("interrupted\n") and "Traceback" not in stderr and "kernel died" not in stderr, stderr
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE
    pages = checkout / "book" / "chapters"
    assert not list(pages.glob("0[12]_*.ipynb")) and not list(pages.glob(".*partial*")), list(pages.iterdir())


def test_out_never_replaces_a_source_and_must_be_writable_and_pft_knows_its_own_project(checkout, tmp_path):
    source = (checkout / "notebooks" / "03_gap.ipynb").read_text()
    (checkout / "a-file").write_text("not a folder")
    for out, says in (("notebooks/03_gap.ipynb", "inside notebooks/"), ("notebooks", "inside notebooks/"),
                      ("a-file/page.ipynb", "nothing can be written there")):
        result = pft("run", "gap", "--quick", "--out", out, cwd=checkout)
        assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert (checkout / "notebooks" / "03_gap.ipynb").read_text() == source
    other = tmp_path / "another-book"  # a Jupyter Book that is not this project
    (other / "notebooks").mkdir(parents=True)
    (other / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    for command in (["params"], ["run", "gap"]):
        result = pft(*command, cwd=other)
        assert result.returncode == 2 and "no checkout of this book" in result.stderr


@pytest.mark.parametrize("content, says", [
    ("garbage", "not a results file"), ("", "not a results file"),
    ('{"chapter": "pipeline", "config"', "not a results"),
    ("[]", "no 'chapter' field"), ('{"chapter": "reward-models"}', "holds results of chapter 'reward-models'"),
    ('{"chapter": "pipeline", "config": {}, "provenance": {}, "results": []}', "missing or empty: results"),
    ('{"chapter": "pipeline", "config": {}, "provenance": {}, "results": [{"seed": 0}]}', "policies, reward model"),
    ('{"chapter": "pipeline", "config": {"beta": -1}, "provenance": {}, "results": [{"seed": 0, "policies": {}, '
     '"reward model": {}}]}', "parameter 'beta'"),
])
def test_saved_results_are_checked_before_a_kernel_starts(checkout, content, says):
    (checkout / "saved.json").write_text(content)
    page = checkout / "book" / "chapters" / "04_pipeline.ipynb"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("a good page")
    result = pft("run", "pipeline", "-p", "from_json", "saved.json", cwd=checkout)
    assert result.returncode == 2 and "from_json" in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and page.read_text() == "a good page"  # the page is left alone


def test_a_hub_data_set_that_cannot_be_had_stops_before_compute(checkout, tmp_path):
    """Under HF_HUB_OFFLINE, an uncached hub data set exits 2 naming the parameter and the variable."""
    import os

    for name in ("model", "rm"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp_path / "empty-cache")}
    result = pft("run", "pipeline", "-p", "model", str(tmp_path / "model"), "-p", "judge", f"rm:{tmp_path / 'rm'}",
                 "-p", "sft_dataset", "nobody/tldr", "-p", "pref_dataset", "nobody/prefs", cwd=checkout, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "parameter 'sft_dataset': 'nobody/tldr'" in result.stderr and "HF_HUB_OFFLINE" in result.stderr


def _command_line_bad_values(p) -> list[str]:
    """Text a user could type for ``p`` that it must refuse: the wrong type, non-finite and
    subnormal numbers, values past each bound, an unknown choice."""
    if p.type is bool:
        return ["maybe", "", "2"]
    if p.type in (int, float):
        out = ["abc", "", "nan", "inf", "-inf", "1e400"] + (["1.5", "1e3"] if p.type is int else ["1e-320"])
        if p.low is not None:
            out.append(repr(p.type(p.low)) if p.low_open else repr(p.type(p.low) - 1))
        if p.high is not None:
            out.append(repr(p.type(p.high) + 1))
        return out
    return ["not-a-choice"] if p.choices else []


#: Free-text parameters, with text each must refuse.
FREE_TEXT_BAD = {"judge": ["gpt-4o", "rm:", "api:", "rm:/no/such/folder"], "model": ["/no/such/folder"],
                 "from_json": ["/no/such/file.json", "notebooks/04_pipeline.ipynb"], "betas": ["0.1,-1", "x"],
                 "grid_sizes": ["tiny,huge", "tiny,tiny"], "report_to": ["no-such-tracker"],
                 "pages_dir": ["/no/such/folder"], "results_dir": ["/no/such/folder"]}


def test_every_bad_value_of_every_chapter_exits_2_by_name_before_a_kernel_starts(checkout, monkeypatch, capsys):
    """A fuzz over every chapter's parameters, driven through ``pft run``'s own entry point: each
    bad value exits 2 with the parameter's name, and no chapter is executed."""
    from pftlib import cli
    from pftlib.publish import execute

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(execute, "execute", no_kernel)
    monkeypatch.chdir(checkout)
    tried = 0
    for chapter in CHAPTERS:
        for p in chapter.schema.params:
            for text in _command_line_bad_values(p) + FREE_TEXT_BAD.get(p.name, []):
                assert cli.main(["run", chapter.slug, "-p", p.name, text]) == 2, (chapter.slug, p.name, text)
                assert p.name in capsys.readouterr().err, (chapter.slug, p.name, text)
                tried += 1
    assert tried >= 60


def test_a_kernel_starting_beside_another_chapter_never_reads_a_half_written_kernel_spec(tmp_path, monkeypatch):
    """``pft book`` starts chapters side by side, and each start writes the kernel spec that the
    other's papermill may be reading at that moment (a build once failed on an empty kernel.json)."""
    import threading

    from pftlib.publish import execute as run

    for name in ("JUPYTER_PATH", "PFT_CACHE_DIR"):  # _kernel_env sets them; monkeypatch restores them
        monkeypatch.setenv(name, str(tmp_path))
    spec = tmp_path / "_build" / ".kernels" / "kernels" / "python3" / "kernel.json"
    run._kernel_env(tmp_path)
    done, bad = threading.Event(), []

    def write():
        for _ in range(3000):
            run._kernel_env(tmp_path)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        try:
            json.loads(spec.read_text())
        except ValueError as err:
            bad.append(err)
    writer.join()
    assert not bad, f"{len(bad)} reads of kernel.json found it half-written, e.g. {bad[0]}"
