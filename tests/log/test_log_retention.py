"""Retention: old records move to an archive file, the remaining chain still verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from log_helpers import T0, fetch, sample_session, sql

from terminal.cli import main
from terminal.log import (
    LogError,
    LogStore,
    apply_retention,
    archive_old,
    records,
    retain,
    verify,
    verify_archives,
)
from terminal.log.archive import read_records
from terminal.log.retention import DAY_MS, Archive


def old_and_new(store: LogStore) -> None:
    """A finished session 40 days ago, a call and alert spanning day -31/-29, a session today."""
    sample_session(store, start=T0 - 40 * DAY_MS, prefix="old-")
    store.write(*records.call_started("span", "incoming", "OP"), T0 - 31 * DAY_MS)
    store.write(
        *records.alert_received(
            {"r": 1}, boot_id="b", alert_seq=1, pair_id="p", severity="warning", consistent=True
        ),
        T0 - 31 * DAY_MS,
    )
    store.write(*records.call_answered("span", "OP"), T0 - 31 * DAY_MS + 5)
    store.write(*records.alert_acknowledged("b:1", "OP"), T0 - 29 * DAY_MS)
    store.write(*records.call_note("span", "OP", "still open"), T0 - 29 * DAY_MS)
    store.write(*records.call_ended("span", "answered", "OP"), T0 - 29 * DAY_MS + 1)
    sample_session(store, start=T0, prefix="new-")


def retention_stopped_after(store: LogStore, archive: Archive, survived: int) -> None:
    """Run retention on `store` and stop it, as a crash would, after `survived` of its
    transactions committed (the checkpoint first, then batches of 2 rows, then of records)."""
    real = store.transaction
    started: list[int] = []

    def transaction():  # type: ignore[no-untyped-def]
        started.append(1)
        if len(started) > survived:
            raise KeyboardInterrupt("the desk stops here")
        return real()

    store.transaction = transaction  # type: ignore[method-assign]
    try:
        with pytest.raises(KeyboardInterrupt):
            apply_retention(store, archive, T0, batch=2)
    finally:
        store.transaction = real  # type: ignore[method-assign]


def test_old_records_move_to_an_archive_and_the_chain_still_verifies(
    store: LogStore, tmp_path: Path
) -> None:
    old_and_new(store)
    before = fetch(store.path, "SELECT * FROM calls WHERE call_id = 'span'")
    total = store.tail()[0]
    result = retain(store, 30, tmp_path / "archive", utc_ms=T0)
    assert result is not None
    archive = result.archive
    assert (archive.first_id, archive.through_id) == (1, 19)  # the old session and 3 span records
    assert archive.path.name == "records-0000000001-0000000019.jsonl"
    assert [r.id for r in read_records(archive.path)] == list(range(1, 20))
    assert (result.removed_calls, result.removed_alerts, result.carried) == (2, 3, 2)
    assert fetch(store.path, "SELECT min(id) FROM records") == [(20,)]
    assert fetch(store.path, "SELECT * FROM calls WHERE call_id = 'span'") == before
    assert fetch(store.path, "SELECT count(*) FROM calls WHERE call_id LIKE 'old-%'") == [(0,)]
    checkpoint = json.loads(
        str(fetch(store.path, "SELECT payload FROM records WHERE kind = 'checkpoint'")[0][0])
    )
    assert checkpoint["through_id"] == 19 and checkpoint["count"] == 19
    assert result.checkpoint_id == total + 3  # two carries, then the checkpoint
    report = verify(store.path)
    assert report.ok, report.problems
    assert verify_archives([archive.path]).ok


def test_deleting_the_first_kept_record_after_retention_is_located(
    store: LogStore, tmp_path: Path
) -> None:
    old_and_new(store)
    assert retain(store, 30, tmp_path / "archive", utc_ms=T0) is not None
    sql(store.path, "DELETE FROM records WHERE id = 20")
    assert str(verify(store.path).first).startswith("record 20: removed")


def test_a_second_run_continues_the_archive_chain(store: LogStore, tmp_path: Path) -> None:
    old_and_new(store)
    first = retain(store, 30, tmp_path / "archive", utc_ms=T0)
    second = retain(store, 1, tmp_path / "archive", utc_ms=T0 + 2 * DAY_MS)
    assert first is not None and second is not None
    assert second.archive.first_id == first.archive.through_id + 1
    assert verify(store.path).ok
    assert verify_archives([first.archive.path, second.archive.path]).ok
    assert not verify_archives([second.archive.path, first.archive.path]).ok
    assert fetch(store.path, "SELECT count(*) FROM calls") == [(0,)]


def test_nothing_old_means_nothing_moved(store: LogStore, tmp_path: Path) -> None:
    sample_session(store)
    assert retain(store, 30, tmp_path / "archive", utc_ms=T0) is None
    assert not (tmp_path / "archive").exists()
    assert retain(LogStore.open(tmp_path / "empty.db"), 30, tmp_path / "a", utc_ms=T0) is None


def test_a_changed_prefix_stops_retention(store: LogStore, tmp_path: Path) -> None:
    old_and_new(store)
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    sql(store.path, "UPDATE records SET hash = zeroblob(32) WHERE id = ?", (archive.through_id,))
    with pytest.raises(LogError, match="nothing was removed"):
        apply_retention(store, archive, T0)
    assert fetch(store.path, "SELECT min(id) FROM records") == [(1,)]


def test_a_tampered_archive_is_located(store: LogStore, tmp_path: Path) -> None:
    old_and_new(store)
    result = retain(store, 30, tmp_path / "archive", utc_ms=T0)
    assert result is not None
    lines = result.archive.path.read_text().splitlines(keepends=True)
    del lines[4]  # record 5
    result.archive.path.write_text("".join(lines))
    assert str(verify_archives([result.archive.path]).first).endswith(
        "removed (record 5 missing before 6)"
    )


def test_removal_goes_in_short_batches_and_ends_as_one_transaction_did(
    store: LogStore, tmp_path: Path
) -> None:
    old_and_new(store)
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    result = apply_retention(store, archive, T0, batch=2)
    assert (result.removed_calls, result.removed_alerts, result.carried) == (2, 3, 2)
    assert result.longest_lock_s > 0
    assert fetch(store.path, "SELECT min(id) FROM records") == [(20,)]
    report = verify(store.path)
    assert report.ok and report.pending == 0, report.problems


@pytest.mark.parametrize("survived", range(1, 15))
def test_a_removal_cut_short_leaves_a_log_that_verifies_and_is_finished_next_time(
    store: LogStore, tmp_path: Path, survived: int
) -> None:
    """The run stops (as a crash would) after `survived` of its transactions committed: the
    checkpoint first, then batches of rows, then of records."""
    old_and_new(store)
    complete = fetch(store.path, "SELECT count(*) FROM records")[0][0]
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    retention_stopped_after(store, archive, survived)
    report = verify(store.path)
    assert report.ok, report.problems
    assert report.records == complete + 3 - archive.count  # two carries and the checkpoint
    if report.pending:
        assert any(n.startswith(f"retention: {report.pending} records") for n in report.notes)
    assert retain(store, 30, tmp_path / "archive", utc_ms=T0) is None  # nothing new to archive
    report = verify(store.path)
    assert report.ok and report.pending == 0, report.problems
    assert fetch(store.path, "SELECT min(id) FROM records") == [(20,)]
    assert fetch(store.path, "SELECT count(*) FROM calls WHERE call_id LIKE 'old-%'") == [(0,)]
    assert fetch(store.path, "SELECT count(*) FROM alerts WHERE alert_id LIKE 'old-%'") == [(0,)]


def test_records_awaiting_removal_are_said_and_checked(
    store: LogStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_and_new(store)
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    retention_stopped_after(store, archive, 2)  # the checkpoint committed, nothing removed yet
    code = main(["log", "verify", "--db", str(store.path)])
    out = capsys.readouterr().out
    assert code == 0 and ": ok: " in out
    assert "  retention: 19 records at or before record 19 are archived and not yet removed" in out
    sql(store.path, "UPDATE records SET payload = payload || ' ' WHERE id = 19")
    assert str(verify(store.path).first).startswith("record 19: altered")


def test_a_record_appended_while_retention_looks_is_carried_too(
    store: LogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention finds the calls and alerts to carry before it takes the write lock; an
    acknowledgement of an old alert committed in between is found under the lock."""
    old_and_new(store)
    archive = archive_old(store.path, T0 - 30 * DAY_MS, tmp_path / "archive")
    assert archive is not None
    real = store.transaction
    done = []

    def transaction():  # type: ignore[no-untyped-def]
        if not done:
            done.append(1)
            with real() as conn:  # the desk's writer gets in first
                store.append_in_transaction(
                    [records.prepare(*records.alert_acknowledged("old-boot1:2", "OP-L"), T0)]
                )
                del conn
        return real()

    monkeypatch.setattr(store, "transaction", transaction)
    result = apply_retention(store, archive, T0, batch=2)
    monkeypatch.undo()
    assert (result.removed_alerts, result.carried) == (2, 3)
    report = verify(store.path)
    assert report.ok, report.problems
    rows = fetch(store.path, "SELECT acked_by FROM alert_rows WHERE alert_id = 'old-boot1:2'")
    assert rows == [("OP-L",)]


