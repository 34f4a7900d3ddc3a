"""LogReader: queries on a read-only connection of its own (never the writer's, never blocking it).

Time ranges are half-open, [since_ms, until_ms), in UTC milliseconds; None means unbounded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from terminal.log import db
from terminal.log.records import JOURNAL
from terminal.log.rows import ALERT_COLUMNS, CALL_COLUMNS, AlertRow, CallRow

_FAR_PAST = -(2**62)
_FAR_FUTURE = 2**62


class StoredRecord(NamedTuple):
    """A record as stored: `text` is its canonical payload, hashes are raw SHA-256."""

    id: int
    kind: str
    utc_ms: int
    text: str
    prev_hash: bytes
    hash: bytes

    def payload(self) -> dict[str, Any]:
        """The payload, parsed."""
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


class JournalEntry(NamedTuple):
    """One journalled input event or effect, for replaying a session through the core."""

    id: int
    utc_ms: int
    stream: str
    name: str
    data: dict[str, Any]


class LogReader:
    """Read-only queries over one log database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = db.connect_ro(self.path)

    def __enter__(self) -> LogReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def calls(self, since_ms: int | None = None, until_ms: int | None = None) -> list[CallRow]:
        """Calls that began (rang or were placed) in the range, oldest first."""
        sql = (
            f"SELECT {', '.join(CALL_COLUMNS)} FROM calls "
            "WHERE rung_utc_ms >= ? AND rung_utc_ms < ? ORDER BY rung_utc_ms, rid"
        )
        return [CallRow._make(row) for row in self._query(sql, _bounds(since_ms, until_ms))]

    def alerts(self, since_ms: int | None = None, until_ms: int | None = None) -> list[AlertRow]:
        """Alerts that arrived in the range, oldest first."""
        sql = (
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? ORDER BY received_utc_ms, rid"
        )
        return [AlertRow._make(row) for row in self._query(sql, _bounds(since_ms, until_ms))]

    def iter_calls(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[CallRow]:
        """As `calls`, one row at a time (a report over a long range holds none of them)."""
        sql = (
            f"SELECT {', '.join(CALL_COLUMNS)} FROM calls "
            "WHERE rung_utc_ms >= ? AND rung_utc_ms < ? ORDER BY rung_utc_ms, rid"
        )
        for row in self._query(sql, _bounds(since_ms, until_ms)):
            yield CallRow._make(row)

    def iter_alerts(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[AlertRow]:
        """As `alerts`, one row at a time."""
        sql = (
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? ORDER BY received_utc_ms, rid"
        )
        for row in self._query(sql, _bounds(since_ms, until_ms)):
            yield AlertRow._make(row)

    def journal_named(
        self, names: tuple[str, ...], since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[JournalEntry]:
        """The journal entries of these event or effect names only (SQLite picks them out)."""
        marks = ", ".join("?" * len(names))
        sql = (
            "SELECT id, utc_ms, payload FROM records WHERE utc_ms >= ? AND utc_ms < ? "
            f"AND kind = ? AND json_extract(payload, '$.name') IN ({marks}) ORDER BY id"
        )
        params = (*_bounds(since_ms, until_ms), JOURNAL, *names)
        for rid, utc_ms, text in self._query(sql, params):
            p = json.loads(text)
            yield JournalEntry(rid, utc_ms, p["stream"], p["name"], p["data"])

    def records(
        self, since_ms: int | None = None, until_ms: int | None = None, kind: str | None = None
    ) -> Iterator[StoredRecord]:
        """Records stamped in the range (of one kind if given), in chain order."""
        sql = (
            "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
            "WHERE utc_ms >= ? AND utc_ms < ?"
        )
        params: tuple[Any, ...] = _bounds(since_ms, until_ms)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        for row in self._query(sql + " ORDER BY id", params):
            yield StoredRecord(row[0], row[1], row[2], row[3], bytes(row[4]), bytes(row[5]))

    def chain(self, first_id: int = 0, last_id: int = _FAR_FUTURE) -> Iterator[StoredRecord]:
        """Records with ids in [first_id, last_id], in chain order."""
        sql = (
            "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
            "WHERE id BETWEEN ? AND ? ORDER BY id"
        )
        for row in self._query(sql, (first_id, last_id)):
            yield StoredRecord(row[0], row[1], row[2], row[3], bytes(row[4]), bytes(row[5]))

    def journal(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[JournalEntry]:
        """The event journal in order: what the core was fed and what it did."""
        for record in self.records(since_ms, until_ms, kind=JOURNAL):
            p = record.payload()
            yield JournalEntry(record.id, record.utc_ms, p["stream"], p["name"], p["data"])

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every query inside sees the same state of the file (one read transaction)."""
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("ROLLBACK")

    def id_span(self) -> tuple[int, int] | None:
        """The first and last record ids, or None for an empty log."""
        row = self._query("SELECT min(id), max(id) FROM records", ()).fetchone()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def first_id_since(self, utc_ms: int) -> int | None:
        """The id of the first record (in chain order) stamped at or after `utc_ms`."""
        sql = "SELECT id FROM records WHERE utc_ms >= ? ORDER BY id LIMIT 1"
        row = self._query(sql, (utc_ms,)).fetchone()
        return None if row is None else int(row[0])

    def head(self) -> tuple[int, bytes]:
        """The last record's id and hash (0 and zeros when empty)."""
        row = self._query("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1", ()).fetchone()
        return (0, bytes(32)) if row is None else (int(row[0]), bytes(row[1]))

    def outbox(self) -> dict[str, int]:
        """Each outbox cursor's last sent record id (none in a file from before schema 2)."""
        try:
            rows = self._conn.execute("SELECT name, sent_id FROM outbox").fetchall()
        except sqlite3.OperationalError:  # no outbox table: nothing is waiting to be sent
            return {}
        return {str(name): int(sent) for name, sent in rows}

    def _query(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise db.translate(exc, self.path) from exc


def _bounds(since_ms: int | None, until_ms: int | None) -> tuple[int, int]:
    return (
        _FAR_PAST if since_ms is None else since_ms,
        _FAR_FUTURE if until_ms is None else until_ms,
    )
