"""Alerts the log holds open when the desk starts again: restored into the book, so that the
co-processor's re-send is a repeat, its CLEAR or a newer ALERT closes them in the log, and a new
co-processor boot that does not re-issue them closes them after the grace."""

from __future__ import annotations

import dataclasses
import json

from alerts_helpers import BOOT, T0_MS, alert, of

from terminal.core.alert_effects import AlertClosedLogged, AlertGap, AlertLogged, alert_id
from terminal.core.alert_events import (
    AlertCleared,
    AlertsRestored,
    AlertTick,
    CoprocStatus,
    RestoredAlert,
    event_from_dict,
)
from terminal.core.alerts import AlertBook, AlertSettings
from terminal.desk_records import alert_fields, restored_alert
from terminal.log.rows import AlertRow


def restored(*alerts: RestoredAlert, high: int = 9, at: float = 100.0) -> AlertsRestored:
    return AlertsRestored(at, T0_MS + 100_000, alerts, ((BOOT, high),))


def open_one(pair: str, seq: int, acked_by: str | None = None) -> RestoredAlert:
    return RestoredAlert(alert(pair, seq, "critical"), False, acked_by, None if not acked_by else 5)


def test_restored_alerts_are_shown_with_their_acknowledgement_and_make_no_record() -> None:
    book = AlertBook()
    out = book.handle(restored(open_one("A/B", 4, "OP1"), open_one("C/D", 7)))
    assert not of(out, AlertLogged) and not of(out, AlertClosedLogged)
    assert [v.pair_id for v in book.views()] == ["A/B", "C/D"]
    assert book.views()[0].acknowledged_by == "OP1"
    assert book.unacknowledged() == 1 and book.stats["restored"] == 2


def test_a_resend_is_a_repeat_and_the_next_alert_no_gap() -> None:
    book = AlertBook()
    book.handle(restored(open_one("A/B", 4), high=9))
    assert book.handle(alert("A/B", 4, at=101.0)) == []  # the co-processor re-sends it
    assert book.stats["duplicates"] == 1
    out = book.handle(alert("E/F", 10, at=102.0))  # 5..9 were logged (closed): no gap
    assert of(out, AlertLogged) and not of(out, AlertGap)


def test_a_clear_closes_the_restored_alert_in_the_log() -> None:
    book = AlertBook()
    book.handle(restored(open_one("A/B", 4)))
    out = book.handle(AlertCleared(101.0, T0_MS + 101_000, BOOT, "A/B"))
    assert of(out, AlertClosedLogged) == [
        AlertClosedLogged(T0_MS + 101_000, alert_id(BOOT, 4), "A/B", "cleared")
    ]
    assert len(book) == 0


def test_a_newer_alert_supersedes_the_restored_one() -> None:
    book = AlertBook()
    book.handle(restored(open_one("A/B", 4)))
    out = book.handle(alert("A/B", 10, at=101.0))
    assert [c.alert_id for c in of(out, AlertClosedLogged)] == [alert_id(BOOT, 4)]


def test_a_new_coproc_boot_closes_them_after_the_grace() -> None:
    book = AlertBook(AlertSettings(restart_grace_s=10.0))
    book.handle(restored(open_one("A/B", 4)))
    assert book.handle(CoprocStatus(101.0, T0_MS + 101_000, True, "NEWBOOT1")) != []
    out = book.handle(AlertTick(111.5, T0_MS + 111_500))
    assert [(c.alert_id, c.reason) for c in of(out, AlertClosedLogged)] == [
        (alert_id(BOOT, 4), "coproc_restart")
    ]


def test_the_same_coproc_boot_keeps_them_open() -> None:
    book = AlertBook(AlertSettings(restart_grace_s=10.0))
    book.handle(restored(open_one("A/B", 4)))
    book.handle(CoprocStatus(101.0, T0_MS + 101_000, True, BOOT))
    assert not of(book.handle(AlertTick(200.0, T0_MS + 200_000)), AlertClosedLogged)
    assert len(book) == 1


def test_the_restore_event_replays_from_its_journal_form() -> None:
    event = restored(open_one("A/B", 4, "OP1"))
    again = event_from_dict("AlertsRestored", json.loads(json.dumps(dataclasses.asdict(event))))
    assert again == event


def test_a_logged_alert_row_reads_back_as_the_alert_it_was() -> None:
    ev = alert("A/B", 4, "critical", at=3.0)
    row = AlertRow(1, alert_id(BOOT, 4), BOOT, 4, "A/B", "critical", True, ev.utc_ms,
                   json.dumps(alert_fields(ev)), None, None, None, None)  # fmt: skip
    back = restored_alert(row, at=3.0)
    assert back.received == ev and back.suspect is False and back.acked_by is None
