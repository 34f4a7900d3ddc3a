"""Verify with the records' hashes checked in worker processes by id range: the report is the
one the walk in one process gives, whatever is tampered with and wherever the ranges split."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from log_helpers import T0, fetch, sample_session, sql
from test_log_retention import old_and_new, retention_stopped_after

from terminal.cli import main
from terminal.log import (
    LogError,
    LogStore,
    LogWriter,
    archive_old,
    db,
    records,
    retain,
    verify,
    verify_pool,
)
from terminal.log.chain import record_hash
from terminal.log.checkpoint import Checkpointer
from terminal.log.records import SIGNED_CHECKPOINT
from terminal.log.retention import DAY_MS
from terminal.log.seals import SealCheck
from terminal.log.signing import Signer
from terminal.log.verify import Trust, VerifyReport, _check_chain
from terminal.log.verify_pool import RangeWorkers, split, worker_count
from terminal.log.verify_range import (
    RANGE_QUERY,
    Odd,
    RangeFailure,
    RangeResult,
    Run,
    check_rows,
)

WORKERS = (2, 3, 5)


def fill(store: LogStore, sessions: int = 3) -> int:
    """Several sample sessions (calls, alerts, journal lines); return the last id."""
    for n in range(sessions):
        sample_session(store, start=T0 + n * 100_000, prefix=f"s{n}-")
    return store.tail()[0]


def summary(report: VerifyReport) -> tuple[Any, ...]:
    """Everything a report says."""
    return (
        [str(p) for p in report.problems],
        report.problem_count,
        report.integrity,
        report.records,
        report.first_id,
        report.head_id,
        report.head_hash,
        report.calls,
        report.alerts,
        report.notes,
        report.signed,
        report.pending,
        report.base_id,
    )


def same_with_workers(path: Path, **kwargs: Any) -> VerifyReport:
    """Verify in one process and with each worker count; all must say the same."""
    alone = verify(path, workers=1, **kwargs)
    for n in WORKERS:
        assert summary(verify(path, workers=n, **kwargs)) == summary(alone), n
    return alone


def ranges_of(path: Path, workers: int) -> list[tuple[int, int]]:
    lo, hi = fetch(path, "SELECT min(id), max(id) FROM records")[0]
    return split(int(lo), int(hi), workers)  # type: ignore[call-overload]


def forge(path: Path, rid: int, prev: bytes) -> None:
    """Give record `rid` another prev_hash and recompute its hash (intact on its own)."""
    _, kind, utc_ms, payload = fetch(
        path, "SELECT id, kind, utc_ms, payload FROM records WHERE id = ?", (rid,)
    )[0]
    digest = record_hash(prev, rid, str(kind), int(utc_ms), str(payload))  # type: ignore[call-overload]
    sql(path, "UPDATE records SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))


def test_the_ranges_cover_every_id_once() -> None:
    assert split(1, 10, 3) == [(1, 3), (4, 6), (7, 10)]
    assert split(5, 6, 4) == [(5, 5), (6, 6)]
    assert split(1, 1_000_000, 2) == [(1, 500_000), (500_001, 1_000_000)]


def test_the_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(verify_pool.WORKERS_ENV, raising=False)
    assert worker_count(10) == 1  # a small log: the walk in one process
    assert worker_count(verify_pool.PARALLEL_MIN_RECORDS) == verify_pool.cores()
    assert worker_count(10, forced=3) == 3
    monkeypatch.setenv(verify_pool.WORKERS_ENV, "4")
    assert worker_count(10) == 4
    assert worker_count(10, forced=1) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(verify_pool.WORKERS_ENV, bad)
        with pytest.raises(LogError, match=verify_pool.WORKERS_ENV):
            worker_count(10)


def test_an_untouched_log_verifies_the_same(store: LogStore) -> None:
    last = fill(store)
    report = same_with_workers(store.path)
    assert report.ok and report.records == last and report.head_id == last


def test_the_workers_really_check_the_ranges(
    store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store)
    seen: list[list[tuple[int, int]]] = []
    real = RangeWorkers.__init__

    def spy(self: RangeWorkers, path: Path, ranges: list[tuple[int, int]], base: int) -> None:
        seen.append(ranges)
        real(self, path, ranges, base)

    monkeypatch.setattr(RangeWorkers, "__init__", spy)
    assert verify(store.path, workers=3).ok
    assert seen == [ranges_of(store.path, 3)]
    assert verify(store.path, workers=1).ok
    assert len(seen) == 1  # one worker: no process started


@pytest.mark.parametrize("where", ["middle", "first", "last"])
def test_a_tampered_record_in_a_range_is_named(store: LogStore, where: str) -> None:
    fill(store)
    lo, hi = ranges_of(store.path, 3)[1]
    rid = {"middle": (lo + hi) // 2, "first": lo, "last": hi}[where]
    sql(store.path, "UPDATE records SET payload = payload || ' ' WHERE id = ?", (rid,))
    report = same_with_workers(store.path)
    assert str(report.first) == f"record {rid}: altered: its content does not match its hash"


def test_a_link_broken_at_a_range_boundary_is_named(store: LogStore) -> None:
    fill(store)
    lo = ranges_of(store.path, 3)[1][0]
    forge(store.path, lo, bytes(32))
    report = same_with_workers(store.path)
    assert str(report.first) == (
        f"record {lo - 1}: altered (its hash was rewritten): record {lo} is chained to another"
    )


def test_a_record_removed_at_a_range_boundary_is_named(store: LogStore) -> None:
    fill(store)
    lo = ranges_of(store.path, 3)[2][0]
    sql(store.path, "DELETE FROM records WHERE id = ?", (lo,))
    report = same_with_workers(store.path)
    assert str(report.first) == f"record {lo}: removed (record {lo} missing before {lo + 1})"


def test_a_last_range_cut_short_is_named(store: LogStore) -> None:
    last = fill(store)
    sql(store.path, "DELETE FROM records WHERE id >= ?", (last - 2,))
    report = same_with_workers(store.path)
    gone = f"(records {last - 2}... gone)"
    assert str(report.first) == f"record {last - 2}: removed: the log ended at record {last} {gone}"


def _payload(path: Path) -> None:
    sql(path, "UPDATE records SET payload = replace(payload, 'OP-A', 'OP-X') WHERE id = 3")


def _time(path: Path) -> None:
    sql(path, "UPDATE records SET utc_ms = utc_ms + 1 WHERE id = 30")


def _rehashed(path: Path) -> None:
    rid, kind, utc_ms, _, prev = fetch(
        path, "SELECT id, kind, utc_ms, payload, prev_hash FROM records WHERE id = 21"
    )[0]
    forged = '{"call_id":"c1","duration_ms":1,"operator":"OP-A","reason":"PTT"}'
    digest = record_hash(bytes(prev), int(rid), str(kind), int(utc_ms), forged)  # type: ignore[arg-type, call-overload]
    sql(path, "UPDATE records SET payload = ?, hash = ? WHERE id = 21", (forged, digest))


def _inserted(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE records SET id = -id WHERE id >= 20")
    conn.execute("UPDATE records SET id = 1 - id WHERE id < 0")
    prev = conn.execute("SELECT hash FROM records WHERE id = 19").fetchone()[0]
    text = '{"data":{},"name":"Forged","stream":"event"}'
    digest = record_hash(bytes(prev), 20, "journal", T0 + 3_000, text)
    conn.execute(
        "INSERT INTO records VALUES (20, 'journal', ?, ?, ?, ?, NULL)",
        (T0 + 3_000, text, prev, digest),
    )
    conn.close()


def _appended(path: Path) -> None:
    last_id, last_hash = fetch(path, "SELECT id, hash FROM records ORDER BY id DESC LIMIT 1")[0]
    text = '{"data":{},"name":"Forged","stream":"event"}'
    digest = record_hash(bytes(last_hash), int(last_id) + 1, "journal", T0, text)  # type: ignore[arg-type, call-overload]
    sql(
        path,
        "INSERT INTO records VALUES (?, 'journal', ?, ?, ?, ?, NULL)",
        (int(last_id) + 1, T0, text, last_hash, digest),  # type: ignore[call-overload]
    )


TAMPERS: dict[str, Callable[[Path], None]] = {
    "payload": _payload,
    "time": _time,
    "rehashed": _rehashed,
    "inserted": _inserted,
    "appended": _appended,
    "deleted": lambda p: sql(p, "DELETE FROM records WHERE id = 6"),
    "deleted first": lambda p: sql(p, "DELETE FROM records WHERE id <= 2"),
    "deleted run": lambda p: sql(p, "DELETE FROM records WHERE id BETWEEN 15 AND 33"),
    "calls row": lambda p: sql(p, "UPDATE calls SET outcome = 'missed' WHERE call_id = 's1-c1'"),
    "alerts row": lambda p: sql(p, "DELETE FROM alerts WHERE alert_id = 's2-boot1:2'"),
    "moved entity": lambda p: sql(p, "UPDATE records SET entity = 'call:s0-c2' WHERE id = 27"),
    "hidden entity": lambda p: sql(p, "UPDATE records SET entity = NULL WHERE id = 27"),
    "unknown kind": lambda p: sql(p, "UPDATE records SET kind = 'mystery' WHERE id = 9"),
    "head": lambda p: sql(p, "UPDATE meta SET value = zeroblob(32) WHERE key = 'head_hash'"),
    "every payload": lambda p: sql(p, "UPDATE records SET payload = payload || ' '"),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_every_tamper_gives_the_same_report_with_workers(store: LogStore, tamper: str) -> None:
    fill(store)
    TAMPERS[tamper](store.path)
    report = same_with_workers(store.path)
    assert not report.ok


def test_a_retention_checkpoint_and_records_awaiting_removal_give_the_same_report(
    store: LogStore, tmp_path: Path
) -> None:
    old_and_new(store)
    fill(store)
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    retention_stopped_after(store, archive, 2)  # the checkpoint committed, nothing removed yet
    report = same_with_workers(store.path)
    assert report.ok and report.pending == 19, report.problems
    sql(store.path, "UPDATE records SET payload = payload || ' ' WHERE id = 19")
    assert str(same_with_workers(store.path).first).startswith("record 19: altered")
    sql(store.path, "UPDATE records SET payload = payload || ' ' WHERE id = 25")
    assert not same_with_workers(store.path).ok


def test_signed_checkpoints_give_the_same_report(db_path: Path) -> None:
    signer = Signer.new()
    writer = LogWriter.open(
        db_path,
        checkpoints=Checkpointer(signer, every_records=7, every_s=3600.0, desk="T/DESK"),
    )
    for n in range(60):
        writer.submit(*records.journal_event("Tick", {"n": n}), T0 + n).result()
    writer.close()
    trust = Trust([signer.public])
    report = same_with_workers(db_path, trust=trust)
    assert report.ok and report.signed >= 8
    found = fetch(db_path, "SELECT max(id) FROM records WHERE kind = ?", (SIGNED_CHECKPOINT,))
    sql(db_path, "UPDATE records SET payload = payload || ' ' WHERE id = ?", (found[0][0],))
    assert not same_with_workers(db_path, trust=trust).ok


def test_a_record_appended_during_verify_is_left_out(
    store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = fill(store)
    real = RangeWorkers.__init__

    def append_first(
        self: RangeWorkers, path: Path, ranges: list[tuple[int, int]], base: int
    ) -> None:
        for n in range(5):  # committed after verify's snapshot, before its workers read
            store.write(*records.journal_event("Late", {"n": n}), T0 + n)
        real(self, path, ranges, base)

    monkeypatch.setattr(RangeWorkers, "__init__", append_first)
    report = verify(store.path, workers=3)
    assert report.ok, report.problems
    assert (report.records, report.head_id) == (last, last)
    monkeypatch.undo()
    assert verify(store.path, workers=3).records == last + 5


def test_a_retention_run_during_verify_is_not_taken_for_tampering(
    store: LogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention deletes the oldest records after verify took its snapshot: the workers do not
    see them, the main walk still does (its read transaction keeps them) and checks them."""
    old_and_new(store)
    fill(store)
    before = verify(store.path, workers=1)
    assert before.ok and before.first_id == 1
    real = RangeWorkers.__init__

    def retain_first(
        self: RangeWorkers, path: Path, ranges: list[tuple[int, int]], base: int
    ) -> None:
        assert retain(store, 30, tmp_path / "archive", utc_ms=T0) is not None
        real(self, path, ranges, base)

    monkeypatch.setattr(RangeWorkers, "__init__", retain_first)
    during = verify(store.path, workers=3)
    assert summary(during) == summary(before)
    assert fetch(store.path, "SELECT min(id) FROM records") == [(20,)]  # it did delete


