"""Tamper evidence: editing, deleting or inserting a record or a row is detected and located."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from log_helpers import T0, fetch, sample_session, sql

from terminal.log import LogStore, records, verify
from terminal.log.chain import record_hash


@pytest.fixture
def session(store: LogStore) -> list[int]:
    return sample_session(store)


def first(path: Path) -> str:
    report = verify(path)
    assert not report.ok
    return str(report.first)


def test_an_untouched_log_verifies(store: LogStore, session: list[int]) -> None:
    report = verify(store.path)
    assert report.ok, report.problems
    assert (report.records, report.calls, report.alerts) == (len(session), 2, 3)
    assert report.integrity == "ok"
    assert report.head_id == session[-1]


def test_an_empty_log_verifies(store: LogStore) -> None:
    assert verify(store.path).ok


def test_an_edited_payload_is_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE records SET payload = replace(payload, 'OP-A', 'OP-X') WHERE id = 3")
    assert first(store.path) == "record 3: altered: its content does not match its hash"


def test_an_edited_time_is_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE records SET utc_ms = utc_ms + 1 WHERE id = 8")
    assert first(store.path).startswith("record 8: altered")


def test_an_edit_with_a_recomputed_hash_is_located(store: LogStore, session: list[int]) -> None:
    rid, kind, utc_ms, _, prev = fetch(
        store.path, "SELECT id, kind, utc_ms, payload, prev_hash FROM records WHERE id = 5"
    )[0]
    forged = '{"call_id":"c1","duration_ms":1,"operator":"OP-A","reason":"PTT"}'
    digest = record_hash(bytes(prev), int(rid), str(kind), int(utc_ms), forged)  # type: ignore[arg-type]
    sql(store.path, "UPDATE records SET payload = ?, hash = ? WHERE id = 5", (forged, digest))
    assert first(store.path).startswith("record 5: altered (its hash was rewritten)")


def test_a_deleted_record_is_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "DELETE FROM records WHERE id = 6")
    assert first(store.path) == "record 6: removed (record 6 missing before 7)"


def test_deleted_records_at_the_start_are_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "DELETE FROM records WHERE id <= 2")
    assert first(store.path) == "record 1: removed (records 1..2 missing before 3)"


def test_a_deleted_last_record_is_located(store: LogStore, session: list[int]) -> None:
    last = session[-1]
    sql(store.path, "DELETE FROM records WHERE id = ?", (last,))
    assert first(store.path).startswith(f"record {last}: removed")


def test_a_record_appended_behind_the_writers_back_is_located(
    store: LogStore, session: list[int]
) -> None:
    last_id, last_hash = store.tail()
    text = '{"data":{},"name":"Forged","stream":"event"}'
    digest = record_hash(last_hash, last_id + 1, "journal", T0, text)
    sql(
        store.path,
        "INSERT INTO records VALUES (?, 'journal', ?, ?, ?, ?, NULL)",
        (last_id + 1, T0, text, last_hash, digest),
    )
    assert first(store.path).startswith(f"record {last_id + 1}: inserted")


def test_a_record_inserted_in_the_middle_is_located(store: LogStore, session: list[int]) -> None:
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("UPDATE records SET id = -id WHERE id >= 4")  # make room, keeping ids unique
    conn.execute("UPDATE records SET id = 1 - id WHERE id < 0")
    prev = conn.execute("SELECT hash FROM records WHERE id = 3").fetchone()[0]
    text = '{"data":{},"name":"Forged","stream":"event"}'
    digest = record_hash(bytes(prev), 4, "journal", T0 + 3_000, text)
    conn.execute(
        "INSERT INTO records VALUES (4, 'journal', ?, ?, ?, ?, NULL)",
        (T0 + 3_000, text, prev, digest),
    )
    conn.close()
    assert first(store.path).startswith("record 4: inserted")


def test_an_edited_calls_row_is_named(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE calls SET outcome = 'missed' WHERE call_id = 'c1'")
    message = first(store.path)
    assert "calls: row 'c1' was altered" in message
    assert "outcome is 'missed' in the table but 'answered' in the records" in message


def test_a_deleted_alerts_row_is_named(store: LogStore, session: list[int]) -> None:
    sql(store.path, "DELETE FROM alerts WHERE alert_id = 'boot1:2'")
    assert "alert 'boot1:2' is missing from the table" in first(store.path)


def test_an_inserted_alerts_row_is_named(store: LogStore, session: list[int]) -> None:
    sql(
        store.path,
        "INSERT INTO alerts SELECT rid + 1000, 'boot9:9', boot_id, alert_seq, pair_id, severity, "
        "consistent, received_utc_ms, fields, NULL, NULL, NULL, NULL FROM alerts LIMIT 1",
    )
    assert "row 'boot9:9' was inserted: no record says so" in first(store.path)


def test_a_moved_entity_column_is_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE records SET entity = 'call:c2' WHERE id = 3")
    assert first(store.path) == "record 3: altered: its entity column does not match it"


def test_a_hidden_entity_column_is_located(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE records SET entity = NULL WHERE id = 3")
    assert first(store.path).startswith("record 3: altered: its entity column")


def test_an_edited_head_is_detected(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE meta SET value = zeroblob(32) WHERE key = 'head_hash'")
    assert first(store.path).endswith("altered: it is not the head that was committed")


KINDS_OF_TAMPER = ("payload", "delete", "utc")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    calls=st.integers(min_value=1, max_value=6),
    victim=st.integers(min_value=0),
    tamper=st.sampled_from(KINDS_OF_TAMPER),
)
def test_any_single_tamper_is_located(
    tmp_path_factory: pytest.TempPathFactory, calls: int, victim: int, tamper: str
) -> None:
    path = tmp_path_factory.mktemp("log") / "hotline.db"
    store = LogStore.open(path, check=False)
    for n in range(calls):
        store.write(*records.call_started(f"c{n}", "incoming", "OP"), T0 + n)
        store.write(*records.journal_event("Tick", {"n": n}), T0 + n)
        store.write(*records.call_ended(f"c{n}", "missed", None), T0 + n + 1)
    last = store.tail()[0]
    store.close()
    assert verify(path).ok
    rid = 1 + victim % (last - 1)  # never the last: removing that one is a separate case
    if tamper == "payload":
        sql(path, "UPDATE records SET payload = payload || ' ' WHERE id = ?", (rid,))
    elif tamper == "delete":
        sql(path, "DELETE FROM records WHERE id = ?", (rid,))
    else:
        sql(path, "UPDATE records SET utc_ms = utc_ms - 1 WHERE id = ?", (rid,))
    report = verify(path)
    assert report.first is not None and report.first.record_id == rid
