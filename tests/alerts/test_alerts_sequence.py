"""The alert book: duplicates and gaps by (boot, alert_seq), suspect numbers, critical reminders,
co-processor restarts, and the records the log takes."""

from __future__ import annotations

import dataclasses

import pytest
from alerts_helpers import BOOT, T0_MS, alert, names, of

from terminal.core.alert_effects import (
    AlertClosedLogged,
    AlertGap,
    AlertLogged,
    AlertReminder,
    AlertTone,
    CoprocRestarted,
    alert_id,
)
from terminal.core.alert_events import (
    AlertAcknowledged,
    AlertReceived,
    AlertTick,
    CoprocStatus,
    event_from_dict,
)
from terminal.core.alerts import AlertBook, AlertSettings
from terminal.core.effects import Notice
from terminal.desk_records import alert_fields
from terminal.log import records


def tick(at: float) -> AlertTick:
    return AlertTick(at, T0_MS + round(at * 1000))


def status(at: float, up: bool, boot: str = "") -> CoprocStatus:
    return CoprocStatus(at, T0_MS + round(at * 1000), up, boot)


def test_a_repeat_of_boot_and_seq_is_dropped() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 7))
    assert book.handle(alert("A/B", 7)) == []
    assert book.handle(alert("C/D", 7)) == []  # same number: the same alert, whatever it says
    assert book.stats["duplicates"] == 2 and len(book) == 1


def test_a_jump_in_alert_seq_is_reported_and_late_ones_still_count() -> None:
    book = AlertBook()
    book.handle(alert("A/B", 1))
    book.handle(alert("A/B", 2))
    out = book.handle(alert("C/D", 5, at=1.0))
    assert of(out, AlertGap) == [AlertGap(T0_MS + 1000, BOOT, 3, 4)]
    assert any(isinstance(e, Notice) and "alerts 3 to 4 never arrived" in e.text for e in out)
    # 4 turns up late: taken (a new pair opens), then it is a repeat like any other
    assert of(book.handle(alert("E/F", 4, at=2.0)), AlertLogged)
    assert book.handle(alert("E/F", 4, at=3.0)) == []
    assert book.stats["late"] == 1 and book.stats["missing"] == 2
    # 3 late, for a pair whose newer alert (5) is already here: logged, superseded, no change
    before = book.views()
    out = book.handle(alert("C/D", 3, "critical", at=4.0))
    assert names(out) == ["AlertLogged", "AlertClosedLogged"]
    assert of(out, AlertClosedLogged)[0].alert_id == f"{BOOT}:3"
    assert book.views() == before


def test_joining_a_running_coprocessor_is_not_a_gap() -> None:
    book = AlertBook()
    book.handle(status(0.0, True, BOOT))
    out = book.handle(alert("A/B", 500))
    assert of(out, AlertGap) == []
    # what came before is unknown ground: an older number is taken once, never dropped unseen
    assert of(book.handle(alert("C/D", 499)), AlertLogged)
    assert book.handle(alert("C/D", 499)) == []


def test_suspect_numbers_are_shown_and_logged_never_dropped() -> None:
    book = AlertBook(AlertSettings(suspect_tolerance_pct=5.0))
    out = book.handle(alert("A/B", 1, tamper={"hsep_m": 20_000.0, "miss_m": 3000.0}))
    (logged,) = of(out, AlertLogged)
    assert not logged.consistent
    assert [d.split()[0] for d in logged.disagreements] == ["hsep", "miss"]
    assert any(isinstance(e, Notice) and "suspect" in e.text for e in out)
    assert book.views()[0].suspect and book.views()[0].horizontal_m == 20_000.0
    # a later, consistent update of the pair is no longer suspect
    book.handle(alert("A/B", 2))
    assert not book.views()[0].suspect
    # within the tolerance: consistent
    lenient = AlertBook(AlertSettings(suspect_tolerance_pct=50.0))
    assert of(lenient.handle(alert("A/B", 1, tamper={"hsep_m": 12_000.0})), AlertLogged)[
        0
    ].consistent


def test_an_unacknowledged_critical_sounds_again_until_acknowledged() -> None:
    book = AlertBook(AlertSettings(critical_repeat_s=30.0))
    book.handle(alert("A/B", 1, "critical", at=100.0))
    assert book.next_deadline() == 130.0
    assert book.handle(tick(129.9)) == []
    out = book.handle(tick(130.0))
    assert names(out) == ["AlertReminder", "Notice", "AlertTone"]
    assert of(out, AlertReminder)[0] == AlertReminder(T0_MS + 130_000, f"{BOOT}:1", "A/B", 30.0)
    assert of(out, AlertTone)[0] == AlertTone("alert_critical", "alert_critical")
    assert book.next_deadline() == 160.0
    # updates of the same severity neither reset nor add reminders
    book.handle(alert("A/B", 2, "critical", at=140.0))
    assert of(book.handle(tick(150.0)), AlertReminder) == []
    assert len(of(book.handle(tick(160.0)), AlertReminder)) == 1
    book.handle(AlertAcknowledged(165.0, T0_MS, "A/B", "OPS-7"))
    assert book.next_deadline() is None
    assert of(book.handle(tick(400.0)), AlertReminder) == []


def test_only_critical_alerts_repeat_and_a_rise_starts_the_clock() -> None:
    book = AlertBook(AlertSettings(critical_repeat_s=10.0))
    book.handle(alert("A/B", 1, "warning", at=0.0))
    assert book.next_deadline() is None
    book.handle(alert("A/B", 2, "critical", at=5.0))
    assert book.next_deadline() == 15.0
    book.handle(alert("A/B", 3, "warning", at=6.0))
    assert book.next_deadline() is None  # no longer critical


