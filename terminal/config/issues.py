"""What is wrong with a configuration file: one issue per mistake, all raised together."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConfigIssue:
    """One mistake: where it is, what was given, and what is allowed.

    `key` is the dotted key (`gpio.ptt_pin`), a section name, or "" for the file as a whole;
    `line` is 1-based, or None when the key cannot be found in the text.
    """

    file: str
    line: int | None
    key: str
    given: str
    problem: str
    allowed: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{self.given} {self.problem}" if self.given else self.problem
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return f"{where}: {self.key}: {text}" if self.key else f"{where}: {text}"


class ConfigError(Exception):
    """The configuration is not usable; `issues` lists every mistake found, in file order."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues: list[ConfigIssue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


_MAX_SHOWN = 60


def show(value: Any) -> str:
    """A value as TOML would spell it, cut short if long."""
    text: str
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, dict):
        text = "{...}"
    elif isinstance(value, list):
        text = "[...]"
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def kind(value: Any) -> str:
    """The TOML type of a value, with an article."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    return type(value).__name__
