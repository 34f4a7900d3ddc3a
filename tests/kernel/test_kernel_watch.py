"""The co-processor's alert decisions, and the terminal's recomputation of an alert's numbers."""

from __future__ import annotations

import pytest
from kernel_helpers import offset, pair, row

from terminal.kernel.line import Line
from terminal.kernel.picture import Picture
from terminal.kernel.report import Member, Separation, measure_pair, pair_id, quantize
from terminal.kernel.thresholds import ADVISORY, CRITICAL, WARNING
from terminal.kernel.verify import disagreements
from terminal.kernel.watch import Clear, Finding, Issue, Watch

A = Member("A", 50.0, 0.0, 20000, 0.0, 200.0, 0.0)
B = Member("B", 50.0, 0.2, 20000, 0.0, -200.0, 0.0)
NUMS = Separation(14_300.0, 0.0, 35.7, 0.0)


def finding(pid: str, severity: int) -> Finding:
    return Finding(pid, "TRACK", severity, A, B, NUMS)


def issues(out: list[Issue | Clear]) -> list[tuple[int, str, int]]:
    return [(i.alert_seq, i.pair_id, i.severity) for i in out if isinstance(i, Issue)]


def clears(out: list[Issue | Clear]) -> list[str]:
    return [c.pair_id for c in out if isinstance(c, Clear)]


def test_new_pairs_and_rises_are_alerted_at_once_most_severe_first() -> None:
    w = Watch(hold_s=2.0)
    out = w.decide([finding("A/B", ADVISORY), finding("C/D", CRITICAL)], 0.0, 1000)
    assert issues(out) == [(1, "C/D", CRITICAL), (2, "A/B", ADVISORY)]
    assert w.decide([finding("A/B", ADVISORY), finding("C/D", CRITICAL)], 1.0, 2000) == []
    out = w.decide([finding("A/B", WARNING), finding("C/D", CRITICAL)], 2.0, 3000)
    assert issues(out) == [(3, "A/B", WARNING)]
    assert out[0].computed_utc_ms == 3000  # type: ignore[union-attr]


def test_lower_severity_and_clear_wait_for_the_hold() -> None:
    w = Watch(hold_s=2.0)
    w.decide([finding("A/B", CRITICAL)], 0.0, 0)
    assert w.decide([finding("A/B", WARNING)], 1.0, 0) == []
    assert w.decide([finding("A/B", CRITICAL)], 2.0, 0) == []  # back up: the hold restarts
    assert w.decide([finding("A/B", WARNING)], 3.0, 0) == []
    assert issues(w.decide([finding("A/B", WARNING)], 5.0, 0)) == [(2, "A/B", WARNING)]
    assert w.decide([], 6.0, 0) == []
    assert clears(w.decide([], 8.0, 0)) == ["A/B"]
    assert w.open_issues() == []
    assert issues(w.decide([finding("A/B", ADVISORY)], 9.0, 0)) == [(3, "A/B", ADVISORY)]


def test_zero_hold_clears_at_once() -> None:
    w = Watch(hold_s=0.0)
    w.decide([finding("A/B", WARNING)], 0.0, 0)
    assert clears(w.decide([], 0.5, 0)) == ["A/B"]


def test_reissue_numbers_every_open_pair_again() -> None:
    w = Watch()
    w.decide([finding("A/B", ADVISORY), finding("C/D", CRITICAL)], 0.0, 0)
    again = w.reissue(5000)
    assert [(i.alert_seq, i.pair_id) for i in again] == [(3, "C/D"), (4, "A/B")]
    assert all(i.computed_utc_ms == 5000 for i in again)
    assert {i.alert_seq for i in w.open_issues()} == {3, 4}


def test_cycle_runs_the_kernel_on_the_wire_precision_picture() -> None:
    pic = pair(50.0, 0.0, range_m=460 * 30, bearing=90.0, va=(230.0, 90.0), vb=(230.0, 270.2))
    w = Watch()
    out = w.cycle(pic, 0.0, 1234)
    assert len(out) == 1 and isinstance(out[0], Issue)
    issue = out[0]
    assert issue.pair_id == "A/B" and issue.kind == "TRACK" and issue.severity == CRITICAL
    q = quantize(pic)
    assert issue.a.lat == float(q.lat[0]) and issue.b.vn_ms == float(q.vn[1])
    # the numbers are exactly what the terminal recomputes from the members as sent
    assert measure_pair(issue.a, issue.b) == issue.numbers
    assert w.last_candidates == 1


def test_cycle_alerts_the_line() -> None:
    line = Line("DL", ((49.0, 1.0), (51.0, 1.0)))
    lat, lon = offset(50.0, 1.0, 270.0, 4000.0)
    pic = Picture.from_rows([row("RAF1", lat, lon, 15000, 250.0, 90.0)])
    out = Watch(line=line).cycle(pic, 0.0, 0)
    assert len(out) == 1 and isinstance(out[0], Issue)
    issue = out[0]
    assert issue.pair_id == "RAF1/DL" and issue.kind == "LINE" and issue.b.id == "DL-1"
    assert issue.severity == CRITICAL  # 16 s to the line
    assert issue.numbers.miss_m == 0.0 and issue.numbers.tcpa_s == pytest.approx(16.0, rel=0.02)
    assert (
        disagreements("LINE", issue.a, issue.b, issue.numbers, tolerance_pct=5.0, line=line) == ()
    )


def test_pair_ids_fit_the_wire() -> None:
    assert pair_id("RAF123", "4CA2F1") == "RAF123/4CA2F1"
    long_a, long_b = "X" * 24, "Y" * 24
    pid = pair_id(long_a, long_b)
    assert len(pid) == 32 and pid.startswith("XXXXXXXXXXX/YYYYYYYYYYY:")
    assert pid != pair_id(long_a, "Y" * 23 + "Z")


def test_consistent_numbers_pass_and_tampered_ones_are_named() -> None:
    numbers = measure_pair(A, B)
    assert disagreements("TRACK", A, B, numbers, tolerance_pct=5.0) == ()
    off = Separation(numbers.hsep_m * 1.2, numbers.vsep_ft + 500, numbers.tcpa_s, 3000.0)
    found = disagreements("TRACK", A, B, off, tolerance_pct=5.0)
    assert [f.split()[0] for f in found] == ["hsep", "vsep", "miss"]
    # within the percentage, or within the absolute floor, is not a disagreement
    near = Separation(numbers.hsep_m * 1.04, numbers.vsep_ft + 20, numbers.tcpa_s + 0.9, 14.0)
    assert disagreements("TRACK", A, B, near, tolerance_pct=5.0) == ()
    assert disagreements("TRACK", A, B, near, tolerance_pct=1.0)[0].startswith("hsep")


def test_line_alert_without_the_line_checks_the_distance_only() -> None:
    foot = Member("DL-1", 50.0, 0.1, 0, 0.0, 0.0, 0.0)
    d = measure_pair(A, foot).hsep_m
    good = Separation(d, 0.0, 12.3, 0.0)
    assert disagreements("LINE", A, foot, good, tolerance_pct=5.0) == ()
    bad = Separation(d * 2, 0.0, 12.3, 0.0)
    assert disagreements("LINE", A, foot, bad, tolerance_pct=5.0)[0].startswith("hsep")