def test_a_worker_that_dies_is_an_error_not_a_hang(
    store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store)
    monkeypatch.setattr(
        verify_pool, "_BOOT", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    )
    with pytest.raises(
        LogError, match=r"verify's worker for records \d+\.\.\d+ ended with signal 9"
    ):
        verify(store.path, workers=2)
    monkeypatch.setattr(verify_pool, "_BOOT", "import sys; sys.stdout.write('garbage')")
    with pytest.raises(LogError, match="nothing was concluded"):
        verify(store.path, workers=2)
    monkeypatch.setattr(verify_pool, "_BOOT", "raise SystemExit('out of memory')")
    with pytest.raises(LogError, match="exit status 1: out of memory"):
        verify(store.path, workers=2)


def test_a_workers_sqlite_error_is_raised_as_one(tmp_path: Path) -> None:
    workers = RangeWorkers.__new__(RangeWorkers)
    workers.path = tmp_path / "x.db"
    damaged = pickle.dumps(
        RangeFailure("sqlite", "database disk image is malformed", "SQLITE_CORRUPT")
    )
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        workers._read(1, 9, 0, damaged, b"")
    gone = pickle.dumps(RangeFailure("log", "there is no log database at x", ""))
    with pytest.raises(LogError, match="there is no log database"):
        workers._read(1, 9, 0, gone, b"")


