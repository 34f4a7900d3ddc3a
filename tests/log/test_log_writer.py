"""LogWriter: committed-then-resolved futures, group commit, and faults that lose nothing."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any

import pytest
from log_helpers import T0, fetch

from terminal.log import LogError, LogStore, LogWriter, RecordError, records, verify


class Faults:
    """Collects on_fault calls; lets a test wait for the next one."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []
        self._changed = threading.Condition()

    def __call__(self, message: str | None) -> None:
        with self._changed:
            self.seen.append(message)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.seen) >= count, timeout), self.seen


def tick(n: int, pad: int = 0) -> tuple[str, dict[str, Any]]:
    return records.journal_event("Tick", {"n": n, "pad": "x" * pad})


def hold(writer: LogWriter) -> threading.Event:
    """Park the writer thread between transactions until the returned event is set."""
    release = threading.Event()
    parked = threading.Event()

    def park(_: LogStore) -> None:
        parked.set()
        release.wait(10)

    writer.call(park)
    assert parked.wait(10)
    return release


def spy_batches(writer: LogWriter, mocker: Any) -> list[int]:
    sizes: list[int] = []
    store: LogStore = writer._store
    real = store.append

    def append(entries: Any) -> list[int]:
        sizes.append(len(entries))
        return real(entries)

    mocker.patch.object(store, "append", side_effect=append)
    return sizes


def test_the_future_gives_the_id_once_committed(db_path: Path) -> None:
    writer = LogWriter.open(db_path)
    try:
        future = writer.submit(*records.call_started("c1", "incoming", "OP"), utc_ms=T0)
        assert future.cancel() is False  # a record cannot be taken back
        record_id = future.result(10)
        assert fetch(db_path, "SELECT id, kind, utc_ms FROM records") == [
            (record_id, "call_started", T0)
        ]
    finally:
        writer.close()


def test_the_engine_can_await_the_commit(db_path: Path) -> None:
    writer = LogWriter.open(db_path, clock=lambda: T0 + 7)

    async def engine() -> int:
        return await asyncio.wrap_future(writer.submit(*tick(1)))

    try:
        assert asyncio.run(engine()) == 1
        assert fetch(db_path, "SELECT utc_ms FROM records") == [(T0 + 7,)]
    finally:
        writer.close()


def test_a_malformed_record_is_refused_at_submit(db_path: Path) -> None:
    writer = LogWriter.open(db_path)
    try:
        with pytest.raises(RecordError):
            writer.submit("call_started", {"call_id": "c1"})
    finally:
        writer.close()


def test_everything_queued_goes_in_one_transaction(db_path: Path, mocker: Any) -> None:
    writer = LogWriter.open(db_path)
    sizes = spy_batches(writer, mocker)
    release = hold(writer)
    futures = [writer.submit(*tick(n), utc_ms=T0 + n) for n in range(300)]
    release.set()
    assert [f.result(10) for f in futures] == list(range(1, 301))
    assert sizes == [300]
    writer.close()


def test_batches_are_capped(db_path: Path, mocker: Any) -> None:
    writer = LogWriter.open(db_path, max_batch=10)
    sizes = spy_batches(writer, mocker)
    release = hold(writer)
    futures = [writer.submit(*tick(n)) for n in range(25)]
    release.set()
    wait(futures, 10)
    assert sizes == [10, 10, 5]
    writer.close()


def test_under_a_burst_group_commit_waits_for_more(db_path: Path, mocker: Any) -> None:
    writer = LogWriter.open(db_path, group_commit_ms=5_000)
    sizes = spy_batches(writer, mocker)
    release = hold(writer)
    burst = [writer.submit(*tick(n)) for n in range(2)]
    release.set()
    threading.Event().wait(0.1)
    late = writer.submit(*tick(2))
    assert writer.close(10)
    assert [f.result(0) for f in [*burst, late]] == [1, 2, 3]
    assert sizes == [3]


def test_a_lone_record_does_not_wait_for_the_window(db_path: Path) -> None:
    writer = LogWriter.open(db_path, group_commit_ms=60_000)
    try:
        assert writer.submit(*tick(1)).result(timeout=30) == 1
    finally:
        writer.close()


def test_close_commits_what_is_queued(db_path: Path) -> None:
    writer = LogWriter.open(db_path)
    futures = [writer.submit(*tick(n)) for n in range(200)]
    assert writer.close(10)
    assert all(f.done() and f.exception() is None for f in futures)
    assert fetch(db_path, "SELECT count(*) FROM records") == [(200,)]
    with pytest.raises(LogError, match="closed"):
        writer.submit(*tick(0))


def test_flush_waits_for_the_last_submitted(db_path: Path) -> None:
    writer = LogWriter.open(db_path)
    try:
        assert writer.flush(1)
        futures = [writer.submit(*tick(n)) for n in range(50)]
        assert writer.flush(10)
        assert all(f.done() for f in futures)
    finally:
        writer.close()


