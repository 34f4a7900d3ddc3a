"""docs/log.md as a specification: its field tables, its worked hash example, its close reasons
and its audit script must be true of the code.

The log is made the way the desk makes it: the alert book's effects and the call effects go
through `DeskRecords` to a real `LogWriter` in a temporary directory, and `hotline log` prints it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

from terminal.cli import main
from terminal.core.alert_effects import RECORD_TYPES, AlertClosedLogged, CloseReason
from terminal.core.alert_events import (
    AlertAcknowledged,
    AlertCleared,
    AlertReceived,
    AlertTick,
    CoprocStatus,
    Severity,
)
from terminal.core.alerts import AlertBook
from terminal.core.effects import CallAnswered, CallEnded, CallStarted, TransmissionEnded
from terminal.desk_records import DeskRecords
from terminal.kernel.report import Member
from terminal.log import LogStore, LogWriter, records

DOC = Path(__file__).resolve().parents[2] / "docs" / "log.md"
T0 = 1_796_653_497_166  # 2026-12-07T14:24:57.166Z

# The bench's head-on picture: the desk's kernel finds these two 21585.3 m apart.
A = Member("4CA2F1", 51.000525, 0.138652, 20000.0, 1.4, -230.0, 0.0)
B = Member("RAF101", 50.999926, -0.168842, 20000.0, -0.4, 230.0, 0.0)
CONSISTENT = (21585.3, 0.0, 46.9, 151.1)  # hsep_m, vsep_ft, tcpa_s, miss_m
SUSPECT = (20500.0, 300.0, 46.9, 151.1)  # hsep and vsep beyond the tolerance


# --- reading the document -------------------------------------------------------------------


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The text from a heading line (exact) to the next heading of the same or a higher level."""
    text = doc_text()
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, re.M)
    assert match, f"docs/log.md has no heading {heading!r}"
    level = len(match[1])
    lines: list[str] = []
    fenced = False
    for line in text[match.end() :].splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(rf"#{{1,{level}}} ", line):
            break
        lines.append(line)
    return "\n".join(lines)


def table(heading: str) -> list[list[str]]:
    """The cells of the first Markdown table under a heading (header and rule left out)."""
    body = section(heading).splitlines()
    start = next((k for k, line in enumerate(body) if line.startswith("|")), None)
    assert start is not None, f"no table under {heading!r}"
    lines: list[str] = []
    for line in body[start:]:
        if not line.startswith("|"):
            break
        lines.append(line)
    assert len(lines) >= 3 and set(lines[1]) <= set("|- "), f"{heading}: not a table"
    return [[cell.strip() for cell in line.strip().strip("|").split(" | ")] for line in lines[2:]]


def code_names(heading: str) -> list[str]:
    """The first column of the table under a heading, without the backticks."""
    names = []
    for row in table(heading):
        cell = row[0]
        assert cell.startswith("`") and cell.endswith("`"), f"{heading}: {cell!r} is not `code`"
        names.append(cell.strip("`"))
    return names


# --- making a log as the desk does -----------------------------------------------------------


def alert(at: float, seq: int, severity: Severity, numbers: tuple[float, ...], boot: str = "B1"):
    utc = T0 + int(at * 1000)
    pair = "4CA2F1/RAF101"
    return AlertReceived(at, utc, boot, seq, pair, "TRACK", severity, utc - 5, A, B, *numbers)


def alert_events() -> list[Any]:
    """Every close reason, an acknowledgement, and a consistent and a suspect ALERT."""
    utc = lambda at: T0 + int(at * 1000)  # noqa: E731
    return [
        CoprocStatus(0.0, utc(0.0), True, "B1"),
        alert(1.0, 1, "advisory", CONSISTENT),
        AlertAcknowledged(1.5, utc(1.5), "4CA2F1/RAF101", "OPS7"),
        alert(2.0, 2, "critical", SUSPECT),  # supersedes B1:1
        AlertCleared(3.0, utc(3.0), "B1", "4CA2F1/RAF101"),  # clears B1:2
        alert(4.0, 3, "warning", CONSISTENT),
        CoprocStatus(5.0, utc(5.0), True, "B2"),  # a restart: B1:3 is not re-issued
        AlertTick(16.0, utc(16.0)),  # the grace is over: B1:3 closed coproc_restart
    ]


def make_log(path: Path) -> list[str]:
    """A log with one whole call and the alerts above; the close reasons the book gave."""
    reasons: list[str] = []

    async def run() -> None:
        writer = LogWriter.open(path)
        desk = DeskRecords(writer, lambda calls: None)
        try:
            book = AlertBook()
            pending: list[asyncio.Future[int]] = []
            for event in alert_events():
                for effect in book.handle(event):
                    if isinstance(effect, AlertClosedLogged):
                        reasons.append(effect.reason)
                    if isinstance(effect, RECORD_TYPES):
                        fut = desk.record_alert(effect)
                        assert fut is not None
                        pending.append(fut)
            for effect in (
                CallStarted(1, "incoming"),
                CallAnswered(1),
                TransmissionEnded(1, 2.006, "PTT"),
                CallEnded(1, "answered", 1, 2.006),
            ):
                fut = desk.record_effect(effect, "OPS7")
                assert fut is not None
                pending.append(fut)
            await asyncio.gather(*pending)
            await asyncio.wrap_future(desk.note(1, "both aircraft in sight", "OPS7"))
            desk.recording(1, path.parent / "recordings" / "call-000001.wav")
            assert writer.flush(5)
        finally:
            desk.close()
            assert writer.close(5)

    asyncio.run(run())
    return reasons


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("doc") / "hotline.db"
    return path, make_log(path)


