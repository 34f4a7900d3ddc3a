"""Opening the database file: the writer's connection, read-only connections, and telling a
damaged file from a busy or full one."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from terminal.log.errors import LogCorruptError, LogError

_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
WRITER_CACHE_KIB = 16 * 1024
"""The writer's page cache: keeps the indexes hot on a million-alert file (SQLite's own: 2 MiB)."""


def is_corruption(exc: BaseException) -> bool:
    """True if SQLite says the file is damaged or is not a database."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_CORRUPT):
        return True
    text = str(exc)
    return "malformed" in text or "not a database" in text


def connect_rw(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """The writer's connection: WAL, synchronous=FULL, autocommit (explicit transactions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise LogError(f"cannot open the log database {path}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    return conn


def connect_ro(path: Path) -> sqlite3.Connection:
    """A read-only connection for queries, export and verify (never blocks the writer)."""
    if not path.is_file():
        raise LogError(f"there is no log database at {path}")
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA query_only = 1")
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    return conn


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise LogCorruptError unless PRAGMA quick_check says ok."""
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) from exc
    if result != ["ok"]:
        raise LogCorruptError(path, "; ".join(str(line) for line in result))


def translate(exc: sqlite3.Error, path: Path) -> LogError:
    """A LogCorruptError for a damaged file, else a LogError naming the file."""
    if is_corruption(exc):
        return LogCorruptError(path, str(exc))
    return LogError(f"log database {path}: {exc}")
