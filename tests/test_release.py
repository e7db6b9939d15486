"""What a release carries: a citation file that validates, versions that agree, a changelog, a license."""

from __future__ import annotations

import json
import re
import tomllib

import jsonschema
import yaml
from conftest import ROOT


def test_citation_file_validates_and_agrees_with_the_package_and_the_bibliography():
    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-file-format-1.2.0.schema.json").read_text())
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    jsonschema.validate(cff, schema, cls=jsonschema.Draft7Validator)
    assert cff["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    bib = (ROOT / "references.bib").read_text()
    paper = re.search(r"@article\{swamy2025roads,\s*title\s*=\s*\{(.+?)\},", bib).group(1)
    assert cff["references"][0]["title"] == paper and "2503.01067" in cff["references"][0]["url"]


def test_the_license_file_matches_the_package_and_the_citation_and_covers_the_prose():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "CC BY 4.0" in text and "book/" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == {"text": "MIT"}
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text())["license"] == "MIT"


def test_the_zenodo_record_says_what_the_citation_file_says():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert zenodo["title"] == cff["title"] and zenodo["license"] == cff["license"]
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert "2503.01067" in zenodo["related_identifiers"][0]["identifier"]


def test_the_changelog_names_the_current_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()


def test_binder_installs_pftlib_from_the_repository_with_the_lock_and_cpu_torch():
    """repo2docker reads .binder/ only; it copies the repository in before postBuild runs, so an
    install from ``.`` works there (an editable install or test extras would not belong)."""
    binder = ROOT / ".binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    assert sorted(p.name for p in binder.iterdir()) == ["postBuild", "runtime.txt"]
    commands = [line for line in (binder / "postBuild").read_text().splitlines() if line.startswith("python -m pip")]
    assert len(commands) == 2
    torch, book = commands
    assert "download.pytorch.org/whl/cpu" in torch and "+cpu" in torch
    assert book.endswith("-c constraints.txt .")
    for command in commands:
        assert " -e " not in command and "[test]" not in command and "--editable" not in command
    assert (binder / "postBuild").stat().st_mode & 0o111  # repo2docker runs it as a program