def jsonl(capsys: pytest.CaptureFixture[str], what: str, db: Path) -> list[dict[str, Any]]:
    code = main(["log", what, "--db", str(db), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


# --- (a) the JSONL field tables --------------------------------------------------------------


def test_calls_jsonl_fields_are_the_documented_ones(made, capsys) -> None:
    rows = jsonl(capsys, "calls", made[0])
    assert len(rows) == 1
    assert list(rows[0]) == code_names("Calls: the JSONL fields")
    row = rows[0]
    assert row["transmit_ms"] == 2006 and row["transmissions"] == 1
    assert [set(note) for note in row["notes"]] == [{"operator", "text", "utc_ms"}]


def test_alerts_jsonl_fields_are_the_documented_ones(made, capsys) -> None:
    rows = jsonl(capsys, "alerts", made[0])
    assert len(rows) == 3
    documented = code_names("Alerts: the JSONL fields")
    for row in rows:
        assert list(row) == documented


def test_alert_fields_consistent_and_suspect_are_as_documented(made, capsys) -> None:
    rows = {row["alert_id"]: row for row in jsonl(capsys, "alerts", made[0])}
    documented = code_names("Alerts: `fields`")
    assert documented[-1] == "_suspect"
    good, bad = rows["B1:1"], rows["B1:2"]
    # these ALERTs had 23 fields (no line_version, documented as absent then: field 24 is
    # optional); tests/lines checks a versioned one keeps it
    assert "line_version" in documented
    documented = [name for name in documented if name != "line_version"]
    assert good["consistent"] is True and "_suspect" not in good["fields"]
    assert sorted(good["fields"]) == sorted(documented[:-1])
    assert bad["consistent"] is False
    assert sorted(bad["fields"]) == sorted(documented)
    # the example in the document is the text the desk logs for these numbers
    assert bad["fields"]["_suspect"] == [
        "hsep 20500 m, kernel 21585.3 m",
        "vsep 300 ft, kernel 0.0 ft",
    ]
    assert json.dumps(bad["fields"]["_suspect"]) in doc_text()
    # a null time's Zulu twin is "" (as the document warns)
    assert rows["B1:3"]["acked_utc_ms"] is None and rows["B1:3"]["acked_utc"] == ""
    assert good["acked_by"] == "OPS7"


# --- (b) the worked hash example -------------------------------------------------------------


def worked_example() -> list[dict[str, str]]:
    rows = table("Worked example")
    records: list[dict[str, str]] = [{}, {}]
    for name, *values in rows:
        assert len(values) == 2, name
        for record, value in zip(records, values, strict=True):
            assert value.startswith("`") and value.endswith("`"), value
            record[name] = value[1:-1]
    return records


def test_the_worked_example_recomputes_with_hashlib_alone() -> None:
    first, second = worked_example()
    assert first["prev_hash"] == "0" * 64  # the genesis value
    assert second["prev_hash"] == first["hash"]
    for record in (first, second):
        text = "\n".join(
            (record["prev_hash"], record["id"], record["kind"], record["utc_ms"], record["payload"])
        )
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == record["hash"], record["id"]
        # the payload is canonical as the document defines it
        parsed = json.loads(record["payload"])
        assert json.dumps(parsed, sort_keys=True, separators=(",", ":")) == record["payload"]


def test_the_worked_example_is_what_the_code_writes(tmp_path: Path) -> None:
    store = LogStore.open(tmp_path / "hotline.db")
    try:
        for record in worked_example():
            rid = store.write(record["kind"], json.loads(record["payload"]), int(record["utc_ms"]))
            assert str(rid) == record["id"]
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / "hotline.db")
    try:
        stored = conn.execute("SELECT payload, prev_hash, hash FROM records ORDER BY id").fetchall()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    example = worked_example()
    assert [(p, bytes(ph).hex(), bytes(h).hex()) for p, ph, h in stored] == [
        (r["payload"], r["prev_hash"], r["hash"]) for r in example
    ]
    assert meta["head_id"] == 2 and bytes(meta["head_hash"]).hex() == example[1]["hash"]


def test_the_audit_script_passes_a_real_log_and_fails_a_tampered_one(made, tmp_path) -> None:
    body = section("Recompute it yourself")
    script = re.search(r"```python\n(.*?)```", body, re.S)
    assert script, "no Python block under 'Recompute it yourself'"
    path = tmp_path / "audit.py"
    path.write_text(script[1], encoding="utf-8")
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(made[0])
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()

    def audit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # the standard library only: no hotline on the path
            [sys.executable, "-I", str(path), str(copy)], capture_output=True, text=True, timeout=30
        )

    with contextlib.closing(sqlite3.connect(copy)) as conn:
        compact = conn.execute(
            "SELECT count(*) FROM records WHERE kind = 'alert_received' AND payload LIKE '[2,%'"
        ).fetchone()[0]
    assert compact == 3  # the desk's alerts are in format 2: the script checks those too
    ok = audit()
    assert ok.returncode == 0 and ok.stdout.startswith("ok: chain through record "), ok
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("UPDATE records SET utc_ms = utc_ms + 1 WHERE id = 3")
    finally:
        conn.close()
    broken = audit()
    assert broken.returncode != 0 and "record 3" in broken.stderr, broken


