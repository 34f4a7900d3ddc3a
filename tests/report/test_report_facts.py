"""The report's facts and page from a real log file: the counts, the outages, the escaping."""

from __future__ import annotations

import re
from pathlib import Path

from terminal.log import LogReader
from terminal.report import collect, render, write_report
from tests.report.conftest import LINE, MIN, T0

UNTIL = T0 + 120 * MIN


def facts(db: Path, since: int = T0, until: int = UNTIL):  # type: ignore[no-untyped-def]
    with LogReader(db) as reader:
        return collect(reader, since, until, generated_ms=UNTIL, line=LINE, line_id="L1")


def test_the_counts(shift_db: Path) -> None:
    f = facts(shift_db)
    assert len(f.calls) == 2 and dict(f.call_outcomes) == {"answered": 1, "no_answer": 1}
    assert f.alerts_total == 4
    assert dict(f.by_severity) == {"advisory": 1, "critical": 1, "warning": 2}
    assert f.open_total == 1 and f.open_at_handover[0].alert_id == "B00T:3"
    assert f.acked == 1 and f.ack_mean_s == 30.0 and f.suspect == 1
    assert f.closest_hsep_m == 3501.0
    assert [a.alert_id for a in f.alert_rows] == ["B00T:2", "B00T:4", "B00T:3", "B00T:1"]


def test_outages_desk_stops_and_clock_faults(shift_db: Path) -> None:
    f = facts(shift_db)
    got = [(o.what, o.start_utc_ms, o.end_utc_ms) for o in f.outages]
    assert got == [
        ("radio link", T0 + 1 * MIN, T0 + 4 * MIN),
        ("clock fault", T0 + 60 * MIN, T0 + 91 * MIN),
        ("desk stopped", T0 + 100 * MIN, None),
        ("radio link", T0 + 100 * MIN, None),
    ]


def test_a_range_holds_only_what_is_in_it(shift_db: Path) -> None:
    f = facts(shift_db, T0 + 15 * MIN, T0 + 35 * MIN)
    assert len(f.calls) == 1 and f.alerts_total == 2
    assert f.open_total == 0  # B00T:1 and :2 were closed by 35 min
    f = facts(shift_db, T0 + 30 * MIN, T0 + 32 * MIN)
    assert f.open_total == 1 and f.open_at_handover[0].alert_id == "B00T:2"  # closed at 33


def test_the_head_fingerprint_is_the_chain_head(shift_db: Path) -> None:
    f = facts(shift_db)
    with LogReader(shift_db) as reader:
        head_id, head_hash = reader.head()
    assert f.head_id == head_id
    assert f.fingerprint.replace(" ", "") == head_hash.hex()[:16]
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", f.fingerprint)


def test_every_field_from_the_log_is_escaped(shift_db: Path) -> None:
    page = render(facts(shift_db))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 2  # the note and the pair


def test_the_page_says_what_it_holds(shift_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    f = write_report(shift_db, out, T0, UNTIL, line=LINE, line_id="L1", generated_ms=UNTIL)
    page = out.read_text(encoding="utf-8")
    assert '<dd id="count-calls">2</dd>' in page and '<dd id="count-alerts">4</dd>' in page
    assert '<dd id="count-open">1</dd>' in page
    assert "2026-12-07T08:00:00.000Z" in page and "2026-12-07T10:00:00.000Z" in page
    assert f.fingerprint in page and "configured</b> line L1" in page
    assert '<polyline id="line"' in page and page.count('class="mark"') == 8
    assert 'href="file://' in page and "call-1.wav" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not list(out.parent.glob(".*.tmp"))


def test_an_empty_range_and_no_line(shift_db: Path) -> None:
    with LogReader(shift_db) as reader:
        f = collect(reader, T0 - 10 * MIN, T0, generated_ms=T0)
    page = render(f)
    assert f.alerts_total == 0 and not f.calls
    assert "No calls in the range." in page and "No deconfliction line is configured" in page
    assert "nothing to draw" in page
