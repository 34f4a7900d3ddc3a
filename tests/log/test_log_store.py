"""LogStore: opening, migrations, corruption at start-up, appending and the projections."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from log_helpers import T0, fetch, sample_session

from terminal.log import LogCorruptError, LogSchemaError, LogStore, records
from terminal.log.schema import MIGRATIONS, version


def test_open_creates_a_wal_database_at_the_latest_schema(db_path: Path) -> None:
    store = LogStore.open(db_path)
    try:
        conn = store.conn
        assert version(conn) == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()


def test_a_migration_runs_once_and_bumps_the_version(db_path: Path) -> None:
    LogStore.open(db_path).close()
    calls: list[int] = []

    def v2(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("ALTER TABLE calls ADD COLUMN priority INTEGER")

    for _ in range(2):
        LogStore.open(db_path, migrations=(*MIGRATIONS, v2)).close()
    assert calls == [1]
    assert fetch(db_path, "PRAGMA user_version") == [(len(MIGRATIONS) + 1,)]
    assert ("priority",) in fetch(db_path, "SELECT name FROM pragma_table_info('calls')")


def test_a_failed_migration_leaves_the_old_version(db_path: Path) -> None:
    LogStore.open(db_path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        LogStore.open(db_path, migrations=(*MIGRATIONS, broken))
    assert fetch(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert fetch(db_path, "SELECT name FROM sqlite_schema WHERE name = 'half_done'") == []


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    LogStore.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LogSchemaError, match="newer hotline"):
        LogStore.open(db_path)


def test_garbage_file_names_the_file_and_the_recovery_command(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(LogCorruptError) as caught:
        LogStore.open(path)
    message = str(caught.value)
    assert str(path) in message
    assert ".recover" in message
    assert "hotline log verify --db" in message


def test_damaged_pages_are_caught_at_start_up(db_path: Path) -> None:
    store = LogStore.open(db_path)
    for n in range(300):
        store.write(*records.journal_event("Tick", {"n": n, "pad": "x" * 200}), T0 + n)
    store.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    for offset in range(3 * page, 12 * page, 7):  # scribble over a run of b-tree pages
        data[offset] = 0xA5
    db_path.write_bytes(bytes(data))
    with pytest.raises(LogCorruptError, match=r"\.recover"):
        LogStore.open(db_path)


def test_append_commits_a_batch_with_consecutive_ids(store: LogStore) -> None:
    entries = [records.prepare(*records.journal_event("Tick", {"n": n}), T0 + n) for n in range(5)]
    assert store.append(entries) == [1, 2, 3, 4, 5]
    assert store.append(entries[:2]) == [6, 7]
    assert store.tail()[0] == 7


def test_a_call_is_projected_from_its_records(store: LogStore) -> None:
    sample_session(store)
    rows = fetch(store.path, "SELECT * FROM calls WHERE call_id = 'c1'")
    (
        rid,
        call_id,
        direction,
        operator,
        rung,
        answered,
        answered_by,
        ended,
        outcome,
        ended_by,
        transmissions,
        transmit_ms,
        notes,
        recording,
    ) = rows[0]
    assert (call_id, direction, operator) == ("c1", "incoming", "OP-A")
    assert (rung, answered, ended) == (T0, T0 + 2_000, T0 + 15_000)
    assert (outcome, answered_by, ended_by) == ("answered", "OP-A", "OP-A")
    assert (transmissions, transmit_ms) == (2, 5_750)
    assert json.loads(str(notes)) == [
        {"operator": "OP-A", "text": "far end confirms line", "utc_ms": T0 + 13_000}
    ]
    assert recording == "rec/c1.wav"
    assert rid == 2  # the call_started record


def test_an_alert_is_projected_with_every_field(store: LogStore) -> None:
    sample_session(store)
    rows = fetch(
        store.path,
        "SELECT alert_id, severity, consistent, fields, acked_utc_ms, acked_by, closed_reason "
        "FROM alert_rows ORDER BY rid",
    )
    assert rows[0] == (
        "boot1:1",
        "warning",
        1,
        '{"cpa_s":42,"range_m":1200.5,"tracks":["A1","B7"]}',
        T0 + 25_000,
        "OP-A",
        "cleared",
    )
    assert rows[1][:3] == ("boot1:2", "critical", 0)
    assert rows[1][4] is None
    # the table itself keeps only what the records do not say: the rest is the record's
    slim = "SELECT boot_id, alert_seq, pair_id, severity, consistent, fields FROM alerts"
    assert set(fetch(store.path, slim)) == {(None,) * 6}


def test_repeats_and_strays_change_no_row(store: LogStore) -> None:
    store.write(*records.call_started("c1", "incoming", "OP-A"), T0)
    store.write(*records.call_started("c1", "outgoing", "OP-Z"), T0 + 1)  # second start
    store.write(*records.call_answered("nope", "OP-A"), T0 + 2)  # unknown call
    store.write(*records.call_ended("c1", "missed", None), T0 + 3)
    store.write(*records.call_ended("c1", "answered", None), T0 + 4)  # second end
    store.write(*records.alert_acknowledged("nope:1", "OP-A"), T0 + 5)
    assert fetch(store.path, "SELECT call_id, direction, outcome, ended_utc_ms FROM calls") == [
        ("c1", "incoming", "missed", T0 + 3)
    ]
    assert fetch(store.path, "SELECT count(*) FROM alerts") == [(0,)]
    assert store.tail()[0] == 6  # every record is still in the chain


def test_one_batch_can_touch_the_same_call_many_times(store: LogStore) -> None:
    entries = [
        records.prepare(*records.call_started("c1", "incoming", "OP"), T0),
        records.prepare(*records.transmission("c1", 100, "OP", "PTT"), T0 + 1),
        records.prepare(*records.transmission("c1", 200, "OP", "PTT"), T0 + 2),
        records.prepare(*records.call_ended("c1", "answered", "OP"), T0 + 3),
    ]
    store.append(entries)
    assert fetch(store.path, "SELECT transmissions, transmit_ms, outcome FROM calls") == [
        (2, 300, "answered")
    ]
