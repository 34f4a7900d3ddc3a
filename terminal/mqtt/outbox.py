"""The outbox in the log: a cursor per consumer over the append-only, ordered `records` table.

"Queued" = committed with an id above the cursor; "sent" = the cursor has passed it, which it does
only once the broker acknowledged that record and every earlier one (terminal.mqtt.window).
The cursor is written by the single writer (`LogWriter.call(save_cursor(...))`); the records are
read on a read-only connection of the publisher's own (WAL: never blocks the writer).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from terminal.log import db
from terminal.log.reader import StoredRecord
from terminal.log.store import LogStore
from terminal.mqtt.payload import PUBLISHED_KINDS
from terminal.zulu import now_ms

NAME = "mqtt"
_KINDS = tuple(sorted(PUBLISHED_KINDS))
_PENDING = (
    "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
    f"WHERE id > ? AND kind IN ({', '.join('?' * len(_KINDS))}) ORDER BY id LIMIT ?"
)

_WAITING = f"SELECT count(*) FROM records WHERE id > ? AND kind IN ({', '.join('?' * len(_KINDS))})"
_CURSOR = "SELECT sent_id FROM outbox WHERE name = ?"


def open_cursor(name: str = NAME) -> Callable[[LogStore], int]:
    """A store function: the cursor's sent id; a new cursor starts at the log's head (records
    committed before the publisher was first enabled are not sent)."""

    def run(store: LogStore) -> int:
        with store.transaction() as conn:
            row = conn.execute("SELECT sent_id FROM outbox WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return int(row[0])
            head = store.tail()[0]
            conn.execute("INSERT INTO outbox VALUES (?, ?, ?)", (name, head, now_ms()))
            return head

    return run


def save_cursor(sent_id: int, name: str = NAME) -> Callable[[LogStore], None]:
    """A store function: move the cursor forward to `sent_id` (never back)."""

    def run(store: LogStore) -> None:
        with store.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET sent_id = max(sent_id, ?), updated_utc_ms = ? WHERE name = ?",
                (sent_id, now_ms(), name),
            )

    return run


class OutboxReader:
    """The records waiting to be sent, read on a read-only connection (use from one thread)."""

    def __init__(self, path: Path) -> None:
        self._conn = db.connect_ro(path)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def after(self, after_id: int, limit: int) -> tuple[list[StoredRecord], int]:
        """Up to `limit` publishable records above `after_id`, and the id read through (every
        record up to it that is not in the list is not to be published)."""
        conn = self._conn
        conn.execute("BEGIN")
        try:
            rows = conn.execute(_PENDING, (after_id, *_KINDS, limit)).fetchall()
            if len(rows) == limit:
                through = int(rows[-1][0])
            else:
                head = conn.execute("SELECT max(id) FROM records").fetchone()[0]
                through = max(after_id, int(head or 0))
        finally:
            conn.execute("ROLLBACK")
        found = [StoredRecord(r[0], r[1], r[2], r[3], bytes(r[4]), bytes(r[5])) for r in rows]
        return found, through

    def waiting(self, after_id: int) -> int:
        """How many publishable records are above `after_id`."""
        return int(self._conn.execute(_WAITING, (after_id, *_KINDS)).fetchone()[0])

    def cursor(self, name: str = NAME) -> int | None:
        """The cursor as committed (None if there is none)."""
        try:
            row = self._conn.execute(_CURSOR, (name,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return None if row is None else int(row[0])
