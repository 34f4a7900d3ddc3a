"""The alert book: open by pair, update, re-alert, acknowledge, tone, LED, clear, views."""

from __future__ import annotations

import pytest
from alerts_helpers import BOOT, T0_MS, alert, names, of

from terminal.core.alert_effects import AlertAckLogged, AlertClosedLogged, AlertLogged, AlertTone
from terminal.core.alert_events import AlertAcknowledged, AlertCleared
from terminal.core.alerts import AlertBook
from terminal.core.effects import Notice
from terminal.desk_records import alert_fields
from terminal.zulu import to_iso


def ack(pair_id: str, at: float, who: str = "OPS-7") -> AlertAcknowledged:
    return AlertAcknowledged(at, T0_MS + round(at * 1000), pair_id, who)


def clear(pair_id: str, at: float) -> AlertCleared:
    return AlertCleared(at, T0_MS + round(at * 1000), BOOT, pair_id)


def test_a_new_alert_is_logged_shown_and_sounded() -> None:
    book = AlertBook()
    out = book.handle(alert("RAF1/4CA2F1", 1, "warning"))
    assert names(out) == ["AlertLogged", "Notice", "AlertTone"]
    logged = out[0]
    assert isinstance(logged, AlertLogged)
    assert logged.alert_id == f"{BOOT}:1" and logged.consistent and logged.severity == "warning"
    assert logged.alert.a.id == "RAF1" and logged.alert.computed_utc_ms == T0_MS - 50
    fields = alert_fields(logged.alert)  # as the log adapter writes them: wire names
    assert fields["a_id"] == "RAF1" and fields["severity"] == "WARNING"
    assert fields["computed_at"] == to_iso(T0_MS - 50)
    assert out[2] == AlertTone("alert_warning", None)
    assert book.highest_open_severity() == "warning"
    (view,) = book.views()
    assert view.pair_id == "RAF1/4CA2F1" and view.kind == "TRACK" and not view.suspect
    assert view.first_seen_utc == view.updated_utc == "2025-03-01T12:00:00.000Z"
    assert view.a.id == "RAF1" and view.b.alt_ft == 12500
    assert view.acknowledged_by is None


def test_an_update_of_the_pair_updates_and_never_duplicates() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1, "warning", at=0.0))
    out = book.handle(alert("A/B", 2, "warning", at=2.0, range_m=7000.0))
    assert names(out) == ["AlertLogged", "AlertClosedLogged"]
    assert of(out, AlertClosedLogged)[0].alert_id == f"{BOOT}:1"
    assert of(out, AlertClosedLogged)[0].reason == "superseded"
    (view,) = book.views()
    assert view.horizontal_m == pytest.approx(7000.0, abs=1.0)
    assert view.first_seen_utc.endswith("12:00:00.000Z") and view.updated_utc.endswith("02.000Z")
    assert len(book) == 1


def test_a_rise_in_severity_re_alerts() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1, "advisory"))
    book.handle(ack("A/B", 1.0))
    assert book.views()[0].acknowledged_by == "OPS-7"
    out = book.handle(alert("A/B", 2, "critical", at=2.0))
    assert book.views()[0].acknowledged_by is None
    assert AlertTone("alert_critical", None) in out
    assert any(isinstance(e, Notice) and "raised" in e.text for e in out)
    assert book.unacknowledged() == 1


def test_a_lower_severity_keeps_the_acknowledgement() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1, "critical"))
    book.handle(ack("A/B", 1.0))
    out = book.handle(alert("A/B", 2, "warning", at=2.0))
    assert book.views()[0].acknowledged_by == "OPS-7"
    assert of(out, AlertTone) == []  # still silent
    assert book.highest_open_severity() == "warning"


def test_acknowledgement_records_who_and_when_and_silences() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1, "critical"))
    out = book.handle(ack("A/B", 3.5, "OPS-7"))
    assert out == [
        AlertAckLogged(T0_MS + 3500, f"{BOOT}:1", "A/B", "OPS-7"),
        AlertTone(None, "alert_critical"),
    ]
    view = book.views()[0]
    assert view.acknowledged_by == "OPS-7" and view.acknowledged_utc == "2025-03-01T12:00:03.500Z"
    assert book.highest_open_severity() == "critical"  # the LED still shows it
    assert book.handle(ack("A/B", 4.0, "OPS-8")) == []  # acknowledged once
    assert book.handle(ack("X/Y", 4.0)) == [] and not book.is_open("X/Y")


