"""The project's shape: the library below the book, the linter clean, no page repeating itself, and
every chapter parameter reaching the computation it names."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from pftlib.llm import config as llm
from pftlib.publish.chapters import CHAPTERS, LANGUAGE_MODEL, find
from pftlib.theory.all_roads import AllRoads
from pftlib.theory.compare import Relabelling
from pftlib.theory.gap_dial import GapDial

LIBRARY = ("llm", "tasks", "theory")
BOOK = ("pftlib.publish", "pftlib.report")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, (base, node.module)))
            out |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return out


@pytest.mark.parametrize("folder", LIBRARY)
def test_the_library_never_imports_the_book_machinery(folder):
    for path in sorted((ROOT / "pftlib" / folder).glob("*.py")):
        bad = {m for m in imported_modules(path) if m.startswith(BOOK)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: the library must not depend on the book"


def test_imports_between_the_book_folders_run_one_way():
    """``report`` (what the notebooks call) may import ``publish`` (what ``pft`` calls); never back."""
    for path in sorted((ROOT / "pftlib" / "publish").glob("*.py")):
        back = {m for m in imported_modules(path) if m.startswith("pftlib.report")}
        assert not back, f"{path.relative_to(ROOT)} imports {sorted(back)}: publish must not import report"


def test_ruff_finds_nothing_in_the_library_the_tests_the_benchmarks_and_the_notebooks():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "pftlib", "tests", "benchmarks", "notebooks"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def sentences(markdown: str) -> list[str]:
    """The prose sentences of a page: code, directives' option lines, glue roles and math dropped,
    whitespace collapsed; only sentences of six words or more (headings and labels repeat by design)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)  # code blocks and directive fences
    text = re.sub(r"^:\w[\w-]*:.*$", " ", text, flags=re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`", "X", text, flags=re.S)
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [p for p in parts if len(p.split()) >= 6]


PAGES = [*(ch.source(ROOT) for ch in CHAPTERS), *sorted((ROOT / "book").glob("*.md"))]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_page_repeats_a_sentence(path):
    if path.suffix == ".ipynb":
        prose = "\n\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    else:
        prose = path.read_text()
    seen, repeated = set(), []
    for s in sentences(prose):
        if s in seen:
            repeated.append(s)
        seen.add(s)
    assert not repeated, f"{path.name} repeats: {repeated[:3]}"


def test_the_sentence_check_finds_a_repeat():
    page = "Chapter 5 looks at the reward models themselves. Chapter 5 looks at the reward models themselves."
    assert len(sentences(page)) == 2 and len(set(sentences(page))) == 1


# --- notebooks as prose and calls ----------------------------------------------------------------

#: The chapters' code budget: issue 16 measured 1,229 lines when the notebooks still carried their
#: own run-or-load blocks, comparisons and tables; the library has taken those over, with tests.
CHAPTER_CODE_BUDGET = 730  # what the chapters need (664 hand-written lines) plus 10%


def test_the_chapters_code_stays_within_its_budget():
    """Logic belongs in pftlib, where it is tested; the chapters (Parts I-III and the claims page,
    not the appendices) hold prose, charts and calls.  Counted: the non-blank lines of every code
    cell written by hand, not the set-up and parameters cells ``pft`` writes."""
    from pftlib.publish.parameters_cell import TAG as PARAMETERS
    from pftlib.publish.setup_cell import TAG as SETUP

    lines = {ch.stem: sum(1 for cell in nbformat.read(ch.source(ROOT), as_version=4).cells
                          if cell.cell_type == "code" and not {SETUP, PARAMETERS} & set(cell.metadata.get("tags", []))
                          for line in cell.source.splitlines() if line.strip())
             for ch in CHAPTERS if not ch.stem.startswith("9")}
    assert len(lines) == 8 and sum(lines.values()) <= CHAPTER_CODE_BUDGET, (
        f"{sum(lines.values())} lines of code in the chapters, over the budget of {CHAPTER_CODE_BUDGET}: move "
        f"logic into pftlib (with a test) rather than raise it. Per chapter: {lines}")


# --- every parameter reaches the computation it names -------------------------------------------

def notebook_code(chapter) -> str:
    """The chapter's code after its parameters cell (where the parameters are used)."""
    cells = nbformat.read(chapter.source(ROOT), as_version=4).cells
    start = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    return "\n".join(c.source for c in cells[start + 1:] if c.cell_type == "code")


LIBRARY_CODE = {folder: "\n".join(p.read_text() for p in (ROOT / "pftlib" / folder).glob("*.py")) for folder in LIBRARY}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_every_parameter_is_read_after_validation(chapter):
    """Each parameter is read: by name in the notebook after its parameters cell, or as a config
    attribute in the library (``setup.k``, ``self.max_pairs``)."""
    code = notebook_code(chapter)
    unread = [name for name in chapter.schema.names()
              if not re.search(rf"\b{name}\b", code.replace(f'"{name}"', ""))
              and not any(re.search(rf"\.{name.removeprefix('exact_')}\b", text) for text in LIBRARY_CODE.values())]
    assert not unread, f"{chapter.slug}: parameters nothing reads: {unread}"


def test_each_stage_trains_with_its_own_settings(tmp_path):
    """Workspace.trl maps the setup's training fields onto the TRL config of each stage."""
    from trl import DPOConfig, RewardConfig, SFTConfig
    from trl.experimental.online_dpo import OnlineDPOConfig

    from pftlib.llm import trainers
    from pftlib.llm.pipeline import Workspace

    setup = llm.Setup(sft_epochs=7, sft_learning_rate=2e-3, rm_epochs=5, rm_learning_rate=4e-4, learning_rate=3e-5,
                      batch_size=6, lr_scheduler_type="linear", sample_temperature=0.7, beta=0.3)
    ws = Workspace.__new__(Workspace)  # the mapping only: no tokenizer, no models
    ws.setup = setup
    expected = {SFTConfig: ("sft", 7, 2e-3), RewardConfig: ("reward", 5, 4e-4), DPOConfig: ("dpo", 1, 3e-5)}
    for cls, (stage, epochs, lr) in expected.items():
        args = trainers._args(cls, tmp_path / stage, 0, **ws.trl(stage))
        assert (args.num_train_epochs, args.learning_rate, args.per_device_train_batch_size, args.lr_scheduler_type) \
            == (epochs, lr, 6, "linear"), stage
    assert trainers._args(DPOConfig, tmp_path / "dpo", 0, **ws.trl("dpo")).beta == 0.3  # beta travels with them
    online = trainers._args(OnlineDPOConfig, tmp_path / "online", 0, max_new_tokens=4, **ws.trl("online"))
    assert (online.temperature, online.learning_rate, online.beta) == (0.7, 3e-5, 0.3)


def test_a_config_refuses_what_its_chapter_refuses():
    with pytest.raises(ValueError, match="'n_pairs'"):
        llm.Pipeline(n_pairs=-1)
    with pytest.raises(ValueError, match="betas"):
        llm.Hypotheses(betas="0.1,-1")
    assert find("pipeline").schema.defaults() == {**{f.name: f.default for f in fields(llm.Pipeline)},
                                                  "from_json": ""}


def test_the_language_model_chapters_take_their_defaults_from_their_configs():
    from pftlib.llm.experiments import CONFIGS

    assert [ch.slug for ch in LANGUAGE_MODEL] == list(CONFIGS)  # a chapter's slug names its experiment
    for ch in LANGUAGE_MODEL:
        defaults = {f.name: f.default for f in fields(CONFIGS[ch.slug])}
        assert all(defaults[k] == v for k, v in ch.schema.defaults().items() if k in defaults), ch.slug


TINY = {GapDial: dict(max_horizon=2, max_pairs=40, seeds=2),
        AllRoads: dict(V=2, H=2, prompts=1, max_pairs=20, n_demos=10, seeds=1),
        Relabelling: dict(V=2, H=2, prompts=1, pairs=30)}
OTHER = {int: lambda f, v: v + 1, float: lambda f, v: v * 1.7, str: lambda f, v: next(
    c for c in f.metadata["choices"] if c != v)}


def outcome(config):
    """Everything the config's experiment computes, as plain numbers."""
    if isinstance(config, GapDial):
        return config.sweep(1e-6)
    if isinstance(config, AllRoads):
        irl = config.sft_vs_irl(0)
        return config.sweep() + [float(t.sum()) for t in irl[:3]]
    return config.regrets(0, 0)


@pytest.mark.parametrize("cls", list(TINY), ids=lambda c: c.__name__)
def test_every_field_of_a_theory_experiment_changes_what_it_computes(cls):
    base = cls(**TINY[cls])
    reference = outcome(base)
    for f in fields(cls):
        value = getattr(base, f.name)
        changed = replace(base, **{f.name: OTHER[type(value)](f, value)})
        assert outcome(changed) != reference, f"{cls.__name__}.{f.name} changes nothing it computes"


def test_the_readme_layout_table_matches_the_tree():
    layout = (ROOT / "README.md").read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([\w./-]+)`", "\n".join(row.split("|")[1] for row in layout.splitlines()
                                                       if row.startswith("| `"))))
    missing = [path for path in named if not (ROOT / path).exists()]
    assert not missing, f"the README's layout names what the tree lacks: {missing}"
    parts = {f"pftlib/{p.name}/" for p in (ROOT / "pftlib").iterdir() if (p / "__init__.py").is_file()}
    parts |= {f"pftlib/{p.name}" for p in (ROOT / "pftlib").glob("*.py") if p.name != "__init__.py"}
    assert parts <= named, f"the README's layout leaves out: {sorted(parts - named)}"