def test_line_versions_moved_to_the_archive_are_restated_so_the_line_in_force_stays(
    store: LogStore, tmp_path: Path
) -> None:
    from terminal.line_log import read_history

    points = [[51.5, -0.2], [51.5, -0.08]]
    store.write(
        *records.line_version(1, "DL", points, T0 - 50 * DAY_MS, entered_by="config",
                              call_id=None, desk="S/D"),
        T0 - 50 * DAY_MS,
    )  # fmt: skip
    store.write(
        *records.line_version(2, "DL2", points, T0 - 45 * DAY_MS, entered_by="OP",
                              call_id="c1", desk="S/D"),
        T0 - 45 * DAY_MS,
    )  # fmt: skip
    old_and_new(store)
    before = read_history(store.path)
    assert [v.version for v in before.versions()] == [1, 2]
    result = retain(store, 30, tmp_path / "archive", utc_ms=T0)
    after = read_history(store.path)
    assert after.versions() == before.versions()  # same numbers, points, times, who, call
    assert result is not None and result.restated_lines == 2
    assert after.in_force(T0) is not None and after.in_force(T0).version == 2
    assert verify(store.path).ok
    second = retain(store, 30, tmp_path / "archive", utc_ms=T0 + 40 * DAY_MS)
    assert second is not None and second.restated_lines == 2
    assert read_history(store.path).versions() == before.versions()
    assert verify(store.path).ok
