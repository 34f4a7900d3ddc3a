"""The line's versions: which is in force when, which one an alert is checked against, the parse
of typed points, the config line at start-up, and the record in a real log file."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.core.lines import (
    CHANGE_MARGIN_MS,
    CONFIG_ENTRANT,
    MAX_POINTS,
    LineHistory,
    LineVersion,
    PointsError,
    check_name,
    format_points,
    parse_points,
)
from terminal.line_log import entry_of, read_history
from terminal.log import LogWriter
from terminal.log.errors import RecordError
from terminal.log.records import validate

A = ((51.5, -0.2), (51.5, -0.08))
B = ((51.6, -0.2), (51.6, -0.08))
C = ((51.7, -0.2), (51.7, -0.08))


def version(n: int, effective: int, points: tuple[tuple[float, float], ...] = A, **kw: object
            ) -> LineVersion:  # fmt: skip
    fields: dict[str, object] = {"entered_by": "op", "call_id": None, "entered_utc_ms": effective}
    fields.update(kw)
    return LineVersion(n, f"L{n}", points, effective, **fields)  # type: ignore[arg-type]


def test_the_version_in_force_is_the_highest_number_already_effective() -> None:
    h = LineHistory([version(1, 1_000), version(2, 5_000, B), version(3, 3_000, C)])
    assert h.in_force(999) is None
    assert h.in_force(1_000).version == 1  # type: ignore[union-attr]
    assert h.in_force(2_999).version == 1  # type: ignore[union-attr]
    assert h.in_force(3_000).version == 3  # type: ignore[union-attr]
    # version 2 took effect later than 3 but 3 superseded it: it is never in force
    assert h.in_force(10_000).version == 3  # type: ignore[union-attr]
    assert h.next_number() == 4
    assert h.latest.version == 3  # type: ignore[union-attr]


def test_an_alert_naming_version_n_is_checked_against_n_even_after_n_plus_1() -> None:
    h = LineHistory([version(1, 0), version(2, 60_000, B)])
    chosen = h.for_alert(1, computed_utc_ms=120_000)  # computed when 2 was in force
    assert chosen is not None and chosen.version == 1 and chosen.points == A
    assert h.for_alert(2, 10_000).version == 2  # type: ignore[union-attr]
    assert h.for_alert(7, 10_000) is None  # a version this desk never had: separations only
    assert h.for_alert(0, 10_000) is None  # the co-processor's own start-up line


def test_an_alert_naming_no_version_takes_the_one_in_force_unless_a_change_is_near() -> None:
    h = LineHistory([version(1, 0), version(2, 60_000, B)])
    assert h.for_alert(None, 30_000).version == 1  # type: ignore[union-attr]
    assert h.for_alert(None, 90_000).version == 2  # type: ignore[union-attr]
    assert h.for_alert(None, 60_000 - CHANGE_MARGIN_MS + 1) is None
    assert h.for_alert(None, 60_000 + CHANGE_MARGIN_MS - 1) is None
    assert h.for_alert(None, 60_000 + CHANGE_MARGIN_MS + 1).version == 2  # type: ignore[union-attr]


def test_what_a_coprocessor_needs_is_the_version_in_force_and_every_later_one() -> None:
    h = LineHistory([version(1, 0), version(2, 1_000, B), version(3, 9_000, C)])
    assert [v.version for v in h.to_send(500)] == [1, 2, 3]
    assert [v.version for v in h.to_send(2_000)] == [2, 3]
    assert [v.version for v in h.to_send(9_000)] == [3]
    assert LineHistory().to_send(0) == []


def test_points_typed_or_pasted() -> None:
    assert parse_points("51.5,-0.2; 51.5,-0.08") == A
    assert parse_points(" 51.5 , -0.2 ;\n51.5,-0.08;\n") == A
    assert parse_points("51.5,-0.2\n51.5,-0.08") == A
    assert parse_points(format_points(A)) == A


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("51.5,-0.2; 51.5", "point 2 ('51.5'): write it as lat,lon"),
        ("51.5,-0.2; north,-0.08", "point 2 ('north,-0.08'): write it as lat,lon"),
        ("95,-0.2; 51.5,-0.08", "point 1 (95,-0.2): latitude 95 is not within -90..90"),
        ("51.5,-0.2; 51.5,-181", "point 2 (51.5,-181): longitude -181 is not within -180..180"),
        ("51.5,-0.2", "1 point(s): a line needs at least two"),
        ("", "0 point(s): a line needs at least two"),
        ("51.5,-0.2; 51.5,-0.2", "point 2 repeats point 1"),
        ("1e3,2; 3,4", "point 1 ('1e3,2'): write it as lat,lon"),
    ],
)
def test_bad_points_are_named_one_by_one(text: str, expected: str) -> None:
    with pytest.raises(PointsError) as err:
        parse_points(text)
    assert any(expected in e for e in err.value.errors), err.value.errors


def test_every_bad_point_is_reported_not_only_the_first() -> None:
    with pytest.raises(PointsError) as err:
        parse_points("91,0; 1,2; x,y; 1,200")
    assert [e.split(" (")[0] for e in err.value.errors] == ["point 1", "point 3", "point 4"]


def test_at_most_max_points() -> None:
    many = "; ".join(f"{50 + k / 10},{k / 10}" for k in range(MAX_POINTS + 1))
    with pytest.raises(PointsError, match=f"at most {MAX_POINTS}"):
        parse_points(many)
    assert len(parse_points(many.rsplit(";", 1)[0])) == MAX_POINTS


def test_names() -> None:
    assert check_name("LINE-2b") is None
    assert check_name("") is not None
    assert check_name("has space") is not None
    assert check_name("x" * 17) is not None


def test_the_config_line_is_version_1_then_a_new_version_only_when_it_changes() -> None:
    h = LineHistory()
    v1 = h.config_version("LINE", A, 1_000, desk="s/d")
    assert v1 is not None and (v1.version, v1.entered_by, v1.effective_utc_ms) == (
        1,
        "config",
        1_000,
    )
    h.add(v1)
    assert h.config_version("LINE", A, 2_000) is None  # unchanged: nothing written
    h.add(version(2, 3_000, B))  # entered at the console
    assert h.config_version("LINE", A, 4_000) is None  # the console's version stays in force
    v3 = h.config_version("LINE", C, 5_000)  # the config file was edited
    assert v3 is not None and (v3.version, v3.entered_by, v3.points) == (3, CONFIG_ENTRANT, C)
    assert LineHistory().config_version("LINE", (), 0) is None  # no line configured


def test_a_version_round_trips_through_a_real_log(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    writer = LogWriter.open(path)
    v1 = version(1, 1_000, A, entered_by="config", entered_utc_ms=1_000, desk="s/d")
    v2 = version(2, 9_000, B, entered_by="alice", call_id="c-7", entered_utc_ms=5_000, desk="s/d")
    for v in (v1, v2):
        writer.submit(*entry_of(v), utc_ms=v.entered_utc_ms).result(timeout=10)
    assert writer.close(timeout=10)
    h = read_history(path)
    assert h.versions() == [v1, v2]


def test_the_record_kind_is_checked() -> None:
    kind, payload = entry_of(version(1, 0))
    validate(kind, payload)
    with pytest.raises(RecordError, match="points"):
        validate(kind, {**payload, "points": "51,0;52,0"})
    with pytest.raises(RecordError, match="version"):
        validate(kind, {k: v for k, v in payload.items() if k != "version"})


def test_hotline_log_lines_lists_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from terminal.cli import main
    from terminal.zulu import now_ms

    path = tmp_path / "hotline.db"
    assert main(["log", "lines", "--db", str(path)]) != 0  # no log there: an error, not a crash
    capsys.readouterr()
    writer = LogWriter.open(path)
    now = now_ms()
    v1 = version(1, now - 60_000, A, entered_by="config", entered_utc_ms=now - 60_000, desk="s/d")
    v2 = version(2, now - 1_000, B, entered_by="alice", call_id="c-7", entered_utc_ms=now - 5_000)
    v3 = version(3, now + 3_600_000, C, entered_by="bob", entered_utc_ms=now - 1_000)
    for v in (v1, v2, v3):
        writer.submit(*entry_of(v), utc_ms=v.entered_utc_ms).result(timeout=10)
    assert writer.close(timeout=10)
    assert main(["log", "lines", "--db", str(path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["VER", "NAME", "STATE", "EFFECTIVE"]
    assert table[2].split()[:3] == ["1", "L1", "superseded"]
    assert table[3].split()[:4] == ["2", "L2", "in", "force"]
    assert table[3].split()[6:8] == ["alice", "c-7"]
    assert table[3].endswith("51.6,-0.2; 51.6,-0.08")
    assert table[4].split()[:3] == ["3", "L3", "pending"]
    assert main(["log", "lines", "--db", str(path), "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["state"] for r in rows] == ["superseded", "in force", "pending"]
    assert rows[1]["call_id"] == "c-7" and rows[1]["points"] == [[51.6, -0.2], [51.6, -0.08]]


def test_the_versions_in_force_over_a_period() -> None:
    from terminal.core.lines import periods

    h = LineHistory([version(1, 0), version(2, 5_000, B), version(3, 20_000, C),
                     version(4, 15_000, A)])  # fmt: skip
    got = [(v.version, a, b) for v, a, b in periods(h, 1_000, 30_000)]
    # 4 took effect at 15 s and superseded 3 (a lower number) before it ever was in force
    assert got == [(1, 1_000, 5_000), (2, 5_000, 15_000), (4, 15_000, 30_000)]
    assert periods(LineHistory(), 0, 10) == []
    assert [v.version for v, _, _ in periods(h, 16_000, 17_000)] == [4]


def test_the_shift_report_lists_the_versions_of_the_range(tmp_path: Path) -> None:
    from terminal.report import write_report

    path = tmp_path / "hotline.db"
    writer = LogWriter.open(path)
    t0 = 1_765_000_000_000
    v1 = version(1, t0 - 3_600_000, A, entered_by="config", entered_utc_ms=t0 - 3_600_000)
    v2 = version(2, t0 + 600_000, B, entered_by="alice", call_id="c-7", entered_utc_ms=t0 + 500_000)
    for v in (v1, v2):
        writer.submit(*entry_of(v), utc_ms=v.entered_utc_ms).result(timeout=10)
    assert writer.close(timeout=10)
    out = tmp_path / "report.html"
    write_report(path, out, t0, t0 + 3_600_000, line=C, line_id="CFG", generated_ms=t0)
    page = out.read_text(encoding="utf-8")
    rows = page.split('<tr class="line-version">')[1:]
    assert len(rows) == 2
    assert rows[0].startswith("<td>v1</td><td>L1</td>") and "config" in rows[0]
    assert rows[1].startswith("<td>v2</td><td>L2</td>") and "alice" in rows[1] and "c-7" in rows[1]
    assert "51.6,-0.2; 51.6,-0.08" in rows[1]
    assert "version 2 L2, in force at the end of the range" in page
    assert page.count('class="line-old"') == 1 and "L2 (v2)" in page  # v1 dashed, v2 the line
