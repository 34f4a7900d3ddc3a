"""`hotline report` as a user runs it: the range, its defaults and its errors, the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK, EX_USAGE, main
from terminal.commands.report import DEFAULT_HOURS, HOUR_MS, default_range, report_name


def test_it_writes_the_range_in_zulu(shift_db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "shift.html"
    code = main([
        "report", "--db", str(shift_db), "--since", "2026-12-07T08:00Z",
        "--until", "2026-12-07T12:00+02:00", "--out", str(out),
    ])  # fmt: skip
    captured = capsys.readouterr()
    assert code == EX_OK, captured.err
    assert captured.out.startswith(
        f"wrote {out}: 2026-12-07T08:00:00.000Z to 2026-12-07T10:00:00.000Z, 2 calls, 4 alerts "
        "(1 open at handover), 4 outages and faults; head "
    )
    assert out.exists() and "2026-12-07T10:00:00.000Z" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("flag", ["--since", "--until"])
@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "12x", ""])
def test_a_bad_time_is_a_usage_error_naming_it(flag: str, bad: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as caught:
        main(["report", "--db", "x.db", flag, bad])
    assert caught.value.code == EX_USAGE
    err = capsys.readouterr().err
    assert f"argument {flag}:" in err and "is not a time" in err


def test_an_empty_or_backwards_range_is_a_usage_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main([
        "report", "--db", str(tmp_path / "x.db"), "--since", "2026-12-07T10:00Z",
        "--until", "2026-12-07T10:00Z",
    ])  # fmt: skip
    assert code == EX_USAGE
    assert "--since 2026-12-07T10:00:00.000Z is not before --until" in capsys.readouterr().err


def test_the_default_range_is_the_last_12_hours() -> None:
    now = 1_796_665_000_000
    assert DEFAULT_HOURS == 12
    assert default_range(now, None, None) == (now - 12 * HOUR_MS, now)
    assert default_range(now, None, now - HOUR_MS) == (now - 13 * HOUR_MS, now - HOUR_MS)
    assert report_name(1_796_670_000_000) == "shift-report-20261207T1900Z.html"


def test_the_default_range_and_name_from_the_cli(  # type: ignore[no-untyped-def]
    shift_db: Path, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--db", str(shift_db)]) == EX_OK
    (written,) = tmp_path.glob("shift-report-*Z.html")
    assert capsys.readouterr().out.startswith(f"wrote {written.name}: ")


def test_a_missing_log_exits_1(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["report", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "r.html")])
    assert code == EX_FAIL and "no log database" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_a_broken_configuration_exits_78(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "hotline.toml"
    config.write_text("[clock]\npoll_s = 0\n")
    assert main(["report", "--config", str(config)]) == EX_CONFIG
    assert "clock.poll_s" in capsys.readouterr().err


def test_the_line_comes_from_the_configuration(shift_db: Path, tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text(
        f'[log]\ndirectory = "{shift_db.parent}"\n'
        '[alerts]\nline_id = "WEST"\nline_points = "51.0,-0.2; 51.1,0.2"\n'
    )
    out = tmp_path / "r.html"
    assert main(["report", "--config", str(config), "--since", "2026-12-07",
                 "--until", "2026-12-08", "--out", str(out)]) == EX_OK  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert "configured</b> line WEST (2 points" in page and '<polyline id="line"' in page
