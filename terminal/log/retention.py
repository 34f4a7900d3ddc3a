"""Retention: records older than N days are moved to an archive file, never just deleted.

Two steps, so the writer is held up only briefly:
1. `archive_old` (any thread, read-only): the longest prefix of the chain older than the cutoff is
   written to `<archive_dir>/records-<first>-<last>.jsonl` and fsynced.
2. `apply_retention` (the writer, one transaction): checks the prefix is still what was archived,
   restates in a `carry` record every call or alert that has records on both sides, deletes the
   prefix and the calls/alerts rows wholly inside it, and appends a `checkpoint` record naming the
   last archived id and hash, where the remaining chain now starts. `hotline log verify` starts
   from that checkpoint; the archive files verify on their own (`--archive`).

Records an outbox cursor (the MQTT publisher's) has not sent yet are never archived: the prefix
stops at the lowest cursor, and `held_back(...)` says how many old records wait for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from terminal.log import records as r
from terminal.log.archive import write_records
from terminal.log.errors import LogError
from terminal.log.reader import LogReader
from terminal.log.rows import Record, Row, fold, row_payload
from terminal.log.store import LogStore
from terminal.zulu import now_ms

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Archive:
    """A prefix of the chain written to a file."""

    path: Path
    first_id: int
    through_id: int
    through_hash: bytes
    count: int


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run moved out of the database."""

    archive: Archive
    removed_calls: int
    removed_alerts: int
    carried: int
    checkpoint_id: int


def archive_old(db_path: Path, cutoff_ms: int, archive_dir: Path) -> Archive | None:
    """Write every record before the first one stamped at or after `cutoff_ms`; None if none."""
    with LogReader(db_path) as reader, reader.snapshot():
        span = reader.id_span()
        if span is None:
            return None
        young = reader.first_id_since(cutoff_ms)
        through = span[1] if young is None else young - 1
        unsent = reader.outbox()
        if unsent:
            through = min(through, *unsent.values())
        if through < span[0]:
            return None
        path = archive_dir / f"records-{span[0]:010d}-{through:010d}.jsonl"
        count, last = write_records(path, reader.chain(span[0], through))
    assert last is not None
    return Archive(path, span[0], through, last.hash, count)


def held_back(db_path: Path, cutoff_ms: int) -> tuple[int, dict[str, int]]:
    """How many records older than `cutoff_ms` retention keeps because an outbox has not sent
    them, and the outbox cursors."""
    with LogReader(db_path) as reader, reader.snapshot():
        cursors = reader.outbox()
        if not cursors:
            return 0, {}
        young = reader.first_id_since(cutoff_ms)
        floor = min(cursors.values())
        old = sum(1 for _ in reader.chain(floor + 1, (young or 2**62) - 1))
    return old, cursors


def apply_retention(
    store: LogStore, archive: Archive, utc_ms: int | None = None
) -> RetentionResult:
    """Remove the archived prefix in one transaction (run it on the writer's thread)."""
    stamp = now_ms() if utc_ms is None else utc_ms
    with store.transaction() as conn:
        tail = store.tail()
        first = conn.execute("SELECT min(id) FROM records").fetchone()[0]
        through = conn.execute(
            "SELECT hash FROM records WHERE id = ?", (archive.through_id,)
        ).fetchone()
        if (
            first != archive.first_id
            or through is None
            or bytes(through[0]) != archive.through_hash
        ):
            raise LogError(
                f"retention: the records archived in {archive.path} are no longer the start of "
                "the log; nothing was removed"
            )
        span = (archive.first_id, archive.through_id)
        entities = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT entity FROM records WHERE id BETWEEN ? AND ? "
                "AND entity IS NOT NULL AND entity NOT IN (?, ?)",
                (*span, r.CHECKPOINT_ENTITY, r.SIGNED_ENTITY),
            )
        ]
        carries: list[r.Prepared] = []
        removed = {"call": 0, "alert": 0}
        for entity in entities:
            later = conn.execute(
                "SELECT 1 FROM records WHERE entity = ? AND id > ? LIMIT 1",
                (entity, archive.through_id),
            ).fetchone()
            if later is not None:
                row = _fold_entity(store, entity)
                if row is not None:
                    carries.append(r.prepare(r.CARRY, row_payload(row), stamp))
                continue
            table, _, key = entity.partition(":")
            sql = (
                "DELETE FROM calls WHERE call_id = ?"
                if table == "call"
                else ("DELETE FROM alerts WHERE alert_id = ?")
            )
            removed[table] += conn.execute(sql, (key,)).rowcount
        conn.execute("DELETE FROM records WHERE id <= ?", (archive.through_id,))
        checkpoint = {
            "through_id": archive.through_id,
            "through_hash": archive.through_hash.hex(),
            "archive": archive.path.name,
            "count": archive.count,
        }
        entries = [*carries, r.prepare(r.CHECKPOINT, checkpoint, stamp)]
        ids = store.append_in_transaction(entries, tail)
    return RetentionResult(archive, removed["call"], removed["alert"], len(carries), ids[-1])


def retain(
    store: LogStore, days: int, archive_dir: Path, utc_ms: int | None = None
) -> RetentionResult | None:
    """Both steps at once, for `hotline log retain` and maintenance on the writer thread."""
    now = now_ms() if utc_ms is None else utc_ms
    archive = archive_old(store.path, now - days * DAY_MS, archive_dir)
    return None if archive is None else apply_retention(store, archive, now)


def _fold_entity(store: LogStore, entity: str) -> Row | None:
    row: Row | None = None
    for rid, kind, utc_ms, text in store.conn.execute(
        "SELECT id, kind, utc_ms, payload FROM records WHERE entity = ? ORDER BY id", (entity,)
    ):
        row = fold(row, Record(rid, kind, utc_ms, json.loads(text)))
    return row
