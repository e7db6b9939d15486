"""Parameter schemas: every chapter parameter has a type, a default, an allowed range and a meaning.

A bad value stops a run before any compute, with a message that names the parameter and says
what is allowed.  The same schema validates the command line (``pft run -p NAME VALUE``), the
notebook itself (its first code cell after the ``parameters`` cell) and the experiment's config.

An experiment declares its parameters once, as a config dataclass whose fields are made with
:func:`option` (default, help, range) and whose cross-field rules are ``RULES``;
:func:`schema_of` derives the chapter's schema from it, and :func:`validated` checks an instance.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints


class ParameterError(ValueError):
    """A parameter value (or name) that the chapter's schema does not allow."""


_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


@dataclass(frozen=True)
class Param:
    """One parameter: ``low``/``high`` bound numbers (``low_open`` makes the lower bound strict);
    ``choices`` restricts strings."""

    name: str
    type: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        self.check(self.default)  # a schema whose default is invalid is a bug

    def allowed(self) -> str:
        """Human-readable allowed values, e.g. ``a number > 0`` or ``an integer in [1, 10]``."""
        kind = _TYPE_NAMES[self.type]
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.low is not None and self.high is not None:
            left = "(" if self.low_open else "["
            return f"{kind} in {left}{_fmt(self.low)}, {_fmt(self.high)}]"
        if self.low is not None:
            return f"{kind} {'>' if self.low_open else '>='} {_fmt(self.low)}"
        if self.high is not None:
            return f"{kind} <= {_fmt(self.high)}"
        return kind

    def parse(self, text: str) -> Any:
        """Convert a command-line string to this parameter's type, then check it."""
        try:
            if self.type is bool:
                lowered = text.strip().lower()
                if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError(text)
                value: Any = lowered in {"true", "1", "yes"}
            elif self.type is int:
                value = int(text)
            else:
                value = self.type(text)
        except ValueError:
            raise self._error(f"got {text!r}, which is not {_TYPE_NAMES[self.type]}") from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """Return ``value`` (ints are accepted for floats) or raise :class:`ParameterError`."""
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is not bool and isinstance(value, bool)):
            raise self._error(f"got {value!r} of type {type(value).__name__}")
        if self.type is float and not math.isfinite(value):
            raise self._error(f"got {value!r}")
        if self.type is float and 0 < abs(value) < sys.float_info.min:  # subnormal: divisions by it overflow
            raise self._error(f"got {value!r}, too small to compute with")
        if self.choices is not None and value not in self.choices:
            raise self._error(f"got {value!r}")
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and value > self.high
        if too_low or too_high:
            raise self._error(f"got {value!r}")
        return value

    def _error(self, what: str) -> ParameterError:
        return ParameterError(f"parameter '{self.name}': {what}; allowed: {self.allowed()} ({self.help})")


