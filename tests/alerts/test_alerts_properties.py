"""Properties of the alert book under any sequence of events (hypothesis)."""

from __future__ import annotations

from alerts_helpers import T0_MS, alert
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.core.alert_effects import (
    AlertAckLogged,
    AlertClosedLogged,
    AlertLogged,
    AlertReminder,
    AlertTone,
)
from terminal.core.alert_events import (
    AlertAcknowledged,
    AlertCleared,
    AlertEvent,
    AlertReceived,
    AlertTick,
    CoprocStatus,
)
from terminal.core.alerts import RANK, AlertBook, AlertSettings
from terminal.core.effects import Notice

PAIRS = ["A/B", "C/D", "E/F", "G/H"]
TIMER_EFFECTS = (AlertReminder, AlertClosedLogged, AlertTone, Notice)
BOOTS = ["B0070001", "B0070002", "B0070003"]
SEVS = ["advisory", "warning", "critical"]

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("alert"),
            st.integers(0, 3),
            st.sampled_from(SEVS),
            st.sampled_from([0, 1, 1, 1, 2, -1]),
        ),
        st.tuples(st.just("clear"), st.integers(0, 3)),
        st.tuples(st.just("ack"), st.integers(0, 3)),
        st.tuples(st.just("tick"), st.floats(0.0, 40.0)),
        st.tuples(st.just("down")),
        st.tuples(st.just("up"), st.booleans()),
    ),
    max_size=60,
)


def build(script: list[tuple[object, ...]]) -> list[AlertEvent]:
    """Turn a script into timestamped events (time always moves forward)."""
    events: list[AlertEvent] = []
    t, boot, seq = 0.0, 0, 0
    for op in script:
        t += 0.5
        ms = T0_MS + round(t * 1000)
        match op:
            case ("alert", k, sev, step):
                seq = max(0, seq + int(step))  # type: ignore[call-overload]
                events.append(alert(PAIRS[k], seq, sev, at=t, boot=BOOTS[boot]))  # type: ignore[index, arg-type]
            case ("clear", k):
                events.append(AlertCleared(t, ms, BOOTS[boot], PAIRS[k]))  # type: ignore[index]
            case ("ack", k):
                events.append(AlertAcknowledged(t, ms, PAIRS[k], "OPS"))  # type: ignore[index]
            case ("tick", dt):
                t += float(dt)  # type: ignore[arg-type]
                events.append(AlertTick(t, T0_MS + round(t * 1000)))
            case ("down",):
                events.append(CoprocStatus(t, ms, False))
            case ("up", restart):
                if restart and boot < len(BOOTS) - 1:
                    boot, seq = boot + 1, 0
                events.append(CoprocStatus(t, ms, True, BOOTS[boot]))
    return events


@settings(max_examples=200, deadline=None)
@given(script=ops)
def test_book_invariants(script: list[tuple[object, ...]]) -> None:
    book = AlertBook(AlertSettings(critical_repeat_s=5.0, restart_grace_s=3.0))
    tone: str | None = None
    logged: set[str] = set()
    closed: list[str] = []
    seen: set[tuple[str, int]] = set()
    for ev in build(script):
        out = book.handle(ev)
        if isinstance(ev, AlertReceived):
            key = (ev.boot_id, ev.alert_seq)
            ids = [e.alert_id for e in out if isinstance(e, AlertLogged)]
            if key in seen:  # a repeat records nothing (timers due may still fire)
                assert ids == []
                assert all(isinstance(e, TIMER_EFFECTS) for e in out), out
            else:
                assert ids == [f"{ev.boot_id}:{ev.alert_seq}"]  # every new alert is logged
            seen.add(key)
        for e in out:
            if isinstance(e, AlertLogged):
                logged.add(e.alert_id)
            elif isinstance(e, AlertClosedLogged):
                closed.append(e.alert_id)
            elif isinstance(e, AlertTone):
                assert e.previous == tone
                tone = e.name
            elif isinstance(e, AlertAckLogged):
                assert e.alert_id in logged
            elif isinstance(e, AlertReminder):
                assert e.unacknowledged_s >= 5.0 - 1e-9  # never before critical_repeat_s
        views = book.views()
        pair_ids = [v.pair_id for v in views]
        assert len(pair_ids) == len(set(pair_ids)) == len(book)
        keys = [(-RANK[v.severity], v.first_seen_utc) for v in views]
        assert keys == sorted(keys)
        top = max((RANK[v.severity] for v in views), default=0)
        assert book.highest_open_severity() == (SEVS[top - 1] if top else None)
        unacked = max((RANK[v.severity] for v in views if v.acknowledged_by is None), default=0)
        assert tone == (f"alert_{SEVS[unacked - 1]}" if unacked else None)
    # every logged alert is either open now or was closed exactly once
    assert len(closed) == len(set(closed))
    open_ids = set(logged) - set(closed)
    assert len(open_ids) == len(book)


@settings(max_examples=50, deadline=None)
@given(script=ops)
def test_same_events_same_effects(script: list[tuple[object, ...]]) -> None:
    events = build(script)
    one, two = AlertBook(), AlertBook()
    assert [one.handle(e) for e in events] == [two.handle(e) for e in events]
    assert one.views() == two.views()
