"""What can go wrong with the log, as exceptions the fronts can show as they are."""

from __future__ import annotations

from pathlib import Path


class LogError(Exception):
    """The log cannot do what was asked; the message is meant for the operator or technician."""


class LogCorruptError(LogError):
    """The database file is damaged or is not a hotline log; the message says how to recover."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        recovered = path.with_name(path.stem + "-recovered" + path.suffix)
        super().__init__(
            f"the log database {path} is corrupt ({detail}). Nothing was written to it. "
            f"To recover: stop the terminal, then run\n"
            f"    sqlite3 '{path}' '.recover' | sqlite3 '{recovered}'\n"
            f"    hotline log verify --db '{recovered}'\n"
            f"and if it verifies, keep '{path}' aside as evidence and put '{recovered}' "
            "in its place."
        )


class LogSchemaError(LogError):
    """The database was written by a newer hotline (or is not a hotline log at all)."""


class RecordError(ValueError):
    """A record is malformed: unknown kind, missing or mistyped field."""
