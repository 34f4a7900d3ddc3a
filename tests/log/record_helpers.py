"""Helpers for the signed-record tests: a signed log made by the real writer, and the insider's
rewrite (change a record, recompute every later hash, the head in meta and the table row)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from terminal.log import LogWriter, records
from terminal.log.chain import canonical, record_hash
from terminal.log.checkpoint import Checkpointer
from terminal.log.rows import ALERT_COLUMNS, Record, fold_alert
from terminal.log.signing import Signer, generate

T0 = 1_778_310_000_000


def alert(n: int) -> records.Entry:
    """Alert n of a test run."""
    return records.alert_received(
        {"hsep_m": 1000.0 + n, "vsep_ft": 500},
        boot_id="B1",
        alert_seq=n,
        pair_id=f"P{n % 7}",
        severity="warning",
        consistent=True,
    )


def signed_log(
    db_path: Path, key: Path, alerts: int = 250, every: int = 100, desk: str = "AOC/DESK-1"
) -> Signer:
    """A log of `alerts` alerts written by the real writer, signing every `every` records with the
    key file `key` (made if missing), closed cleanly (so its head is signed)."""
    if not key.exists():
        generate(key)
    checkpoints = Checkpointer.from_file(key, every_records=every, every_s=3600, desk=desk)
    writer = LogWriter.open(db_path, checkpoints=checkpoints)
    try:
        for n in range(1, alerts + 1):
            writer.submit(*alert(n), utc_ms=T0 + n * 1000).result(10)
    finally:
        assert writer.close(10)
    return checkpoints.signer


def rows(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def rewrite(db_path: Path, record_id: int, change: dict[str, object]) -> None:
    """The insider's attack: change one record's payload, then recompute the hash and prev_hash
    of it and every record after it, the head in `meta`, and (for an alert) its `alerts` row, so
    that the file on its own verifies."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        kind, utc_ms, text = conn.execute(
            "SELECT kind, utc_ms, payload FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        payload = {**json.loads(text), **change}
        conn.execute("UPDATE records SET payload = ? WHERE id = ?", (canonical(payload), record_id))
        recompute_from(conn, record_id)
        if kind == records.ALERT_RECEIVED:
            row = fold_alert(None, Record(record_id, kind, utc_ms, payload))
            assert row is not None
            assigns = ", ".join(f"{c} = ?" for c in ALERT_COLUMNS)
            conn.execute(f"UPDATE alerts SET {assigns} WHERE rid = ?", (*row, record_id))
        conn.execute("COMMIT")
    finally:
        conn.close()


def recompute_from(conn: sqlite3.Connection, record_id: int) -> None:
    """Recompute the chain from `record_id` on, and the head in meta."""
    prev = conn.execute("SELECT hash FROM records WHERE id = ?", (record_id - 1,)).fetchone()
    last = bytes(prev[0]) if prev else bytes(32)
    head_id = record_id - 1
    for rid, kind, utc_ms, text in conn.execute(
        "SELECT id, kind, utc_ms, payload FROM records WHERE id >= ? ORDER BY id", (record_id,)
    ).fetchall():
        digest = record_hash(last, rid, kind, utc_ms, text)
        conn.execute("UPDATE records SET prev_hash = ?, hash = ? WHERE id = ?", (last, digest, rid))
        last, head_id = digest, rid
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head_id'", (head_id,))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head_hash'", (last,))


def truncate(db_path: Path, after_id: int) -> None:
    """Cut every record after `after_id` and set the head in meta to match (a careful cut)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM records WHERE id > ?", (after_id,))
        conn.execute("DELETE FROM alerts WHERE rid > ?", (after_id,))
        digest = conn.execute("SELECT hash FROM records WHERE id = ?", (after_id,)).fetchone()[0]
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head_id'", (after_id,))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head_hash'", (digest,))
        conn.execute("COMMIT")
    finally:
        conn.close()


def checkpoint_ids(db_path: Path) -> list[int]:
    """The ids of the signed checkpoints, in order."""
    found = rows(db_path, "SELECT id FROM records WHERE kind = 'signed_checkpoint' ORDER BY id")
    return [int(str(r[0])) for r in found]