def test_runs_and_odd_records_of_a_range() -> None:
    def row(rid: int, prev: bytes, kind: str = "journal") -> tuple[Any, ...]:
        payload = '{"data":{},"name":"T","stream":"event"}'
        return (rid, kind, T0, payload, prev, record_hash(prev, rid, kind, T0, payload), None)

    r1 = row(1, bytes(32))
    r2 = row(2, r1[5])
    r3 = row(3, r2[5], kind="mystery")  # not a plain kind: the main walk checks it
    r4 = row(4, r3[5])
    r6 = row(6, r4[5])  # 5 missing: a new run
    result = check_rows([r1, r2, r3, r4, r6], base_id=0)
    assert result == RangeResult(
        [
            Run(1, bytes(32), r1[5], 2, r2[5], r1[5], 2),
            Odd(r3),  # type: ignore[arg-type]
            Run(4, r3[5], r4[5], 4, r4[5], r3[5], 1),
            Run(6, r4[5], r6[5], 6, r6[5], r4[5], 1),
        ],
        set(),
    )
    assert check_rows([r1, r2], base_id=1).items == [
        Odd(r1),
        Run(2, r1[5], r2[5], 2, r2[5], r1[5], 1),
    ]  # type: ignore[arg-type]


class SeenLess:
    """Workers that read a later snapshot, where some records are gone (retention)."""

    def __init__(self, path: Path, hidden: range) -> None:
        rows = fetch(path, RANGE_QUERY, (0, 1 << 40))
        seen = [row for row in rows if row[0] not in hidden]
        self.ranges = [(int(rows[0][0]), int(rows[-1][0]))]  # type: ignore[call-overload]
        self._results = [check_rows(seen, 0)]  # type: ignore[arg-type]

    def results(self) -> Iterator[RangeResult]:
        return iter(self._results)