def test_the_tone_follows_the_highest_unacknowledged_severity() -> None:
    book = AlertBook()
    tones = []
    for event in (
        alert("A/B", 1, "advisory"),
        alert("C/D", 2, "critical"),
        alert("E/F", 3, "warning"),
        ack("C/D", 1.0),
        ack("E/F", 2.0),
        ack("A/B", 3.0),
    ):
        tones += [(t.name, t.previous) for t in of(book.handle(event), AlertTone)]
    assert tones == [
        ("alert_advisory", None),
        ("alert_critical", "alert_advisory"),
        ("alert_warning", "alert_critical"),
        ("alert_advisory", "alert_warning"),
        (None, "alert_advisory"),
    ]


def test_clear_closes_the_alert() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1, "critical"))
    book.handle(alert("C/D", 2, "advisory"))
    out = book.handle(clear("A/B", 5.0))
    assert of(out, AlertClosedLogged) == [
        AlertClosedLogged(T0_MS + 5000, f"{BOOT}:1", "A/B", "cleared")
    ]
    assert AlertTone("alert_advisory", "alert_critical") in out
    assert [v.pair_id for v in book.views()] == ["C/D"]
    assert book.highest_open_severity() == "advisory"
    assert book.handle(clear("A/B", 6.0)) == []  # already closed
    book.handle(clear("C/D", 7.0))
    assert book.highest_open_severity() is None and book.views() == ()


def test_views_are_most_severe_first_then_oldest() -> None:
    book = AlertBook()
    for seq, (pid, sev, at) in enumerate(
        [("P/1", "advisory", 0.0), ("P/2", "critical", 1.0), ("P/3", "warning", 2.0),
         ("P/4", "critical", 3.0), ("P/5", "advisory", 4.0)], start=1
    ):  # fmt: skip
        book.handle(alert(pid, seq, sev, at=at))  # type: ignore[arg-type]
    assert [v.pair_id for v in book.views()] == ["P/2", "P/4", "P/3", "P/1", "P/5"]
    assert [v.pair_id for v in book.views(limit=2)] == ["P/2", "P/4"]
    # P/1 rises to critical: it keeps its first-seen time, so it is now the oldest critical
    book.handle(alert("P/1", 6, "critical", at=5.0))
    assert [v.pair_id for v in book.views()] == ["P/1", "P/2", "P/4", "P/3", "P/5"]


def test_line_alerts_are_checked_against_the_line() -> None:
    from terminal.core.alerts import AlertSettings
    from terminal.kernel.line import Line
    from terminal.kernel.report import measure_line

    line = Line("DL", ((51.0, 0.0), (52.0, 0.0)))
    base = alert("RAF1/DL", 1, "critical", kind="LINE")
    nums, foot = measure_line(base.a, line)
    good = type(base)(base.at, base.utc_ms, BOOT, 1, "RAF1/DL", "LINE", "critical",
                      base.computed_utc_ms, base.a, foot, nums.hsep_m, 0.0, nums.tcpa_s,
                      nums.miss_m)  # fmt: skip
    book = AlertBook(AlertSettings(line=line))
    assert of(book.handle(good), AlertLogged)[0].consistent
    bad = type(good)(**{**{f: getattr(good, f) for f in good.__slots__}, "alert_seq": 2,
                        "tcpa_s": good.tcpa_s + 60.0})  # fmt: skip
    logged = of(book.handle(bad), AlertLogged)[0]
    assert not logged.consistent and logged.disagreements[0].startswith("tcpa")
    assert book.views()[0].kind == "LINE" and book.views()[0].suspect


def test_the_terminal_side_does_not_import_scipy() -> None:
    # SciPy takes most of a second to import: only the co-processor builds a k-d tree
    import subprocess
    import sys

    code = "import sys, terminal.core.alerts, hw.coproc; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