def test_disk_full_is_a_fault_then_the_queued_records_land(db_path: Path) -> None:
    faults = Faults()
    writer = LogWriter.open(db_path, on_fault=faults, retry_initial_s=0.01, retry_max_s=0.05)
    writer.submit(*tick(0)).result(10)

    def cap(store: LogStore) -> None:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    writer.call(cap).result(10)
    futures = [writer.submit(*tick(n, pad=2000)) for n in range(1, 40)]
    faults.wait_for(1)
    assert faults.seen[0] is not None and "full" in faults.seen[0]
    assert writer.fault is not None
    assert not all(f.done() for f in futures)  # not acknowledged while the disk is full
    writer.call(lambda store: store.conn.execute("PRAGMA max_page_count = 1073741823"))
    ids = [f.result(10) for f in futures]
    faults.wait_for(2)
    assert faults.seen[-1] is None and writer.fault is None
    assert ids == list(range(2, 41))
    assert writer.close(10)
    assert verify(db_path).ok


def test_a_locked_database_is_a_fault_then_the_queued_records_land(db_path: Path) -> None:
    faults = Faults()
    writer = LogWriter.open(
        db_path, busy_timeout_ms=20, on_fault=faults, retry_initial_s=0.01, retry_max_s=0.05
    )
    writer.submit(*tick(0)).result(10)
    import sqlite3

    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        future = writer.submit(*tick(1))
        faults.wait_for(1)
        assert faults.seen[0] is not None and "locked" in faults.seen[0]
        assert not future.done()
    finally:
        other.execute("COMMIT")
        other.close()
    assert future.result(10) == 2
    faults.wait_for(2)
    assert faults.seen == [faults.seen[0], None]
    writer.close()


def test_a_record_the_store_chokes_on_fails_alone(db_path: Path, mocker: Any) -> None:
    faults = Faults()
    writer = LogWriter.open(db_path, on_fault=faults)
    from terminal.log import store as store_module

    real_fold = store_module.fold

    def fold(row: Any, rec: Any) -> Any:
        if rec.payload.get("call_id") == "poison":
            raise ZeroDivisionError("bug")
        return real_fold(row, rec)

    mocker.patch.object(store_module, "fold", side_effect=fold)
    release = hold(writer)
    good1 = writer.submit(*records.call_started("ok1", "incoming", None))
    bad = writer.submit(*records.call_started("poison", "incoming", None))
    good2 = writer.submit(*records.call_started("ok2", "incoming", None))
    release.set()
    assert isinstance(bad.exception(10), ZeroDivisionError)
    assert (good1.result(10), good2.result(10)) == (1, 2)
    assert faults.seen and faults.seen[0] is not None and "rejected" in faults.seen[0]
    writer.close()
    assert fetch(db_path, "SELECT call_id FROM calls ORDER BY rid") == [("ok1",), ("ok2",)]


def test_calls_run_on_the_writer_thread(db_path: Path) -> None:
    writer = LogWriter.open(db_path)
    try:
        name: Future[str] = writer.call(lambda _: threading.current_thread().name)
        assert name.result(10) == "log-writer"
        failing = writer.call(lambda _: 1 // 0)
        assert isinstance(failing.exception(10), ZeroDivisionError)
    finally:
        writer.close()


def _sqlite_memory_used() -> int:
    """Bytes SQLite holds in this process (its page caches among them)."""
    import _sqlite3
    import ctypes

    used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
    used.restype = ctypes.c_int64
    return int(used())


@pytest.mark.parametrize("shrinks", [True, False])
def test_after_a_burst_the_page_cache_is_let_go(
    db_path: Path, monkeypatch: Any, shrinks: bool
) -> None:
    # A burst leaves the pages it wrote in the writer's cache; past SHRINK_EVERY_RECORDS, with
    # nothing queued, the writer lets them go. Every record stays committed and the log verifies.
    from terminal.log import writer as writer_module

    monkeypatch.setattr(writer_module, "SHRINK_EVERY_RECORDS", 500 if shrinks else 10**9)
    before = _sqlite_memory_used()
    writer = LogWriter.open(db_path)
    futures = [writer.submit(*tick(n, pad=1000)) for n in range(1500)]
    for f in futures:
        f.result(10)
    assert writer.call(lambda _store: None).result(10) is None  # the writer is past its shrink
    held = _sqlite_memory_used() - before
    more = writer.submit(*tick(1500)).result(10)  # and writes on afterwards
    assert writer.close(10)
    if shrinks:
        assert held < 1_000_000, held
    else:
        assert held > 1_000_000, held  # what the shrink saves: the burst's pages
    assert fetch(db_path, "SELECT count(*) FROM records") == [(1501,)]
    assert more == fetch(db_path, "SELECT max(id) FROM records")[0][0]
    assert verify(db_path).ok