def chain_only(path: Path, workers: Any) -> tuple[Any, ...]:
    conn = db.connect_ro(path)
    try:
        conn.execute("BEGIN")
        report = VerifyReport(path=str(path))
        _check_chain(conn, report, SealCheck(None), set(), (0, bytes(32)), workers)
        conn.execute("ROLLBACK")
        return summary(report)
    finally:
        conn.close()


@pytest.mark.parametrize("odd", [False, True])
def test_the_main_walk_checks_the_records_a_worker_did_not_see(store: LogStore, odd: bool) -> None:
    fill(store)
    if odd:  # the first record the worker sees after the gap is one it leaves to the main walk
        sql(store.path, "UPDATE records SET kind = 'mystery' WHERE id = 10")
    sql(store.path, "UPDATE records SET payload = payload || ' ' WHERE id = 7")  # in the gap
    alone = chain_only(store.path, None)
    assert alone[0][0] == "record 7: altered: its content does not match its hash"
    assert chain_only(store.path, SeenLess(store.path, range(1, 10))) == alone
    assert chain_only(store.path, SeenLess(store.path, range(5, 10))) == alone


def test_the_command_says_a_worker_died_and_fails(
    store: LogStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(store)
    monkeypatch.setenv(verify_pool.WORKERS_ENV, "2")
    assert main(["log", "verify", "--db", str(store.path)]) == 0
    assert ": ok: " in capsys.readouterr().out
    monkeypatch.setattr(verify_pool, "_BOOT", "raise SystemExit('killed by the OOM killer')")
    assert main(["log", "verify", "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hotline log: log database {store.path}: verify's worker for records ")
    assert "ended with exit status 1: killed by the OOM killer; nothing was concluded" in err
    monkeypatch.setenv(verify_pool.WORKERS_ENV, "many")
    assert main(["log", "verify", "--db", str(store.path)]) == 1
    assert (
        "HOTLINE_VERIFY_WORKERS must be a whole number >= 1, not 'many'" in capsys.readouterr().err
    )