def check_writable(path: Path, flag: str = "--out") -> None:
    """Raise :class:`ParameterError` unless a file can be written at ``path``: its folder is created
    if missing, and a probe file is written there and removed (before any compute, not after)."""
    if path.is_dir():
        raise ParameterError(f"{flag} {path} is a folder: give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as err:
        raise ParameterError(f"{flag} {path}: nothing can be written there ({err.strerror or err})") from None


def take_params(argv: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split every ``-p NAME VALUE`` (or ``--param``) out of ``argv``, both words verbatim, so that a
    value such as ``-inf`` or ``-1e-3`` reaches its parameter's check instead of reading as an
    option.  Returns the other words and the pairs; raises :class:`ParameterError` when a ``-p``
    lacks its two words."""
    rest, pairs, i = [], [], 0
    while i < len(argv):
        if argv[i] in ("-p", "--param"):
            if len(argv) - i < 3:
                raise ParameterError(f"{argv[i]} needs a name and a value, as in -p beta 0.2 (got {argv[i + 1:]})")
            pairs.append((argv[i + 1], argv[i + 2]))
            i += 3
        else:
            rest.append(argv[i])
            i += 1
    return rest, pairs


def _fmt(x: float) -> str:
    return f"{x:,}" if float(x).is_integer() and abs(x) >= 1e4 else f"{x:g}"


@dataclass(frozen=True)
class Constraint:
    """A rule over several parameters, e.g. the tree size ``V**H`` must stay tractable.
    ``holds`` returns False, or raises ``ValueError`` with the specific problem, when it is broken.
    ``breaks`` is an example of values that violate it (the tests use it)."""

    names: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]
    message: str
    breaks: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    """The parameters of one chapter, their cross-parameter constraints and a small profile."""

    params: tuple[Param, ...]
    constraints: tuple[Constraint, ...] = ()
    quick: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate(self.defaults())
        self.validate({**self.defaults(), **self.quick})

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(f"unknown parameter '{name}'; this chapter takes: {', '.join(self.names())}")

    def parse(self, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """Parse ``(name, text)`` pairs from the command line into checked values."""
        return {name: self.get(name).parse(text) for name, text in pairs}

    def parse_file(self, path: str | Path) -> dict[str, Any]:
        """The values a YAML file of ``name: value`` lines sets (papermill's ``-f``, TRL's
        ``--config``), each read as its text and checked as ``-p name value`` would be.  Raises
        :class:`ParameterError` naming the file: unreadable, not a mapping, or a bad value."""
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise ParameterError(f"-f {path}: not a readable YAML file ({err})") from None
        if not isinstance(data, dict):
            raise ParameterError(f"-f {path}: must map parameter names to values, one per line, as in `beta: 0.2`")
        text = lambda v: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)  # noqa: E731
        try:
            return self.parse([(str(name), text(value)) for name, value in data.items()])
        except ParameterError as err:
            raise ParameterError(f"-f {path}: {err}") from None

    def validate(self, values: Mapping[str, Any]) -> Validated:
        """Check a full or partial set of values; missing ones take their defaults."""
        out = Validated(self.defaults())
        for name, value in values.items():
            out[name] = self.get(name).check(value)
        for c in self.constraints:
            try:
                holds, detail = c.holds(out), ""
            except ValueError as err:  # the rule found a specific problem, e.g. a mis-shaped data file
                holds, detail = False, f": {err}"
            if not holds:
                got = ", ".join(f"{k}={out[k]!r}" for k in c.names)
                raise ParameterError(f"parameters {', '.join(c.names)}: {c.message} (got {got}){detail}")
        return out


class Validated(dict):
    """Parameter values a :class:`Schema` has checked, as :meth:`Schema.validate` returns them:
    ``pft`` tells a chapter's kernel to trust only these (a dict made any other way is checked
    again in the notebook)."""


def option(default: Any, help: str, **allowed: Any) -> Any:
    """A config field with its help and allowed values, as TRL's configs carry ``help``:
    ``low``/``high``/``low_open`` bound numbers, ``choices`` restricts strings."""
    return field(default=default, metadata={"help": help, **allowed})


def override(config: type, name: str, default: Any) -> Any:
    """The field ``name`` of ``config`` with another default (a subclass's own), same help and range."""
    return field(default=default, metadata=config.__dataclass_fields__[name].metadata)


def params_of(config: type, exclude: tuple[str, ...] = (), prefix: str = "") -> tuple[Param, ...]:
    """The parameters a config dataclass declares (every field made with :func:`option`), in order;
    ``prefix`` names them as a chapter that embeds the config shows them (``exact_beta``)."""
    hints = get_type_hints(config)
    return tuple(Param(prefix + f.name, hints[f.name], f.default, **f.metadata)
                 for f in fields(config) if "help" in f.metadata and f.name not in exclude)


def schema_of(config: type, quick: Mapping[str, Any] | None = None, exclude: tuple[str, ...] = (),
              extra: tuple[Param, ...] = (), constraints: tuple[Constraint, ...] = ()) -> Schema:
    """A chapter's schema derived from its experiment's config: the config's fields (their
    defaults are the only defaults) and rules (``config.RULES``), then the chapter's ``extra``
    parameters and ``constraints``, and its small ``quick`` profile."""
    names = {p.name for p in params_of(config, exclude)} | {p.name for p in extra}
    rules = tuple(r for r in getattr(config, "RULES", ()) if set(r.names) <= names)
    return Schema(params=(*params_of(config, exclude), *extra), constraints=(*rules, *constraints),
                  quick=dict(quick or {}))


@cache
def _own_schema(config: type) -> Schema:
    return schema_of(config)


def validated(config: Any) -> None:
    """Check a config instance against its own fields and rules (call from ``__post_init__``)."""
    schema = _own_schema(type(config))
    schema.validate({name: getattr(config, name) for name in schema.names()})


def restored(config: type, values: Mapping[str, Any]) -> Any:
    """A config as it was saved elsewhere: each field checked against its own type and range
    (missing ones take their defaults), but not the cross-field ``RULES``, which check the machine
    a run starts on (its folders, keys, trackers), not the one that reads its results."""
    for p in params_of(config):
        p.check(values.get(p.name, p.default))
    return _unchecked(config, values)


def config_from(config: type, params: Mapping[str, Any], prefix: str = "") -> Any:
    """The ``config`` that a chapter's validated ``params`` describe (its fields named with
    ``prefix``; names that are not its fields, such as a chapter's ``from_json``, are ignored, and
    fields a chapter does not set keep their defaults).  The values were checked where they entered
    (``pft``, or the notebook's :func:`pftlib.report.parameters`), so the config trusts them; a
    config made directly, ``Pipeline(beta=-1)``, checks itself."""
    return _unchecked(config, {p.name[len(prefix):]: params[p.name] for p in params_of(config, prefix=prefix)
                               if p.name in params})


def _unchecked(config: type, values: Mapping[str, Any]) -> Any:
    """An instance of the dataclass ``config`` holding ``values`` (defaults for the rest), made
    without its ``__post_init__`` check."""
    obj = object.__new__(config)
    for f in fields(config):
        object.__setattr__(obj, f.name, values.get(f.name, f.default))
    return obj


def fingerprint(values: Mapping[str, Any]) -> str:
    """A digest of parameter values: ``pft`` hands the kernel the fingerprint of the values it
    validated, and the notebook trusts values with that fingerprint instead of checking them again."""
    return hashlib.sha256(json.dumps(dict(values), sort_keys=True, default=repr).encode()).hexdigest()
