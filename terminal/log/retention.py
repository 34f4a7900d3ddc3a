"""Retention: records older than N days are moved to an archive file, never just deleted.

Two steps, so the writer is held up only briefly:
1. `archive_old` (any thread, read-only): the longest prefix of the chain older than the cutoff is
   written to `<archive_dir>/records-<first>-<last>.jsonl` and fsynced.
2. `apply_retention` (the writer): one short transaction checks the prefix is still what was
   archived, restates in a `carry` record every call or alert that has records on both sides, and
   appends a `checkpoint` record naming the last archived id and hash, where the chain now
   starts. Then `finish_removal` deletes the calls/alerts rows wholly inside the prefix, then the
   prefix's records, in batches of `BATCH` rows, each batch its own transaction, so the write lock
   is never held for long. A crash between batches leaves records at or before the checkpoint's
   `through_id` that `hotline log verify` reports as awaiting removal (they still chain into the
   checkpoint); the next retention run removes them first. The archive files verify on their own
   (`--archive`).

Records an outbox cursor (the MQTT publisher's) has not sent yet are never archived: the prefix
stops at the lowest cursor, and `held_back(...)` says how many old records wait for it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from terminal.log import records as r
from terminal.log.archive import write_records
from terminal.log.compact import decode
from terminal.log.errors import LogError, RecordError
from terminal.log.reader import LogReader
from terminal.log.rows import Record, Row, fold, row_payload
from terminal.log.store import LogStore
from terminal.zulu import now_ms

DAY_MS = 86_400_000
BATCH = 500
"""Rows deleted per transaction when the archived prefix is removed."""


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
    longest_lock_s: float = 0.0
    """The longest any one of its transactions held the write lock."""
    restated_lines: int = 0
    """Line versions whose records all went to the archive, restated after the cut."""


def archive_old(db_path: Path, cutoff_ms: int, archive_dir: Path) -> Archive | None:
    """Write every record before the first one stamped at or after `cutoff_ms` (after the last
    checkpoint: what it archived is not archived again); None if none."""
    with LogReader(db_path) as reader, reader.snapshot():
        span = reader.id_span()
        if span is None:
            return None
        first = max(span[0], reader.chain_base()[0] + 1)
        young = reader.first_id_since(cutoff_ms)
        through = span[1] if young is None else young - 1
        unsent = reader.outbox()
        if unsent:
            through = min(through, *unsent.values())
        if through < first:
            return None
        path = archive_dir / f"records-{first:010d}-{through:010d}.jsonl"
        count, last = write_records(path, reader.chain(first, through))
    assert last is not None
    return Archive(path, first, through, last.hash, count)


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
    store: LogStore, archive: Archive, utc_ms: int | None = None, batch: int = BATCH
) -> RetentionResult:
    """Checkpoint the archived prefix in one short transaction, then remove it in batches (run
    it on the writer's thread)."""
    stamp = now_ms() if utc_ms is None else utc_ms
    held = [0.0]
    finish_removal(store, batch, held)  # what an interrupted run left, so the prefix starts it
    # Which calls and alerts have records on both sides of the cut: found before the write lock
    # is taken (the slow part), then only what was appended meanwhile is looked at under it.
    span = (archive.first_id, archive.through_id)
    head_before = store.tail()[0]
    found = store.conn.execute(_SPLIT, (*span, archive.through_id, head_before))
    split = {str(row[0]) for row in found}
    carried = {entity: _fold_entity(store, entity) for entity in split}  # as of head_before
    started = time.perf_counter()
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
        late = conn.execute(_LATE, (head_before, *span))  # appended since the scan
        for entity in {str(row[0]) for row in late}:  # their rows as of now
            carried[entity] = _fold_entity(store, entity)
        carries = [
            r.prepare(r.CARRY, row_payload(row), stamp)
            for _, row in sorted(carried.items())
            if row is not None
        ]
        checkpoint = {
            "through_id": archive.through_id,
            "through_hash": archive.through_hash.hex(),
            "archive": archive.path.name,
            "count": archive.count,
        }
        lines = _line_versions_to_restate(store, archive.first_id, archive.through_id)
        entries = [*carries, *lines, r.prepare(r.CHECKPOINT, checkpoint, stamp)]
        ids = store.append_in_transaction(entries, tail)
    held[0] = max(held[0], time.perf_counter() - started)
    removed = finish_removal(store, batch, held)
    return RetentionResult(
        archive, removed["call"], removed["alert"], len(carries), ids[-1], held[0], len(lines)
    )


def _line_versions_to_restate(store: LogStore, first_id: int, through_id: int) -> list[r.Prepared]:
    """Every line version whose records all lie in the archived span, restated as it was (its
    time and payload), so the version in force and the line's history never leave the log
    (docs/log.md section 5). A record that does not read is left to `verify` to name."""
    conn = store.conn
    later: set[object] = set()
    for (payload,) in conn.execute(
        "SELECT payload FROM records WHERE kind = 'line_version' AND id > ?", (through_id,)
    ):
        later.add(_line_number(_json_object(payload)))
    out: list[r.Prepared] = []
    for utc_ms, payload in conn.execute(
        "SELECT utc_ms, payload FROM records WHERE kind = 'line_version' "
        "AND id BETWEEN ? AND ? ORDER BY id",
        (first_id, through_id),
    ):
        data = _json_object(payload)
        number = _line_number(data)
        if data is None or number is None or number in later:
            continue
        try:
            out.append(r.prepare(r.LINE_VERSION, data, int(utc_ms)))
        except RecordError:
            continue
        later.add(number)
    return out


def _json_object(payload: str) -> dict[str, object] | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _line_number(data: dict[str, object] | None) -> object:
    return None if data is None else data.get("version")


_SPLIT = (
    "SELECT DISTINCT entity FROM records o WHERE id BETWEEN ? AND ? AND entity IS NOT NULL "
    f"AND entity NOT IN ('{r.CHECKPOINT_ENTITY}', '{r.SIGNED_ENTITY}') AND EXISTS "
    "(SELECT 1 FROM records WHERE entity = o.entity AND id > ? AND id <= ?)"
)
"""The calls and alerts with a record in the span (first two) and one in (third, fourth]."""
_LATE = (
    "SELECT DISTINCT entity FROM records o WHERE id > ? AND entity IS NOT NULL "
    f"AND entity NOT IN ('{r.CHECKPOINT_ENTITY}', '{r.SIGNED_ENTITY}') AND EXISTS "
    "(SELECT 1 FROM records WHERE entity = o.entity AND id BETWEEN ? AND ?)"
)
"""The calls and alerts with a record after the first (appended lately) and one in the span."""


def finish_removal(
    store: LogStore, batch: int = BATCH, held: list[float] | None = None
) -> dict[str, int]:
    """Delete what the last checkpoint archived and is still here: first the calls and alerts
    rows wholly inside it, then its records, `batch` rows a transaction (crash-safe at any
    point: rows go before the records that explain them). Return the rows removed by table."""
    held = [0.0] if held is None else held
    base = _checkpointed(store)
    removed = {"call": 0, "alert": 0}
    if base == 0:
        return removed
    statements = (
        ("call", "DELETE FROM calls WHERE rid IN (SELECT rid FROM calls c WHERE rid <= :base "
                 "AND NOT EXISTS (SELECT 1 FROM records WHERE entity = 'call:' || c.call_id "
                 "AND id > :base) LIMIT :batch)"),
        ("alert", "DELETE FROM alerts WHERE rid IN (SELECT rid FROM alerts a WHERE rid <= :base "
                  "AND NOT EXISTS (SELECT 1 FROM records WHERE entity = 'alert:' || a.alert_id "
                  "AND id > :base) LIMIT :batch)"),
        ("", "DELETE FROM records WHERE id IN (SELECT id FROM records WHERE id <= :base "
             "ORDER BY id LIMIT :batch)"),
    )  # fmt: skip
    params = {"base": base, "batch": max(1, batch)}
    for table, statement in statements:
        while True:
            started = time.perf_counter()
            with store.transaction() as conn:
                count = conn.execute(statement, params).rowcount
            held[0] = max(held[0], time.perf_counter() - started)
            if table:
                removed[table] += count
            if count < params["batch"]:
                break
    return removed


def _checkpointed(store: LogStore) -> int:
    """The last retention checkpoint's through_id (0: none)."""
    row = store.conn.execute(
        "SELECT payload FROM records WHERE entity = ? ORDER BY id DESC LIMIT 1",
        (r.CHECKPOINT_ENTITY,),
    ).fetchone()
    return 0 if row is None else int(json.loads(row[0])["through_id"])


def retain(
    store: LogStore, days: int, archive_dir: Path, utc_ms: int | None = None
) -> RetentionResult | None:
    """Both steps at once, for `hotline log retain` and maintenance on the writer thread
    (first finishing the removal an interrupted run left)."""
    now = now_ms() if utc_ms is None else utc_ms
    finish_removal(store)
    archive = archive_old(store.path, now - days * DAY_MS, archive_dir)
    return None if archive is None else apply_retention(store, archive, now)


def _fold_entity(store: LogStore, entity: str) -> Row | None:
    row: Row | None = None
    for rid, kind, utc_ms, text in store.conn.execute(
        "SELECT id, kind, utc_ms, payload FROM records WHERE entity = ? ORDER BY id", (entity,)
    ):
        row = fold(row, Record(rid, kind, utc_ms, decode(kind, text)))
    return row
