"""Fixtures for the log tests: a fresh database file in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal.log import LogStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the database goes (not created)."""
    return tmp_path / "log" / "hotline.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[LogStore]:
    """An open, migrated, empty store."""
    opened = LogStore.open(db_path)
    yield opened
    opened.close()