def test_a_late_tick_fires_each_reminder_once() -> None:
    book = AlertBook(AlertSettings(critical_repeat_s=10.0))
    book.handle(alert("A/B", 1, "critical", at=0.0))
    book.handle(alert("C/D", 2, "critical", at=1.0))
    out = book.handle(tick(100.0))
    assert sorted(r.pair_id for r in of(out, AlertReminder)) == ["A/B", "C/D"]
    assert book.next_deadline() == 110.0


def test_a_coprocessor_restart_keeps_what_the_new_boot_reissues_and_closes_the_rest() -> None:
    book = AlertBook(AlertSettings(restart_grace_s=10.0))
    book.handle(status(0.0, True, BOOT))
    book.handle(alert("A/B", 1, "warning", at=1.0))
    book.handle(alert("C/D", 2, "advisory", at=1.0))
    book.handle(status(5.0, False))
    out = book.handle(status(8.0, True, "BEEF0002"))
    assert of(out, CoprocRestarted) == [CoprocRestarted(T0_MS + 8000, BOOT, "BEEF0002", 2)]
    assert len(book) == 2  # nothing closed yet
    assert book.next_deadline() == 18.0
    book.handle(alert("A/B", 1, "warning", at=12.0, boot="BEEF0002"))  # re-issued
    assert book.next_deadline() == 22.0  # the new boot is still talking: wait on
    assert book.handle(tick(21.0)) == []
    out = book.handle(tick(22.0))
    assert of(out, AlertClosedLogged) == [
        AlertClosedLogged(T0_MS + 22_000, f"{BOOT}:2", "C/D", "coproc_restart")
    ]
    assert [v.pair_id for v in book.views()] == ["A/B"]
    assert book.next_deadline() is None


def test_the_grace_waits_for_the_link() -> None:
    book = AlertBook(AlertSettings(restart_grace_s=5.0))
    book.handle(status(0.0, True, BOOT))
    book.handle(alert("A/B", 1, at=0.0))
    book.handle(status(1.0, True, "BEEF0002"))
    book.handle(status(2.0, False))
    assert book.next_deadline() is None
    assert book.handle(tick(100.0)) == [] and len(book) == 1
    out = book.handle(status(101.0, True, "BEEF0002"))  # long past the grace: closes now
    assert of(out, AlertClosedLogged)[0].reason == "coproc_restart"
    assert len(book) == 0


def test_a_witnessed_restart_counts_alerts_from_one() -> None:
    book = AlertBook()
    book.handle(status(0.0, True, BOOT))
    book.handle(alert("A/B", 40))
    book.handle(status(1.0, True, "BEEF0002"))
    out = book.handle(alert("A/B", 3, at=2.0, boot="BEEF0002"))
    assert of(out, AlertGap) == [AlertGap(T0_MS + 2000, "BEEF0002", 1, 2)]
    # a boot we saw start may count from 0 as well; a late 0 after 1 is still taken
    book.handle(status(2.5, True, "BEEF0009"))
    assert of(book.handle(alert("E/F", 1, at=2.6, boot="BEEF0009")), AlertGap) == []
    assert of(book.handle(alert("G/H", 0, at=2.7, boot="BEEF0009")), AlertLogged)
    # an alert from a new boot that arrives before its HELLO is noticed counts as a restart too
    out = book.handle(alert("C/D", 1, at=3.0, boot="BEEF0003"))
    assert of(out, CoprocRestarted)[0].new_boot_id == "BEEF0003"
    assert of(out, AlertGap) == []


def test_records_fit_the_log() -> None:
    book = AlertBook()
    effects = book.handle(alert("RAF1/4CA2F1", 1, tamper={"miss_m": 4000.0}))
    effects += book.handle(alert("RAF1/4CA2F1", 2))
    effects += book.handle(AlertAcknowledged(1.0, T0_MS + 1000, "RAF1/4CA2F1", "OPS-7"))
    entries = []
    for e in effects:
        if isinstance(e, AlertLogged):
            entries.append(records.alert_received(
                alert_fields(e.alert), boot_id=e.boot_id, alert_seq=e.alert_seq, pair_id=e.pair_id,
                severity=e.severity, consistent=e.consistent))  # fmt: skip
        elif isinstance(e, AlertClosedLogged):
            entries.append(records.alert_closed(e.alert_id, e.reason))
        elif type(e).__name__ == "AlertAckLogged":
            entries.append(records.alert_acknowledged(e.alert_id, e.operator))  # type: ignore[union-attr]
    kinds = [k for k, _ in entries]
    assert kinds == ["alert_received", "alert_received", "alert_closed", "alert_acknowledged"]
    assert entries[0][1]["alert_id"] == records.alert_key(BOOT, 1) == alert_id(BOOT, 1)
    assert entries[0][1]["consistent"] is False


def test_events_replay_from_their_journal_form() -> None:
    events = [status(0.0, True, BOOT), alert("A/B", 1, "critical"),
              AlertAcknowledged(1.0, T0_MS, "A/B", "OPS"), tick(50.0)]  # fmt: skip
    again = [event_from_dict(type(e).__name__, dataclasses.asdict(e)) for e in events]
    assert again == events
    one, two = AlertBook(), AlertBook()
    assert [one.handle(e) for e in events] == [two.handle(e) for e in again]


@pytest.mark.parametrize("seq", [0, 2**32 - 1])
def test_alert_seq_edges(seq: int) -> None:
    book = AlertBook()
    out = book.handle(alert("A/B", seq))
    assert isinstance(out[0], AlertLogged) and out[0].alert_seq == seq
    assert isinstance(alert("A/B", seq), AlertReceived)
