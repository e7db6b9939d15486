"""What users do to the book: feed it bad data, secrets or remote code (killing a build mid-run:
test_book; rerunning with the same seed: test_cli)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, pft

from pftlib.publish.chapters import CHAPTERS, PIPELINE


def test_no_remote_code_no_unsafe_loading_and_no_secret_parameters():
    sources = {p: p.read_text() for p in (ROOT / "pftlib").rglob("*.py")}
    for path, text in sources.items():
        assert not re.search(r"trust_remote_code\s*=\s*True", text), path
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, (path, call)
    secret = re.compile(r"key|token|secret|password|credential", re.I)
    assert not [(ch.slug, p.name) for ch in CHAPTERS for p in ch.schema.params if secret.search(p.name)]


BAD_PREFERENCE_FILES = {
    "empty": ("", "cannot be read as a data set"),
    "mis-shaped": ('{"prompt": "a", "answer": "b"}\n', "lacks the preference columns ['chosen', 'rejected']"),
    "not JSON": ("not json {\n", "cannot be read as a data set"),
    "blank strings": ('{"prompt": "a", "chosen": "", "rejected": "c"}\n', "column 'chosen' must hold non-empty"),
}


@pytest.mark.parametrize("case", BAD_PREFERENCE_FILES)
def test_a_bad_local_dataset_stops_before_compute_with_exit_2(checkout, case):
    content, message = BAD_PREFERENCE_FILES[case]
    folder = checkout / "my-prefs"
    folder.mkdir()
    for split in ("train", "validation"):
        (folder / f"{split}.jsonl").write_text(content)
    result = pft("run", "pipeline", "-p", "model", "some/checkpoint", "-p", "judge", "rm:gold",
                 "-p", "sft_dataset", str(ROOT / "tests/fixtures/tldr"), "-p", "pref_dataset", str(folder),
                 cwd=checkout, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "pref_dataset" in result.stderr and message in result.stderr
    assert not PIPELINE.page(checkout).exists() and not (checkout / "_build").exists()
