"""The compact alert_received payload (format 2, docs/log.md section 2): written for an ALERT's
wire fields, every fact kept once and hashed, and read the same as the object payload (format 1)
by every reader: the view `alert_rows`, `hotline log alerts` and `export`, the report, verify,
retention and the MQTT messages. Old records keep their format and verify in a mixed chain."""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from log_helpers import T0, fetch, sample_session, sql

from hw.wire.messages import Alert
from terminal.cli import main
from terminal.commands.tail import Tail
from terminal.log import LogReader, LogStore, records, retain, verify
from terminal.log.chain import canonical
from terminal.log.compact import ALERT_WIRE_FIELDS, decode
from terminal.log.reader import StoredRecord
from terminal.log.records import Prepared
from terminal.log.retention import DAY_MS
from terminal.log.rows import Record, fold
from terminal.mqtt.payload import BadMessage, parse, record_message
from terminal.report.facts import collect

BOOT = "9C7D7807"


def wire_fields(seq: int, severity: str = "warning", line: int | None = 3) -> dict[str, Any]:
    """The fields the desk logs for an ALERT (terminal/desk_records.py `alert_fields`), with
    values whose JSON text is easy to get wrong: non-ASCII, quotes, 1e-07, 17 digits."""
    fields: dict[str, Any] = {
        "alert_seq": seq, "pair_id": f"4CA2F1/R\"{seq % 2}", "kind": "TRACK",
        "severity": severity.upper(), "computed_at": "2026-05-09T07:00:20.000Z",
        "a_id": "4CA2F1", "a_lat": 51.000752, "a_lon": 0.073163, "a_alt_ft": 20000.0,
        "a_vn": 1.2, "a_ve": -230.0, "a_vu": 0.0,
        "b_id": "RAF\u00e9\\", "b_lat": 50.999835, "b_lon": -0.103353, "b_alt_ft": 20000.0,
        "b_vn": -0.6, "b_ve": 0.1 + 0.2, "b_vu": 1e-07,
        "hsep_m": 12391.4 + seq, "vsep_ft": 0.0, "tcpa_s": 26.9, "miss_m": 150.5,
    }  # fmt: skip
    if line is not None:
        fields["line_version"] = line
    return fields


def wire_alert(
    seq: int, severity: str = "warning", line: int | None = 3, suspect: list[str] | None = None
) -> records.Entry:
    fields = wire_fields(seq, severity, line)
    if suspect is not None:
        fields["_suspect"] = suspect
    return records.alert_received(
        fields, boot_id=BOOT, alert_seq=seq, pair_id=fields["pair_id"],
        severity=severity, consistent=suspect is None,  # type: ignore[arg-type]
    )  # fmt: skip


def session() -> list[tuple[records.Entry, int]]:
    """Alerts of every shape (24 and 23 fields, suspect or not), acknowledged and closed."""
    return [
        (wire_alert(1), 0),
        (wire_alert(2, "critical", None), 1_000),
        (wire_alert(3, "advisory", 0, ["hsep 12394.4 m, kernel 21585.3 m \u2014 far"]), 2_000),
        (wire_alert(4, "warning", None, []), 3_000),
        (records.alert_acknowledged(f"{BOOT}:1", "OPS7"), 4_000),
        (records.alert_closed(f"{BOOT}:1", "superseded"), 5_000),
        (records.alert_closed(f"{BOOT}:3", "cleared"), 6_000),
        (records.alert_received({"r": 1}, boot_id="b", alert_seq=1, pair_id="p",
                                severity="warning", consistent=True), 7_000),
    ]


def object_format(kind: str, payload: dict[str, Any], utc_ms: int) -> Prepared:
    """A record as the code before format 2 wrote it: the payload's canonical object."""
    records.validate(kind, payload)
    return Prepared(kind, utc_ms, canonical(payload), dict(payload), {})


def write(path: Path, compact: bool, start: int = T0) -> Path:
    store = LogStore.open(path)
    try:
        for (kind, payload), offset in session():
            if compact:
                store.write(kind, payload, start + offset)
            else:
                store.append([object_format(kind, payload, start + offset)])
    finally:
        store.close()
    return path


@pytest.fixture
def logs(tmp_path: Path) -> tuple[Path, Path]:
    """The same session written in format 1 and in format 2."""
    return write(tmp_path / "v1.db", False), write(tmp_path / "v2.db", True)


