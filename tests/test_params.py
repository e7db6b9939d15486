"""Parameter schemas: parsing, range checks and messages."""

from __future__ import annotations

import re

import pytest

from pftlib.params import Constraint, Param, ParameterError, Schema
from pftlib.publish.chapters import CHAPTERS, LIKELIHOOD, find


def test_allowed_ranges_read_well():
    assert Param("beta", float, 1.0, "x", low=0, high=100, low_open=True).allowed() == "a number in (0, 100]"
    assert Param("H", int, 2, "x", low=1).allowed() == "an integer >= 1"
    assert Param("task", str, "a", "x", choices=("a", "b")).allowed() == "one of 'a', 'b'"


@pytest.mark.parametrize("text, fragment", [
    ("-1", "got -1.0"), ("0", "got 0.0"), ("abc", "not a number"), ("nan", "got nan"), ("1e9", "got 1000000000.0"),
    ("1e-300", "got 1e-300"),  # below the floor where the exact numbers stay finite
])
def test_bad_beta_is_rejected_with_its_range(text, fragment):
    with pytest.raises(ParameterError) as err:
        LIKELIHOOD.schema.parse([("beta", text)])
    assert "'beta'" in str(err.value) and "[0.01, 100]" in str(err.value) and fragment in str(err.value)


def test_types_are_strict():
    h = LIKELIHOOD.schema.get("H")
    assert h.parse("5") == 5
    for bad in ("2.5", "true", ""):
        with pytest.raises(ParameterError, match="'H'"):
            h.parse(bad)
    with pytest.raises(ParameterError):
        h.check(True)  # a bool is not an integer here
    flag = Param("flag", bool, False, "x")
    assert flag.parse("yes") is True and flag.parse("0") is False
    with pytest.raises(ParameterError):
        flag.parse("maybe")


def test_unknown_names_and_constraints():
    with pytest.raises(ParameterError, match="unknown parameter 'gamma'.*beta"):
        LIKELIHOOD.schema.parse([("gamma", "1")])
    with pytest.raises(ParameterError, match=r"V, H.*V\*\*H <= 1,048,576.*V=16, H=20"):
        LIKELIHOOD.schema.validate({"V": 16, "H": 20})


def test_a_schema_with_an_invalid_default_or_profile_cannot_be_defined():
    with pytest.raises(ParameterError):
        Param("n", int, 0, "x", low=1)
    with pytest.raises(ParameterError):
        Schema((Param("n", int, 1, "x", low=1),), quick={"n": 0})
    with pytest.raises(ParameterError):
        Schema((Param("n", int, 1, "x"),), constraints=(Constraint(("n",), lambda p: p["n"] > 1, "n > 1"),))


def test_chapters_are_found_by_slug_stem_or_number():
    for ch in CHAPTERS:
        assert find(ch.slug) is find(ch.stem) is find(str(int(ch.stem[:2]))) is ch
    with pytest.raises(ParameterError, match="unknown chapter"):
        find("nope")


def bad_values(p: Param) -> list:
    """Values outside what ``p`` allows: past each bound, the wrong type, an unknown choice."""
    out = [object()]
    if p.choices:
        out.append("not-a-choice")
    if p.low is not None:
        out.append(p.type(p.low) if p.low_open else p.type(p.low) - 1)
    if p.high is not None:
        out.append(p.type(p.high) + 1)
    return out


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_every_chapter_parameter_rejects_bad_values_by_name(chapter):
    for p in chapter.schema.params:
        for value in bad_values(p):
            with pytest.raises(ParameterError) as err:
                chapter.schema.validate({p.name: value})
            assert f"'{p.name}'" in str(err.value) and p.allowed() in str(err.value)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_every_chapter_constraint_is_enforced(chapter):
    for c in chapter.schema.constraints:
        breaking = c.breaks or {name: chapter.schema.get(name).high for name in c.names}
        with pytest.raises(ParameterError, match=re.escape(c.message)):
            chapter.schema.validate(breaking)


def test_a_value_is_checked_once_where_it_enters(monkeypatch):
    """The notebook trusts exactly the values ``pft`` validated before starting its kernel (their
    fingerprint), checks anything else, and a config made from validated values does not check
    them again; a config made directly still checks itself."""
    from pftlib.environment import VALIDATED_ENV
    from pftlib.llm.config import Pipeline
    from pftlib.params import config_from, fingerprint
    from pftlib.publish.chapters import PIPELINE
    from pftlib.report import parameters

    checked = PIPELINE.schema.validate({"beta": 0.2})
    monkeypatch.setenv(VALIDATED_ENV, fingerprint(checked))
    calls = []
    real = Schema.validate
    monkeypatch.setattr(Schema, "validate", lambda self, values: calls.append(values) or real(self, values))
    assert parameters("pipeline", checked) == checked and calls == []  # what pft validated: trusted
    with pytest.raises(ParameterError, match="'beta'"):
        parameters("pipeline", {**checked, "beta": -1.0})  # changed in the notebook: checked
    assert config_from(Pipeline, checked).beta == 0.2 and len(calls) == 1
    with pytest.raises(ParameterError, match="'beta'"):
        Pipeline(beta=-1.0)
