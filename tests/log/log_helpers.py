"""Shared helpers for the log tests: a sample session and direct SQL access for tampering."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from terminal.log import LogStore, records

T0 = 1_778_310_000_000  # 2026-05-09T07:00:00Z
"""Sample records start here (away from zero, so no test leans on utc_ms == 0)."""


def sample_session(store: LogStore, start: int = T0, prefix: str = "") -> list[int]:
    """Two calls, three alerts and some journal lines; return the record ids written."""
    entries = [
        (records.journal_event("RingReceived", {"at": 1.5}), 0),
        (records.call_started(f"{prefix}c1", "incoming", "OP-A"), 0),
        (records.call_answered(f"{prefix}c1", "OP-A"), 2_000),
        (records.transmission(f"{prefix}c1", 4_500, "OP-A", "PTT"), 8_000),
        (records.transmission(f"{prefix}c1", 1_250, "OP-A", "TOT"), 12_000),
        (records.call_note(f"{prefix}c1", "OP-A", "far end confirms line"), 13_000),
        (records.call_recording(f"{prefix}c1", "rec/c1.wav"), 14_000),
        (records.call_ended(f"{prefix}c1", "answered", "OP-A"), 15_000),
        (records.journal_effect("CallEnded", {"outcome": "answered"}), 15_000),
        (
            records.alert_received(
                {"range_m": 1200.5, "tracks": ["A1", "B7"], "cpa_s": 42},
                boot_id=f"{prefix}boot1",
                alert_seq=1,
                pair_id="A1/B7",
                severity="warning",
                consistent=True,
            ),
            20_000,
        ),
        (
            records.alert_received(
                {"range_m": 300.0, "line": "DL-2"},
                boot_id=f"{prefix}boot1",
                alert_seq=2,
                pair_id="A1/LINE",
                severity="critical",
                consistent=False,
            ),
            21_000,
        ),
        (records.alert_acknowledged(f"{prefix}boot1:1", "OP-A"), 25_000),
        (records.call_started(f"{prefix}c2", "outgoing", "OP-B"), 30_000),
        (records.call_ended(f"{prefix}c2", "no_answer", None), 75_000),
        (records.alert_closed(f"{prefix}boot1:1", "cleared"), 80_000),
        (
            records.alert_received(
                {},
                boot_id=f"{prefix}boot2",
                alert_seq=1,
                pair_id="C3/D4",
                severity="advisory",
                consistent=True,
            ),
            90_000,
        ),
    ]
    ids = []
    for (kind, payload), offset in entries:
        ids.append(store.write(kind, payload, start + offset))
    return ids


def sql(path: Path, statement: str, params: tuple[object, ...] = ()) -> None:
    """Run one statement on the file from outside the log code (an attacker's view)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(statement, params)
    finally:
        conn.close()


def fetch(path: Path, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of a query, on a separate plain connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()