def payloads(path: Path) -> list[str]:
    return [str(r[0]) for r in fetch(path, "SELECT payload FROM records WHERE kind = "
                                           "'alert_received' ORDER BY id")]  # fmt: skip


def test_the_wire_fields_are_the_protocols() -> None:
    assert tuple(spec.name for spec in Alert.SPECS) == ALERT_WIRE_FIELDS


def test_an_alerts_wire_fields_are_written_compact_and_read_back_as_the_object() -> None:
    for (kind, payload), _ in session()[:4]:
        text = records.prepare(kind, payload, T0).text
        assert text.startswith(f'[2,"{BOOT}:') and len(text) < len(canonical(payload)) / 2
        assert json.loads(text)[3][:2] == [payload["alert_seq"], payload["pair_id"]]
        assert decode(kind, text) == payload
        assert canonical(decode(kind, text)) == canonical(payload)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["fields"].pop("miss_m"),
        lambda p: p["fields"].update(extra=1),
        lambda p: p["fields"].update(alert_seq=True),
        lambda p: p["fields"].update(alert_seq=1.0),
        lambda p: p["fields"].update(pair_id="other"),
        lambda p: p["fields"].update(severity="warning"),
        lambda p: p.update(alert_id="elsewhere:1"),
        lambda p: p.update(note="an extra key"),
    ],
)
def test_a_payload_that_does_not_fit_keeps_the_object_format(change: Any) -> None:
    kind, payload = wire_alert(1)
    change(payload)
    assert records.prepare(kind, payload, T0).text == canonical(payload)


def test_both_formats_read_the_same_everywhere(logs: tuple[Path, Path], capsys: Any) -> None:
    v1, v2 = logs
    assert all(p.startswith("{") for p in payloads(v1))
    assert [p[:3] for p in payloads(v2)] == ["[2,"] * 4 + ['{"a']
    assert fetch(v1, "SELECT * FROM alerts") == fetch(v2, "SELECT * FROM alerts")  # slim rows
    read = []
    for path in logs:
        with LogReader(path) as reader:
            since, until = T0, T0 + DAY_MS
            read.append((
                reader.alerts(), reader.alerts_page(since, until, limit=2),
                reader.alert_totals(since, until), list(reader.alert_spots(since, until, 0.5)),
                reader.alerts_ranked(since, until, 3), reader.open_alerts(since),
                replace(collect(reader, since, until, generated_ms=until), database="",
                        head_hash=b""),  # the chains differ, not what they say
            ))  # fmt: skip
            chain = list(reader.records())
        report = verify(path)
        assert report.ok and report.alerts == 5, report.problems
        folded: dict[str, Any] = {}
        for rec in chain:  # the view says what the records fold to, byte for byte
            payload = rec.payload()
            key = records.entity_of(rec.kind, payload)
            if key is not None:
                folded[key] = fold(folded.get(key), Record(rec.id, rec.kind, rec.utc_ms, payload))
        assert sorted(folded.values()) == sorted(read[-1][0])
    assert read[0] == read[1]
    assert read[0][0][2].fields == canonical(wire_fields(3, "advisory", 0) | {
        "_suspect": ["hsep 12394.4 m, kernel 21585.3 m \u2014 far"]})  # fmt: skip
    out = []
    for path in logs:
        for fmt in ("jsonl", "csv", "table"):
            assert main(["log", "alerts", "--db", str(path), "--format", fmt]) == 0
        assert main(["log", "export", "--db", str(path), str(path.parent / path.stem)]) == 0
        out.append(capsys.readouterr().out.replace(path.stem, "X"))
        out.append((path.parent / path.stem / "alerts.csv").read_text(encoding="utf-8"))
    assert out[0] == out[2] and out[1] == out[3]


