"""The co-processor's alert decisions, and the terminal's recomputation of an alert's numbers."""

from __future__ import annotations

import pytest
from kernel_helpers import offset, pair, row

from terminal.kernel.line import Line
from terminal.kernel.picture import Picture
from terminal.kernel.report import Member, Separation, measure_pair, pair_id, quantize
from terminal.kernel.thresholds import ADVISORY, CRITICAL, WARNING
from terminal.kernel.verify import disagreements
from terminal.kernel.watch import Clear, Decision, Finding, Issue, Outbox, Watch

A = Member("A", 50.0, 0.0, 20000, 0.0, 200.0, 0.0)
B = Member("B", 50.0, 0.2, 20000, 0.0, -200.0, 0.0)
NUMS = Separation(14_300.0, 0.0, 35.7, 0.0)


def finding(pid: str, severity: int, utc_ms: int = 0) -> Finding:
    return Finding(pid, "TRACK", severity, utc_ms, A, B, NUMS)


def alerts(out: list[Decision]) -> list[tuple[str, int]]:
    return [(d.pair_id, d.severity) for d in out if isinstance(d, Finding)]


def clears(out: list[Decision]) -> list[str]:
    return [c.pair_id for c in out if isinstance(c, Clear)]


def drain(box: Outbox) -> list[tuple[str, int | None, int]]:
    """(pair, alert_seq or None for a CLEAR, severity) in the order the link gets them."""
    out = []
    while (item := box.pop()) is not None:
        if isinstance(item, Issue):
            out.append((item.pair_id, item.alert_seq, item.finding.severity))
        else:
            out.append((item.pair_id, None, item.severity))
    return out


def test_new_pairs_and_rises_are_decided_at_once_most_severe_first() -> None:
    w = Watch(hold_s=2.0)
    out = w.decide([finding("A/B", ADVISORY), finding("C/D", CRITICAL)], 0.0)
    assert alerts(out) == [("C/D", CRITICAL), ("A/B", ADVISORY)]
    assert w.decide([finding("A/B", ADVISORY), finding("C/D", CRITICAL)], 1.0) == []
    out = w.decide([finding("A/B", WARNING), finding("C/D", CRITICAL)], 2.0)
    assert alerts(out) == [("A/B", WARNING)]


def test_lower_severity_and_clear_wait_for_the_hold() -> None:
    w = Watch(hold_s=2.0)
    w.decide([finding("A/B", CRITICAL)], 0.0)
    assert w.decide([finding("A/B", WARNING)], 1.0) == []
    assert w.decide([finding("A/B", CRITICAL)], 2.0) == []  # back up: the hold restarts
    assert w.decide([finding("A/B", WARNING)], 3.0) == []
    assert alerts(w.decide([finding("A/B", WARNING)], 5.0)) == [("A/B", WARNING)]
    assert w.decide([], 6.0) == []
    out = w.decide([], 8.0)
    assert out == [Clear("A/B", WARNING)]
    assert w.open_findings() == []
    assert alerts(w.decide([finding("A/B", ADVISORY)], 9.0)) == [("A/B", ADVISORY)]


def test_zero_hold_clears_at_once() -> None:
    w = Watch(hold_s=0.0)
    w.decide([finding("A/B", WARNING)], 0.0)
    assert clears(w.decide([], 0.5)) == ["A/B"]


def test_outbox_numbers_alerts_as_they_leave_most_severe_first() -> None:
    box = Outbox()
    box.put(finding("A/B", ADVISORY))
    box.put(finding("C/D", CRITICAL))
    box.put(Clear("E/F", WARNING))
    assert len(box) == 3
    assert drain(box) == [("C/D", 1, CRITICAL), ("E/F", None, WARNING), ("A/B", 2, ADVISORY)]
    assert len(box) == 0 and box.pop() is None


def test_outbox_coalesces_updates_but_never_hides_a_worse_alert() -> None:
    box = Outbox()
    box.put(finding("A/B", WARNING, utc_ms=1))
    box.put(finding("A/B", WARNING, utc_ms=2))  # newer numbers: replaces
    box.put(finding("A/B", CRITICAL, utc_ms=3))  # worse: replaces too
    box.put(finding("A/B", ADVISORY, utc_ms=4))  # better: queued behind, not instead
    box.put(Clear("A/B", ADVISORY))  # the CLEAR goes last, the alerts still go
    assert len(box) == 3
    first = box.pop()
    assert isinstance(first, Issue) and first.finding.computed_utc_ms == 3
    assert drain(box) == [("A/B", 2, ADVISORY), ("A/B", None, ADVISORY)]


def test_outbox_gives_back_in_order_and_keeps_numbers() -> None:
    box = Outbox()
    for pid in ("A/B", "C/D", "E/F"):
        box.put(finding(pid, WARNING))
    one, two = box.pop(), box.pop()
    assert isinstance(one, Issue) and isinstance(two, Issue)
    box.give_back([one, two])  # the link failed them: same numbers, first in line
    assert drain(box) == [("A/B", 1, WARNING), ("C/D", 2, WARNING), ("E/F", 3, WARNING)]
    box.put(finding("G/H", WARNING))
    box.clear()
    assert box.pop() is None and box.next_seq == 4


def test_cycle_runs_the_kernel_on_the_wire_precision_picture() -> None:
    pic = pair(50.0, 0.0, range_m=460 * 30, bearing=90.0, va=(230.0, 90.0), vb=(230.0, 270.2))
    w = Watch()
    out = w.cycle(pic, 0.0, 1234)
    assert len(out) == 1 and isinstance(out[0], Finding)
    f = out[0]
    assert f.pair_id == "A/B" and f.kind == "TRACK" and f.severity == CRITICAL
    assert f.computed_utc_ms == 1234
    q = quantize(pic)
    assert f.a.lat == float(q.lat[0]) and f.b.vn_ms == float(q.vn[1])
    # the numbers are exactly what the terminal recomputes from the members as sent
    assert measure_pair(f.a, f.b) == f.numbers
    assert w.last_candidates == 1


def test_cycle_alerts_the_line() -> None:
    line = Line("DL", ((49.0, 1.0), (51.0, 1.0)))
    lat, lon = offset(50.0, 1.0, 270.0, 4000.0)
    pic = Picture.from_rows([row("RAF1", lat, lon, 15000, 250.0, 90.0)])
    out = Watch(line=line).cycle(pic, 0.0, 0)
    assert len(out) == 1 and isinstance(out[0], Finding)
    f = out[0]
    assert f.pair_id == "RAF1/DL" and f.kind == "LINE" and f.b.id == "DL-1"
    assert f.severity == CRITICAL  # 16 s to the line
    assert f.numbers.miss_m == 0.0 and f.numbers.tcpa_s == pytest.approx(16.0, rel=0.02)
    check = disagreements("LINE", f.a, f.b, f.numbers, tolerance_pct=5.0, line=line)
    assert check == ()


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
