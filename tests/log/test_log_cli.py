"""`hotline log`: queries in three formats, export, verify, retain; exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from log_helpers import T0, sample_session, sql

from terminal.cli import main
from terminal.log import LogStore
from terminal.log.retention import DAY_MS
from terminal.zulu import to_iso


@pytest.fixture
def db(store: LogStore) -> Path:
    sample_session(store)
    sample_session(store, start=T0 + DAY_MS, prefix="d2-")
    return store.path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["log", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_calls_as_a_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["CALL", "DIR", "RUNG"]
    assert [line.split()[0] for line in lines[2:]] == ["c1", "c2", "d2-c1", "d2-c2"]
    assert "2026-05-09T07:00:00.000Z" in lines[2]


def test_alerts_in_a_range_as_jsonl(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since, until = to_iso(T0 + DAY_MS), to_iso(T0 + DAY_MS + 21_000)
    code, out, _ = run(capsys, "alerts", "--db", str(db), "--since", since, "--until", until,
                       "--format", "jsonl")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["alert_id"] for r in rows] == ["d2-boot1:1"]  # until is exclusive
    assert rows[0]["fields"] == {"cpa_s": 42, "range_m": 1200.5, "tracks": ["A1", "B7"]}
    assert rows[0]["received_utc"] == "2026-05-10T07:00:20.000Z"
    assert rows[0]["consistent"] is True


def test_calls_as_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "--db", str(db), "--format", "csv", "--until", "2026-05-10")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["call_id"] for r in rows] == ["c1", "c2"]
    assert rows[0]["outcome"] == "answered" and rows[0]["transmissions"] == "2"
    assert json.loads(rows[0]["notes"])[0]["text"] == "far end confirms line"


def test_an_empty_range_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "alerts", "--db", str(db), "--until", "2000-01-01")[1] == "(none)\n"


def test_verify_passes_then_names_the_altered_record(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "verify", "--db", str(db))
    assert code == 0 and ": ok: 32 records, 4 calls, 6 alerts" in out
    sql(db, "UPDATE records SET payload = replace(payload, 'OP-A', 'OP-B') WHERE id = 20")
    code, _, err = run(capsys, "verify", "--db", str(db))
    assert code == 1
    assert "FAILED: record 20: altered" in err


def test_export_then_verify_the_export(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "export"
    code, out, _ = run(capsys, "export", "--db", str(db), "--since", to_iso(T0 + DAY_MS),
                       str(out_dir))  # fmt: skip
    assert code == 0 and "exported 16 records, 2 calls, 3 alerts" in out
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["counts"] == {"records": 16, "calls": 2, "alerts": 3}
    assert run(capsys, "verify", "--archive", str(out_dir / "records.jsonl"))[0] == 0
    code, _, err = run(capsys, "export", "--db", str(db), str(out_dir))
    assert code == 1 and "already holds" in err


def test_retain_uses_the_configuration(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text(f'[log]\ndirectory = "{db.parent}"\nretention_days = 1\n')
    code, out, _ = run(capsys, "retain", "--config", str(config))
    assert code == 0 and "moved records 1..32 (32)" in out  # all sample records are old
    assert (db.parent / "archive" / "records-0000000001-0000000032.jsonl").is_file()
    assert run(capsys, "verify", "--config", str(config))[0] == 0
    assert run(capsys, "calls", "--config", str(config))[1] == "(none)\n"


def test_a_missing_database_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "calls", "--db", str(tmp_path / "nope.db"))
    assert code == 1 and "no log database" in err


def test_a_corrupt_database_names_the_recovery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hotline.db"
    path.write_bytes(b"\x00garbage" * 1000)
    code, _, err = run(capsys, "verify", "--db", str(path))
    assert code == 1
    assert str(path) in err and ".recover" in err


def test_a_bad_configuration_exits_78(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text("[log]\nretention_days = -5\n")
    code, _, err = run(capsys, "alerts", "--config", str(config))
    assert code == 78 and "retention_days" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["calls", "--since", "last tuesday"],
        ["alerts", "--format", "xml"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["log", *argv])
    assert exited.value.code == 2


def test_a_time_ranged_export_is_an_unbroken_chain_that_verifies(
    store: LogStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records are stamped when they happen and chained when they commit, so a stamp may be a
    little older than the record before it (a journal line committed ahead of its call). An
    export of a range is the chain from the first record stamped in it to the last, whole, so
    that it verifies; a record inside that span stamped just outside the range is kept."""
    from terminal.log import records

    def line(name: str, at_ms: int) -> int:
        return store.write(*records.journal_event(name, {"at": at_ms}), T0 + at_ms)

    line("RingReceived", 1_000)
    line("Answer", 2_000)
    late = line("Note", 1_990)  # committed after "Answer", stamped before it
    line("Hangup", 3_000)
    out_dir = tmp_path / "export"
    code, out, _ = run(capsys, "export", "--db", str(store.path), "--since",
                       to_iso(T0 + 2_000), str(out_dir))  # fmt: skip
    assert code == 0 and "exported 3 records" in out
    ids = [json.loads(line)["id"] for line in (out_dir / "records.jsonl").read_text().splitlines()]
    assert ids == [late - 1, late, late + 1]
    assert run(capsys, "verify", "--archive", str(out_dir / "records.jsonl"))[0] == 0