def test_prose_quotes_the_papers_numbers_only_through_glue():
    """No markdown cell types one of the paper's reported numbers by hand: they come from
    pftlib.report.paper through ``{glue:text}`paper_...```.  The introduction's static table of
    headline winrates (a hand-written page, which glue cannot reach) must equal that module."""
    from pftlib.report import paper

    numbers = {f"{v:g}" for v in paper.named().values()}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                found = {n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", cell.source)}
                assert not found, f"{path.name} types the paper's {sorted(found)} by hand: glue paper_... instead"
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in (ROOT / "book" / "intro.md").read_text().splitlines() if line.startswith("| Pythia")}
    for size, table in (("1.4B", paper.WINRATE_1_4B), ("2.8B", paper.WINRATE_2_8B)):
        expected = [f"{table[p]:g}" if p in table else "–" for p in
                    ("SFT", "DPO", "DPO 2x", "Online DPO (SFT)", "Online DPO (DPO)")]
        assert rows[f"Pythia {size}"] == expected


def test_each_policy_name_is_spelt_once():
    """The library and the language-model chapters import each policy's name from pftlib.llm.policies
    rather than typing it again as a string (a typo there would silently miss a policy)."""
    from pftlib.llm import policies

    names = {value for key, value in vars(policies).items() if key.isupper() and isinstance(value, str)}
    sources = {p.relative_to(ROOT): p.read_text() for p in (ROOT / "pftlib").rglob("*.py") if p.name != "policies.py"}
    sources |= {ch.source(ROOT).relative_to(ROOT): notebook_code(ch) for ch in LANGUAGE_MODEL}
    typed = sorted(f"{path}: {node.value!r}" for path, text in sources.items() for node in ast.walk(ast.parse(text))
                   if isinstance(node, ast.Constant) and node.value in names)
    assert not typed, "import these names from pftlib.llm.policies instead: " + "; ".join(typed)
