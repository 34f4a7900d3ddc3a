"""Verify with its SQL checks beside the chain walk: the report is the one the checks in turn
would give, whichever thread finishes first, on one snapshot of the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from log_helpers import T0, fetch, sample_session, sql

from terminal.log import LogStore, db, records, verify
from terminal.log.side import begin_together
from terminal.log.verify import MAX_PROBLEMS, VerifyReport, verify_connection

INTEGRITY = "SQLite integrity check failed: "


@pytest.fixture
def session(store: LogStore) -> list[int]:
    ids = sample_session(store)
    sql(store.path, "CREATE TABLE scratch (n INTEGER PRIMARY KEY, pad TEXT)")
    for n in range(40):  # a table verify never reads; quick_check reads every page
        sql(store.path, "INSERT INTO scratch VALUES (?, ?)", (n, "s" * 300))
    return ids


def damage_scratch(store: LogStore) -> None:
    """Scribble over the cells of the scratch table's root page (the records stay readable)."""
    root = int(fetch(store.path, "SELECT rootpage FROM sqlite_schema WHERE name = 'scratch'")[0][0])  # type: ignore[call-overload]
    page = int(fetch(store.path, "PRAGMA page_size")[0][0])  # type: ignore[call-overload]
    store.close()  # the last connection checkpoints the WAL into the file
    data = bytearray(store.path.read_bytes())
    start = (root - 1) * page
    for offset in range(start + 8, start + page, 3):
        data[offset] = 0xA5
    store.path.write_bytes(bytes(data))


def in_turn(path: Path) -> VerifyReport:
    """Every check on one connection, one after another (the order docs/log.md gives)."""
    conn = db.connect_ro(path)
    try:
        conn.execute("BEGIN")
        return verify_connection(conn, str(path), integrity=True)
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def same(a: VerifyReport, b: VerifyReport) -> None:
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert (a.problem_count, a.integrity, a.records, a.head_id, a.head_hash, a.calls, a.alerts) == (
        b.problem_count, b.integrity, b.records, b.head_id, b.head_hash, b.calls, b.alerts
    )  # fmt: skip


def test_a_damaged_page_is_reported_while_the_chain_is_fine(
    store: LogStore, session: list[int]
) -> None:
    damage_scratch(store)
    report = verify(store.path)
    assert not report.ok
    assert str(report.first).startswith(INTEGRITY)
    assert report.integrity != "ok"
    assert report.problem_count == 1
    assert (report.records, report.calls, report.alerts) == (len(session), 2, 3)
    same(report, in_turn(store.path))


def test_a_chain_break_is_reported_while_quick_check_is_fine(
    store: LogStore, session: list[int]
) -> None:
    sql(store.path, "UPDATE records SET payload = replace(payload, 'OP-A', 'OP-X') WHERE id = 3")
    report = verify(store.path)
    assert report.integrity == "ok"
    assert str(report.first) == "record 3: altered: its content does not match its hash"
    same(report, in_turn(store.path))


def test_a_row_found_by_the_side_check_is_reported(store: LogStore, session: list[int]) -> None:
    sql(store.path, "UPDATE alerts SET acked_by = 'OP-Z' WHERE alert_id = 'boot1:1'")
    report = verify(store.path)
    assert report.integrity == "ok"
    assert str(report.first).startswith("alerts: row 'boot1:1' was altered: acked_by is 'OP-Z'")
    same(report, in_turn(store.path))


def test_the_integrity_problem_stays_first_of_the_rows_and_within_the_kept_ones(
    store: LogStore, session: list[int]
) -> None:
    rid = int(fetch(store.path, "SELECT max(rid) FROM alerts")[0][0])  # type: ignore[call-overload]
    for n in range(MAX_PROBLEMS + 20):  # more row problems than the report keeps
        sql(store.path, "INSERT INTO alerts (rid, alert_id, received_utc_ms) VALUES (?, ?, ?)",
            (rid + 1000 + n, f"bogus:{n}", T0))  # fmt: skip
    sql(store.path, "UPDATE records SET utc_ms = utc_ms + 1 WHERE id = 8")
    damage_scratch(store)
    report = verify(store.path)
    assert report.problem_count >= MAX_PROBLEMS + 22
    assert len(report.problems) == MAX_PROBLEMS
    assert str(report.problems[0]).startswith("record 8: altered")
    assert str(report.problems[1]).startswith(INTEGRITY)
    assert str(report.problems[2]).startswith("calls: row 'c1' was altered")
    assert "was inserted: no record says so" in str(report.problems[-1])
    same(report, in_turn(store.path))


def test_without_the_integrity_check_nothing_else_changes(
    store: LogStore, session: list[int]
) -> None:
    damage_scratch(store)
    report = verify(store.path, integrity=False)
    assert report.ok and report.integrity == "not checked"


class CommitsOnBegin(sqlite3.Connection):
    """A side connection whose BEGIN is followed at once by a commit of the desk's."""

    store: LogStore

    def execute(self, statement: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = super().execute(statement, *args)
        if statement == "BEGIN":
            self.store.write(*records.journal_event("Tick", {"n": 1}), T0 + 99_000)
        return cursor


def test_a_commit_between_the_snapshots_is_noticed(store: LogStore, session: list[int]) -> None:
    main = db.connect_ro(store.path)
    side = sqlite3.connect(store.path, isolation_level=None, factory=CommitsOnBegin)
    side.store = store  # type: ignore[attr-defined]
    try:
        assert not begin_together(main, [side])
        for conn in (main, side):
            conn.execute("ROLLBACK")
        quiet = db.connect_ro(store.path)
        try:
            assert begin_together(main, [quiet])
            store.write(*records.journal_event("Tick", {"n": 2}), T0 + 99_500)
            heads = [c.execute("SELECT max(id) FROM records").fetchone() for c in (main, quiet)]
            assert heads[0] == heads[1] == (len(session) + 1,)
        finally:
            quiet.close()
    finally:
        main.close()
        side.close()


def test_a_desk_writing_all_along_still_verifies(
    store: LogStore, session: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verify while the store commits between every start it makes: it falls back to one
    connection and still checks everything (the side checks never saw another snapshot)."""
    CommitsOnBegin.store = store
    original = db.connect_ro

    def busy(path: Path) -> sqlite3.Connection:
        conn = original(path)
        side = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, factory=CommitsOnBegin
        )
        conn.close()
        return side

    report_before = verify(store.path)
    assert report_before.ok
    monkeypatch.setattr(db, "connect_ro", busy)
    report = verify(store.path)
    assert report.ok, report.problems
    assert report.integrity == "ok"
    assert report.head_id > report_before.head_id
