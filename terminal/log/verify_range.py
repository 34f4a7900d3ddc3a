"""Verify's per-record check of one id range, run in a worker process (docs/log.md, section 5).

Each record of the range is checked on its own: its hash recomputes (`chain.record_hash`) from
its id, kind, time, payload and stored `prev_hash`, its kind is a plain one, its `entity` column
fits its kind, and the id is past the chain's base. Consecutive records that pass and chain to
one another locally (next id, `prev_hash` the hash before) are returned as one `Run`: its ends,
its count and the hashes the main walk needs to go past it in one step. A record that does not
pass is returned whole (`Odd`), for the main walk to check as it always did. Alerts whose
records `fold` must read again (`plain_alert_record`) are returned too.

Run as `python -c BOOT PATH LO HI BASE` (`verify_pool`), it reads its range on its own read-only
connection and writes a pickled `RangeResult` (or the SQLite error it met) to stdout.
"""

from __future__ import annotations

import pickle
import sqlite3
import sys
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import NamedTuple

from terminal.log import db
from terminal.log.chain import record_hash
from terminal.log.compact import FORMAT
from terminal.log.errors import LogError
from terminal.log.records import ALERT_KINDS, ALERT_RECEIVED, ENTITY_KINDS, KINDS, SIGNED_CHECKPOINT

ALERT_PREFIX = "alert:"
_COMPACT_HEAD = f"[{FORMAT},"
PLAIN_KINDS = KINDS - {SIGNED_CHECKPOINT}
"""Kinds the walk passes on their hash alone (a signed checkpoint is checked in order too)."""
RecordRow = tuple[int, str, int, str, bytes, bytes, str | None]
"""id, kind, utc_ms, payload text, prev_hash, hash, entity."""
RANGE_QUERY = (
    "SELECT id, kind, utc_ms, payload, prev_hash, hash, entity FROM records "
    "WHERE id >= ? AND id <= ? ORDER BY id"
)


class Run(NamedTuple):
    """Consecutive records, each intact and plain, each chained to the one before it."""

    first_id: int
    first_prev: bytes
    """The first record's prev_hash: the main walk's last hash must be this."""
    first_hash: bytes
    last_id: int
    last_hash: bytes
    before_last: bytes
    """The hash before the last record's (its prev_hash)."""
    length: int
    """How many records."""


class Odd(NamedTuple):
    """A record the main walk checks itself, in order: whatever is out of the ordinary."""

    row: RecordRow


class RangeResult(NamedTuple):
    """What a worker found in its range: runs and odd records in id order, and the suspects."""

    items: list[Run | Odd]
    suspects: set[str]


class RangeFailure(NamedTuple):
    """The error a worker met opening or reading the file, re-raised in the main process as
    the same kind of error (`sqlite`: an sqlite3 error; `log`: a LogError) with its message."""

    kind: str
    message: str
    errorname: str


def plain_alert_record(kind: str, payload: str, entity: str) -> bool:
    """For an intact record of an alert (its hash recomputes: the payload is the canonical text
    the writer made of a record it checked), whether `fold` reads it plainly: one of the three
    alert kinds (not a carry), its alert_id its entity's. Canonical text sorts "alert_id" first
    among these kinds' fields, so the text starts with it; found once, it is the only one. An
    alert_received of format 2 (terminal/log/compact.py) starts with its format and alert_id."""
    if kind not in ALERT_KINDS:
        return False
    key = encode_basestring_ascii(entity[len(ALERT_PREFIX) :])
    if payload.startswith(_COMPACT_HEAD):
        return kind == ALERT_RECEIVED and payload.startswith(f"{_COMPACT_HEAD}{key},")
    head = '{"alert_id":' + key
    return (
        payload.startswith(head)
        and payload[len(head) : len(head) + 1] in (",", "}")
        and payload.count('"alert_id":') == 1
    )


def intact_plain(row: RecordRow, base_id: int) -> bool:
    """Whether a record passes on its own: past the retention base, of a plain kind, with an
    entity column exactly when its kind has one, and its hash recomputes (from its own
    prev_hash: whether it chains to the record before is the caller's test)."""
    rid, kind, utc_ms, payload, prev_hash, digest, entity = row
    return (
        rid > base_id
        and kind in PLAIN_KINDS
        and (entity is not None) == (kind in ENTITY_KINDS)
        and record_hash(prev_hash, rid, kind, utc_ms, payload) == digest
    )


def suspect_alert(kind: str, payload: str, entity: str | None) -> str | None:
    """For an intact record, the alert it belongs to when `fold` must read that alert again
    (the record is not a plain one of it: `plain_alert_record`), else None."""
    if (
        entity is not None
        and entity.startswith(ALERT_PREFIX)
        and not plain_alert_record(kind, payload, entity)
    ):
        return entity[len(ALERT_PREFIX) :]
    return None


def check_rows(rows: Iterable[RecordRow], base_id: int) -> RangeResult:
    """Check each record on its own and group them into runs (pure: rows in id order)."""
    items: list[Run | Odd] = []
    suspects: set[str] = set()
    first_id: int | None = None
    first_prev = first_hash = last_hash = before = b""
    last_id = count = 0
    for row in rows:
        rid, kind, utc_ms, payload, prev_hash, digest, entity = row
        if intact_plain(row, base_id):
            if first_id is not None and rid == last_id + 1 and prev_hash == last_hash:
                count += 1
                before = last_hash
            else:
                if first_id is not None:
                    items.append(Run(first_id, first_prev, first_hash, last_id, last_hash,
                                     before, count))  # fmt: skip
                first_id, first_prev, first_hash, count = rid, prev_hash, digest, 1
                before = prev_hash
            last_id, last_hash = rid, digest
            if (suspect := suspect_alert(kind, payload, entity)) is not None:
                suspects.add(suspect)
            continue
        if first_id is not None:
            items.append(Run(first_id, first_prev, first_hash, last_id, last_hash, before, count))
            first_id = None
        items.append(Odd((rid, kind, utc_ms, payload, bytes(prev_hash), bytes(digest), entity)))
    if first_id is not None:
        items.append(Run(first_id, first_prev, first_hash, last_id, last_hash, before, count))
    return RangeResult(items, suspects)


def check_range(path: Path, lo: int, hi: int, base_id: int) -> RangeResult:
    """Read records lo..hi on a read-only connection of their own (one statement: one
    snapshot) and check them."""
    conn = db.connect_ro(path)
    try:
        return check_rows(conn.execute(RANGE_QUERY, (lo, hi)), base_id)
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    """The worker process: check the range given, write the pickled result to stdout."""
    path, lo, hi, base_id = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    result: RangeResult | RangeFailure
    try:
        result = check_range(path, lo, hi, base_id)
    except sqlite3.Error as exc:
        result = RangeFailure("sqlite", str(exc), getattr(exc, "sqlite_errorname", "") or "")
    except LogError as exc:
        result = RangeFailure("log", str(exc), "")
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0
