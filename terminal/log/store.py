"""LogStore: the synchronous core of the log. Opens (and migrates) the file, appends records
to the chain and the projections in one transaction, and answers the writer's own lookups.

One LogStore is the single writer; the engine's LogWriter owns it on its own thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from terminal.log import db
from terminal.log.chain import GENESIS, record_hash
from terminal.log.records import (
    ALERT_RECEIVED,
    CARRY,
    CHECKPOINT_ENTITY,
    SIGNED_ENTITY,
    Prepared,
    entity_of,
    prepare,
)
from terminal.log.rows import ALERT_COLUMNS, CALL_COLUMNS, AlertRow, CallRow, Record, Row, fold
from terminal.log.schema import ALERT_ROWS, MIGRATIONS, RECORD_COLUMNS, Migration, migrate
from terminal.zulu import now_ms

_CALL_SELECT = f"SELECT {', '.join(CALL_COLUMNS)} FROM calls WHERE call_id = ?"
_ALERT_SELECT = (
    f"WITH alert_rows AS ({ALERT_ROWS}) "
    f"SELECT {', '.join(ALERT_COLUMNS)}, slim FROM alert_rows WHERE alert_id = ?"
)
_CALL_INSERT = f"INSERT INTO calls VALUES ({', '.join('?' * len(CALL_COLUMNS))})"
_ALERT_INSERT = f"INSERT INTO alerts VALUES ({', '.join('?' * len(ALERT_COLUMNS))})"
_CALL_UPDATE = f"UPDATE calls SET {', '.join(c + ' = ?' for c in CALL_COLUMNS)} WHERE rid = ?"
_ALERT_UPDATE = f"UPDATE alerts SET {', '.join(c + ' = ?' for c in ALERT_COLUMNS)} WHERE rid = ?"
_RECORD_INSERT = "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)"
_NOT_ROWS = frozenset({CHECKPOINT_ENTITY, SIGNED_ENTITY})
Seal = Callable[[int, bytes], Prepared | None]
"""Given the head (id, hash) after a batch, the signed checkpoint to append to it, or None."""
_SLIM = {ALERT_COLUMNS.index(c) for c in RECORD_COLUMNS}


@dataclass
class _Touched:
    """A call or alert row a batch changes: as it was, and as it is now; `slim` when an alerts
    row leaves the columns its alert_received record says NULL (schema 3, docs/log.md)."""

    before: Row | None
    before_slim: bool
    row: Row | None
    slim: bool

    def apply(self, record: Record) -> None:
        self.row = fold(self.row, record)
        if record.kind == CARRY:  # the row's own record is in an archive: keep every column
            self.slim = False
        elif record.kind == ALERT_RECEIVED and isinstance(self.row, AlertRow):
            self.slim = self.slim or self.row.rid == record.id

    def stored(self) -> tuple[Any, ...]:
        """The row as the table keeps it."""
        assert self.row is not None
        if not self.slim:
            return tuple(self.row)
        return tuple(None if i in _SLIM else v for i, v in enumerate(self.row))


class LogStore:
    """The writer's connection to one log database file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        check: bool = True,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> LogStore:
        """Open or create the file and migrate it to the latest schema.

        `check` runs PRAGMA quick_check first. Raises LogCorruptError (naming the file and the
        recovery command) for a damaged file, LogSchemaError for one from a newer hotline.
        """
        path = Path(path)
        conn = db.connect_rw(path, busy_timeout_ms)
        try:
            if check:
                db.quick_check(conn, path)
            migrate(conn, migrations)
        except sqlite3.Error as exc:
            conn.close()
            raise db.translate(exc, path) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def conn(self) -> sqlite3.Connection:
        """The writer connection (for maintenance run on the writer's thread)."""
        return self._conn

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite on the last close)."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    def append(self, entries: Sequence[Prepared], seal: Seal | None = None) -> list[int]:
        """Commit `entries` in one durable transaction; return their record ids in order.

        `seal`, if given, may add a signed checkpoint of the new head after them, in the same
        transaction (its id is not in the list)."""
        with self.transaction():
            return self.append_in_transaction(entries, seal=seal)

    def write(self, kind: str, payload: dict[str, Any], utc_ms: int | None = None) -> int:
        """Validate and commit one record at once (CLI, tests); return its id."""
        stamp = now_ms() if utc_ms is None else utc_ms
        return self.append([prepare(kind, payload, stamp)])[0]

    def tail(self) -> tuple[int, bytes]:
        """The id and hash of the last record (0 and GENESIS for an empty log)."""
        row = self._conn.execute("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            return int(row[0]), bytes(row[1])
        meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        if "head_id" in meta:
            return int(meta["head_id"]), bytes(meta["head_hash"])
        return 0, GENESIS

    def append_in_transaction(
        self,
        entries: Sequence[Prepared],
        tail: tuple[int, bytes] | None = None,
        seal: Seal | None = None,
    ) -> list[int]:
        """Append inside the caller's transaction, after `tail` (default: the last record)."""
        last_id, last_hash = self.tail() if tail is None else tail
        first = last_id + 1
        rows: list[tuple[Any, ...]] = []
        touched: dict[str, _Touched] = {}
        todo = list(entries)
        index = 0
        while index < len(todo) or seal is not None:
            if index == len(todo):  # the entries are in: the seal's checkpoint of their head
                assert seal is not None
                extra, seal = seal(last_id, last_hash), None
                if extra is None:
                    break
                todo.append(extra)
            entry = todo[index]
            index += 1
            last_id += 1
            digest = record_hash(last_hash, last_id, entry.kind, entry.utc_ms, entry.text)
            entity = entity_of(entry.kind, entry.payload)
            rows.append((last_id, entry.kind, entry.utc_ms, entry.text, last_hash, digest, entity))
            last_hash = digest
            if entity is not None and entity not in _NOT_ROWS:
                state = touched.get(entity)
                if state is None:
                    state = touched[entity] = _Touched(*self._load(entity) * 2)
                state.apply(Record(last_id, entry.kind, entry.utc_ms, entry.payload, entry.nested))
        conn = self._conn
        conn.executemany(_RECORD_INSERT, rows)
        self._save(touched.values())
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('head_id', ?), ('head_hash', ?)",
            (last_id, last_hash),
        )
        return list(range(first, first + len(entries)))

    def last_signed(self) -> tuple[int, dict[str, Any]] | None:
        """The id and payload of the last signed checkpoint (None if there is none)."""
        row = self._conn.execute(
            "SELECT id, payload FROM records WHERE entity = ? ORDER BY id DESC LIMIT 1",
            (SIGNED_ENTITY,),
        ).fetchone()
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def _load(self, entity: str) -> tuple[Row | None, bool]:
        """The row of a call or alert as it is now, and whether it is a slim alerts row."""
        table, _, key = entity.partition(":")
        if table == "call":
            found = self._conn.execute(_CALL_SELECT, (key,)).fetchone()
            return (None if found is None else CallRow._make(found)), False
        found = self._conn.execute(_ALERT_SELECT, (key,)).fetchone()
        if found is None:
            return None, False
        return AlertRow._make(found[:-1]), bool(found[-1])

    def _save(self, changes: Iterable[_Touched]) -> None:
        """Write changed rows: new ones in one executemany per table, then updates."""
        new_calls: list[tuple[Any, ...]] = []
        new_alerts: list[tuple[Any, ...]] = []
        updates: list[tuple[str, tuple[Any, ...]]] = []
        for change in changes:
            before, after = change.before, change.row
            if after is None or (after == before and change.slim == change.before_slim):
                continue
            calls = isinstance(after, CallRow)
            if before is None:
                (new_calls if calls else new_alerts).append(change.stored())
            else:
                statement = _CALL_UPDATE if calls else _ALERT_UPDATE
                updates.append((statement, (*change.stored(), before.rid)))
        if new_calls:
            self._conn.executemany(_CALL_INSERT, new_calls)
        if new_alerts:
            self._conn.executemany(_ALERT_INSERT, new_alerts)
        for statement, params in updates:
            self._conn.execute(statement, params)