def test_a_mixed_chain_verifies_and_retention_carries_both(tmp_path: Path) -> None:
    path = write(tmp_path / "hotline.db", False, start=T0 - 40 * DAY_MS)  # old records
    store = LogStore.open(path)
    try:
        sample_session(store, start=T0 - 35 * DAY_MS, prefix="s-")
        for (kind, payload), offset in session()[:4]:  # the same alerts again, new boot
            payload = dict(payload, boot_id="B2", alert_id=f"B2:{payload['alert_seq']}")
            store.write(kind, payload, T0 - 31 * DAY_MS + offset)
        store.write(*records.alert_acknowledged("B2:2", "OPS7"), T0 - 1_000)  # split by the cut
        store.write(*records.alert_closed(f"{BOOT}:4", "cleared"), T0)
        for (kind, payload), offset in session()[:4]:
            payload = dict(payload, boot_id="B3", alert_id=f"B3:{payload['alert_seq']}")
            store.write(kind, payload, T0 + offset)
        before = verify(path)
        assert before.ok, before.problems
        with LogReader(path) as reader:
            rows = {row.alert_id: row for row in reader.alerts()}
        result = retain(store, 30, tmp_path / "archive", utc_ms=T0 + DAY_MS)
        assert result is not None
    finally:
        store.close()
    after = verify(path)
    assert after.ok, after.problems
    with LogReader(path) as reader:
        kept = {row.alert_id: row for row in reader.alerts()}
    assert {"B2:2", f"{BOOT}:4", "B3:1"} <= kept.keys() and "B2:1" not in kept
    assert all(kept[key] == rows[key] for key in kept)
    assert kept["B2:2"].acked_by == "OPS7"
    archives = sorted((tmp_path / "archive").iterdir())
    assert main(["log", "verify", "--archive", *map(str, archives)]) == 0


def test_an_altered_compact_record_is_found(logs: tuple[Path, Path]) -> None:
    _, path = logs
    rid = int(fetch(path, "SELECT min(id) FROM records WHERE payload LIKE '[2,%'")[0][0])
    sql(path, "UPDATE records SET payload = replace(payload, 'WARNING', 'CRITICAL') WHERE id = ?",
        (rid,))  # fmt: skip
    report = verify(path)
    assert not report.ok and report.first is not None
    assert report.first.record_id == rid and "altered" in report.first.what


def test_a_compact_records_entity_column_is_checked(logs: tuple[Path, Path]) -> None:
    _, path = logs
    rid = int(fetch(path, "SELECT min(id) FROM records WHERE payload LIKE '[2,%'")[0][0])
    sql(path, "UPDATE records SET entity = 'alert:9C7D7807:2' WHERE id = ?", (rid,))
    report = verify(path)
    assert not report.ok
    assert any(p.record_id == rid and "entity" in p.what for p in report.problems), report.problems


def test_an_altered_row_of_a_compact_alert_is_found(logs: tuple[Path, Path]) -> None:
    _, path = logs
    sql(path, "UPDATE alerts SET severity = 'advisory', boot_id = ?, alert_seq = 1, "
              "pair_id = '4CA2F1/R\"1', consistent = 1, fields = '{}' WHERE alert_id = ?",
        (BOOT, f"{BOOT}:1"))  # fmt: skip
    report = verify(path)
    assert not report.ok
    assert any("severity" in p.what and f"{BOOT}:1" in p.what for p in report.problems)


def test_mqtt_carries_a_compact_record_verbatim_and_tail_shows_the_object(
    logs: tuple[Path, Path],
) -> None:
    lines = []
    for path in logs:
        with LogReader(path) as reader:
            rec = next(reader.records(kind="alert_received"))
        data = record_message(rec, "AOC", "D1")
        got = parse("hotline/AOC/D1/alerts", data, "hotline")
        assert canonical(got.body["payload"]) == rec.text
        lines.append(Tail("hotline", sys.stdout, sys.stderr).line(got))
    assert lines[0] == lines[1] and f"alert_id={BOOT}:1" in lines[0]
    compact = json.loads(payloads(logs[1])[0])
    stored = StoredRecord(1, "call_started", T0, canonical(compact), bytes(32), bytes(32))
    with pytest.raises(BadMessage, match="array"):
        parse("hotline/AOC/D1/calls", record_message(stored, "AOC", "D1"), "hotline")
    broken = StoredRecord(1, "alert_received", T0, canonical(compact[:3]), bytes(32), bytes(32))
    with pytest.raises(BadMessage, match="format 2"):
        parse("hotline/AOC/D1/alerts", record_message(broken, "AOC", "D1"), "hotline")


def test_sqlite3_reads_a_compact_alert_as_text(logs: tuple[Path, Path]) -> None:
    _, path = logs
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        text = conn.execute("SELECT payload FROM records WHERE kind = 'alert_received' "
                            "ORDER BY id LIMIT 1").fetchone()[0]  # fmt: skip
        row = conn.execute("SELECT boot_id, alert_seq, severity, consistent FROM alert_rows "
                           "ORDER BY rid LIMIT 1").fetchone()  # fmt: skip
    finally:
        conn.close()
    assert isinstance(text, str) and text.startswith(f'[2,"{BOOT}:1",true,[1,')
    assert row == (BOOT, 1, "warning", 1)
