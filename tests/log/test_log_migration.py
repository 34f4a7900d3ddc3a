"""Schema 3: a log written by the code of schema 2 (tests/log/fixtures/schema2.db) is upgraded
in place: no record changes, every alert reads as before, the rows keep only what the records do
not say, and the log still verifies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from log_helpers import T0, fetch

from terminal.log import LogReader, LogStore, records, retain, verify
from terminal.log.schema import MIGRATIONS, version

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "schema2.db"
RECORD_COLUMNS = "boot_id, alert_seq, pair_id, severity, consistent, fields"


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "hotline.db"
    shutil.copyfile(FIXTURE, path)
    return path


def test_a_schema_2_log_reads_the_same_before_and_after_the_upgrade(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    assert fetch(path, "PRAGMA user_version") == [(2,)]
    chain = fetch(path, "SELECT * FROM records ORDER BY id")
    with LogReader(path) as reader:  # read-only: a schema 2 file reads as it is
        alerts, calls = reader.alerts(), reader.calls()
    assert len(alerts) == 4 and verify(path).ok

    LogStore.open(path).close()

    assert fetch(path, "PRAGMA user_version") == [(len(MIGRATIONS),)] == [(5,)]
    assert fetch(path, "SELECT * FROM records ORDER BY id") == chain  # not a byte changed
    with LogReader(path) as reader:
        assert reader.alerts() == alerts and reader.calls() == calls
    report = verify(path)
    assert report.ok, report.problems
    assert (report.records, report.alerts) == (20, 4)
    slim = fetch(path, f"SELECT alert_id, {RECORD_COLUMNS} FROM alerts ORDER BY rid")
    assert slim[0][0] == "b:1" and None not in slim[0]  # carried: its record is archived
    assert [row[1:] for row in slim[1:]] == [(None,) * 6] * 3


def test_the_upgraded_log_goes_on_and_verifies(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    store = LogStore.open(path)
    try:
        assert version(store.conn) == 5
        store.write(*records.alert_acknowledged("new-boot1:2", "OP-C"), T0 + 100_000)
        store.write(*records.alert_closed("b:1", "superseded"), T0 + 100_001)  # no change
        entry = records.alert_received(
            {"r": 2}, boot_id="b", alert_seq=2, pair_id="p", severity="critical",
            consistent=False,
        )  # fmt: skip
        store.write(*entry, T0 + 100_002)
    finally:
        store.close()
    report = verify(path)
    assert report.ok, report.problems
    with LogReader(path) as reader:
        rows = {row.alert_id: row for row in reader.alerts()}
    assert rows["new-boot1:2"].acked_by == "OP-C" and rows["b:1"].closed_reason == "cleared"
    assert (rows["b:2"].severity, rows["b:2"].consistent, rows["b:2"].fields) == (
        "critical", 0, '{"r":2}',
    )  # fmt: skip


def test_a_slim_row_carried_by_retention_keeps_its_fields(store: LogStore, tmp_path: Path) -> None:
    entry = records.alert_received(
        {"r": 1}, boot_id="b", alert_seq=1, pair_id="p", severity="warning", consistent=True
    )
    store.write(*entry, T0 - 40 * 86_400_000)
    store.write(*records.alert_acknowledged("b:1", "OP"), T0)
    with LogReader(store.path) as reader:
        before = reader.alerts()
    assert fetch(store.path, f"SELECT {RECORD_COLUMNS} FROM alerts") == [(None,) * 6]
    assert retain(store, 30, tmp_path / "archive", utc_ms=T0) is not None
    assert fetch(store.path, "SELECT count(*) FROM records WHERE id = 1") == [(0,)]
    with LogReader(store.path) as reader:
        assert reader.alerts() == before
    assert None not in fetch(store.path, f"SELECT {RECORD_COLUMNS} FROM alerts")[0]
    assert verify(store.path).ok


SCHEMA4 = Path(__file__).resolve().parent / "fixtures" / "schema4.db"


def test_a_schema_4_log_keeps_its_object_payloads_and_takes_compact_ones(tmp_path: Path) -> None:
    """Schema 5: the view reads format 2 as well; the records of format 1 stay as written
    (tests/log/fixtures/schema4.db, by the code before format 2), verify passes the mixed chain."""
    path = tmp_path / "hotline.db"
    shutil.copyfile(SCHEMA4, path)
    assert fetch(path, "PRAGMA user_version") == [(4,)]
    chain = fetch(path, "SELECT * FROM records ORDER BY id")
    old_view = fetch(path, "SELECT * FROM alert_rows ORDER BY rid")  # schema 4's own view
    assert len(old_view) == 6 and all(row[-1] == 1 for row in old_view)  # all slim
    assert not any(str(r[3]).startswith("[") for r in chain)

    store = LogStore.open(path)
    try:
        assert version(store.conn) == 5
        assert fetch(path, "SELECT * FROM records ORDER BY id") == chain  # not a byte changed
        assert fetch(path, "SELECT * FROM alert_rows ORDER BY rid") == old_view
        with LogReader(path) as reader:
            old = {row.alert_id: row for row in reader.alerts()}
        assert [tuple(row) for row in old.values()] == [row[:-1] for row in old_view]
        for seq, line in ((4, 3), (5, None)):  # the same ALERT shape, now written compact
            fields = json.loads(str(old["9C7D7807:1"].fields))
            fields.update(alert_seq=seq, line_version=line)
            if line is None:
                del fields["line_version"]
            store.write(*records.alert_received(
                fields, boot_id="9C7D7807", alert_seq=seq, pair_id=fields["pair_id"],
                severity="warning", consistent=True), T0 + 200_000 + seq)  # fmt: skip
        store.write(*records.alert_acknowledged("9C7D7807:2", "OPS8"), T0 + 200_010)
        store.write(*records.alert_closed("9C7D7807:4", "cleared"), T0 + 200_011)
    finally:
        store.close()
    texts = [str(r[0]) for r in fetch(path, "SELECT payload FROM records WHERE id > ?",
                                      (len(chain),))]  # fmt: skip
    assert [t[:3] for t in texts[:2]] == ["[2,", "[2,"]
    report = verify(path)
    assert report.ok, report.problems
    assert (report.records, report.alerts) == (len(chain) + 4, 8)
    with LogReader(path) as reader:
        rows = {row.alert_id: row for row in reader.alerts()}
    assert {k: v for k, v in rows.items() if k in old and k != "9C7D7807:2"} == {
        k: v for k, v in old.items() if k != "9C7D7807:2"}  # fmt: skip
    assert rows["9C7D7807:2"].acked_by == "OPS8"
    new, first = rows["9C7D7807:4"], old["9C7D7807:1"]
    assert new.fields == first.fields.replace('"alert_seq":1', '"alert_seq":4')
    assert (new.boot_id, new.alert_seq, new.pair_id, new.severity, new.consistent) == (
        "9C7D7807", 4, first.pair_id, "warning", 1)  # fmt: skip
    assert new.closed_reason == "cleared" and "line_version" not in rows["9C7D7807:5"].fields