# --- (c) the close reasons -------------------------------------------------------------------


def test_the_documented_close_reasons_are_exactly_the_codes(made, capsys) -> None:
    documented = code_names("`closed_reason`")
    assert len(documented) == len(set(documented))
    defined = typing.get_args(CloseReason)  # what AlertClosedLogged.reason may be
    assert set(documented) == set(defined)
    path, produced = made
    assert set(produced) == set(documented)  # each one can happen
    logged = {row["closed_reason"] for row in jsonl(capsys, "alerts", path)}
    assert logged == set(documented)


# --- (e) the record kinds ---------------------------------------------------------------------


def test_the_record_kinds_table_lists_every_kind_and_its_fields() -> None:
    from terminal.log.records import _FIELDS, KINDS

    rows = table("Record kinds and their payloads")
    documented = {row[0].strip("`"): row[1] for row in rows}
    assert set(documented) == set(KINDS)
    for kind, fields in _FIELDS.items():
        named = set(re.findall(r"`([a-z_]+)`", documented[kind]))
        assert set(fields) <= named, (kind, set(fields) - named)


def test_a_clock_fault_record_has_the_documented_fields(tmp_path: Path) -> None:
    from terminal.log import LogReader
    from terminal.log.records import clock_fault

    path = tmp_path / "hotline.db"
    writer = LogWriter.open(path)
    try:
        writer.submit(*clock_fault("started", "unsynchronised", "why", T0, est_error_ms=16000.0))
        writer.submit(
            *clock_fault("ended", "synchronised", "ok", T0 + 60_000, est_error_ms=1.5,
                         started_utc_ms=T0)
        )
        assert writer.flush(5)
    finally:
        assert writer.close(5)
    cell = {row[0].strip("`"): row[1] for row in table("Record kinds and their payloads")}
    named = set(re.findall(r"`([a-z_]+)`", cell["clock_fault"]))
    with LogReader(path) as reader:
        payloads = [r.payload() for r in reader.records(kind="clock_fault")]
    assert set(payloads[0]) <= named and set(payloads[1]) <= named
    assert "started_utc_ms" in payloads[1] and "started_utc_ms" not in payloads[0]


# --- (f) the alert_received payload of format 2 -----------------------------------------------


def test_the_documented_reader_of_both_payload_formats_reads_what_the_code_does(
    made, tmp_path: Path
) -> None:
    from terminal.log.compact import ALERT_WIRE_FIELDS, decode

    body = section("The `alert_received` payload: format 1 and format 2")
    blocks = re.findall(r"```python\n(.*?)```", body, re.S)
    assert len(blocks) == 1, "one Python block under 'The `alert_received` payload'"
    names = re.search(r"`alert_seq`,\s+`pair_id`.*?`line_version`", body, re.S)
    assert names and re.findall(r"`([a-z_]+)`", names[0]) == list(ALERT_WIRE_FIELDS)
    example = re.search(r"```text\n(\[2,.*?)\n```", body, re.S)
    assert example, "no example of format 2"
    jsonl_example = re.findall(r"```json\n(.*?)```", section("Alerts: the JSONL fields"), re.S)
    shown = json.loads(jsonl_example[0])
    entry = records.alert_received(
        shown["fields"], boot_id=shown["boot_id"], alert_seq=shown["alert_seq"],
        pair_id=shown["pair_id"], severity=shown["severity"], consistent=shown["consistent"],
    )  # fmt: skip
    assert records.prepare(*entry, shown["received_utc_ms"]).text == example[1]  # the same alert
    fixture = Path(__file__).resolve().parent / "fixtures" / "schema4.db"  # format 1 records
    texts = []
    for db in (made[0], fixture):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            texts += [t for (t,) in conn.execute(
                "SELECT payload FROM records WHERE kind = 'alert_received' ORDER BY id")]
        finally:
            conn.close()
    assert {t[0] for t in texts} == {"[", "{"}
    script = tmp_path / "read.py"
    script.write_text(blocks[0] + "\nimport sys\nfor line in sys.stdin:\n"
                      "    print(json.dumps(alert_received(line.rstrip('\\n'))))\n",
                      encoding="utf-8")  # fmt: skip
    done = subprocess.run(  # the standard library only: no hotline on the path
        [sys.executable, "-I", str(script)], input="\n".join(texts) + "\n",
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    got = [json.loads(line) for line in done.stdout.splitlines()]
    assert got == [decode("alert_received", t) for t in texts]

