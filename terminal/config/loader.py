"""Read a configuration file once, check every key, and report every mistake together."""

from __future__ import annotations

import difflib
import math
import os.path
import re
import tomllib
import types
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from terminal.config.cross import check_all
from terminal.config.issues import ConfigError, ConfigIssue, kind, show
from terminal.config.locate import KeyLocator
from terminal.config.model import Config
from terminal.config.rules import Invalid, rule_for

# Keys a section's dataclass has but its file section may not set.

INSTALLED_CONFIG = Path("/etc/hotline-terminal/hotline.toml")
"""Where `make install` puts the configuration; the commands' default `--config`."""

HIDDEN = {"radio": {"enabled": "the desk cannot work without its radio link"}}

_HINTS = get_type_hints(Config)
SECTIONS: dict[str, type] = {f.name: _HINTS[f.name] for f in fields(Config)}
_EXPECTED: dict[Any, str] = {bool: "a boolean", int: "an integer", float: "a number"}
_EXPECTED |= {str: "a string", Path: "a path string", str | int: "a string or an integer"}
_EXPECTED |= {Path | None: 'a path string, or "" for none'}
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def keys_of(section: str) -> list[str]:
    """The keys a file may set in one section."""
    hidden = HIDDEN.get(section, {})
    return [f.name for f in fields(SECTIONS[section]) if f.name not in hidden]


def load_config(path: Path | str) -> Config:
    """Load and check a configuration file; raise ConfigError listing every mistake."""
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        issue = ConfigIssue(source, None, "", "", f"cannot read the file: {reason}")
        raise ConfigError([issue]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError([ConfigIssue(source, line, "", "", "is not UTF-8 text")]) from None
    locator = KeyLocator(text)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_issue(source, str(exc), locator)]) from None
    except (ValueError, RecursionError) as exc:  # over-long integers, absurd nesting
        raise ConfigError([ConfigIssue(source, None, "", "", f"TOML error: {exc}")]) from None
    return _Checker(source, path.parent.absolute(), locator).build(document)


def _syntax_issue(source: str, message: str, locator: KeyLocator) -> ConfigIssue:
    at = _SYNTAX_AT.search(message)
    line = int(at[1]) if at else None
    problem = f"TOML syntax error at column {at[2]}: " if at else "TOML syntax error: "
    problem += message[: at.start()] if at else message.removesuffix(" (at end of document)")
    duplicate = locator.duplicate
    if duplicate is not None and "overwrite" in message and line in (None, duplicate[1]):
        return ConfigIssue(source, duplicate[1], _spell(duplicate[0]), "", f"{problem} (set twice)")
    return ConfigIssue(source, line, "", "", problem)


def _spell(key: str) -> str:
    """A dotted key for a message: bare parts as they are, others quoted and escaped."""
    return ".".join(p if _BARE.fullmatch(p) else show(p) for p in key.split("."))


def _suggest(word: str, choices: list[str], spelled: str = "{}") -> str:
    """The closest choice as ', did you mean X?', or '' when none is close."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f", did you mean {spelled.format(close[0])}?" if close else ""


def _coerce(hint: Any, value: Any) -> Any:
    """The value as the type the dataclass field wants, or Invalid (a bool is not an int)."""
    if hint is float and type(value) is int:
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if hint == Path | None and type(value) is str:  # optional file: "" = none
        return _coerce(Path, value) if value else None
    if hint is Path and type(value) is str:
        if not value or "\x00" in value:
            raise Invalid("is not a path")
        return Path(value)
    wanted = hint.__args__ if isinstance(hint, types.UnionType) else (hint,)
    if type(value) in wanted:
        return value
    raise Invalid(f"is {kind(value)}, not {_EXPECTED[hint]}")


class _Checker:
    """Checks one parsed document, collecting issues."""

    def __init__(self, source: str, base: Path, locator: KeyLocator) -> None:
        self.source = source
        self.base = base
        self.locator = locator
        self.issues: list[ConfigIssue] = []
        self.bad: set[str] = set()
        self.present: set[str] = set()

    def report(self, key: str, given: str, problem: str, allowed: str = "", near: str = "") -> None:
        """Add an issue; its line is that of `key`, or of `near` when `key` is not in the file."""
        where = key if key in self.present or not near else near
        line = self.locator.line(where)
        issue = ConfigIssue(self.source, line, _spell(key), given, problem, allowed)
        self.issues.append(issue)

    def build(self, document: dict[str, Any]) -> Config:
        """The Config, or ConfigError with every issue in file order."""
        for name, table in document.items():
            if name not in SECTIONS:
                self._unknown_top(name, table)
            elif not isinstance(table, dict):
                problem = f"is {kind(table)}, not a table"
                self.report(name, show(table), problem, f"a [{name}] section")
        defaults = Config()
        values: dict[str, dict[str, Any]] = {}
        for name in SECTIONS:
            default = getattr(defaults, name)
            values[name] = {f.name: getattr(default, f.name) for f in fields(default)}
            table = document.get(name, {})
            if isinstance(table, dict):
                self._section(name, table, values[name])
        check_all(values, self.bad, self.present, self.report)
        if self.issues:
            self.issues.sort(key=lambda issue: math.inf if issue.line is None else issue.line)
            raise ConfigError(self.issues)
        sections = {name: replace(getattr(defaults, name), **values[name]) for name in SECTIONS}
        return Config(**sections)

    def _unknown_top(self, name: str, table: Any) -> None:
        if isinstance(table, dict):
            hint = _suggest(name, list(SECTIONS), "[{}]")
            self.report(name, "", f"unknown section{hint}", ", ".join(SECTIONS))
            return
        owners: dict[str, list[str]] = {}
        for section in SECTIONS:
            for key in keys_of(section):
                owners.setdefault(key, []).append(section)
        close = difflib.get_close_matches(name, list(owners), n=1)
        hint = ""
        if close:
            where = " or ".join(f"[{s}]" for s in owners[close[0]])
            hint = f", did you mean {close[0]} in {where}?"
        self.report(name, "", f"unknown key outside any section{hint}", "keys inside [sections]")

    def _section(self, name: str, table: dict[str, Any], out: dict[str, Any]) -> None:
        cls = SECTIONS[name]
        hints = get_type_hints(cls)
        allowed = keys_of(name)
        for key, raw in table.items():
            dotted = f"{name}.{key}"
            self.present.add(dotted)
            if key in HIDDEN.get(name, {}):
                self.report(dotted, "", f"unknown key: {HIDDEN[name][key]}", ", ".join(allowed))
                continue
            if key not in allowed:
                hint = _suggest(key, allowed)
                self.report(dotted, "", f"unknown key{hint}", ", ".join(allowed))
                continue
            rule = rule_for(cls, key)
            try:
                value = _coerce(hints[key], rule.before(raw))
                if isinstance(value, Path):
                    value = Path(os.path.normpath(self.base / value))
                rule.check(value)
            except Invalid as exc:
                self.bad.add(dotted)
                self.report(dotted, show(raw), str(exc), rule.allowed)
                continue
            out[key] = value
