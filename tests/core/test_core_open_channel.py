"""Open channel (a plain radio through rigctld): no ring, answer or hang-up; each transmission
and each reception is a call of its own, answered at once, ended when nobody transmits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from terminal.core import (
    BridgeTx,
    CallEnded,
    CallPhase,
    CallPressed,
    CallSettings,
    LinkDown,
    PlayTone,
    PttPressed,
    PttReleased,
    RxChanged,
    SendBridge,
    Shutdown,
    Tick,
    TransmissionEnded,
    TransmissionStarted,
)
from terminal.core.effects import CallAnswered, CallStarted

OPEN = CallSettings(open_channel=True, tx_timeout_s=30, tx_warning_s=5)
Make = Callable[..., Any]


def test_a_press_opens_a_transmission_and_the_release_ends_it(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    out = desk.plain(desk.send(PttPressed, after=1))
    assert out == [SendBridge("KEY"), CallStarted(1, "outgoing"), CallAnswered(1),
                   TransmissionStarted(1)]  # fmt: skip
    assert desk.state.display_state() == "TRANSMITTING"
    out = desk.plain(desk.send(PttReleased, after=2.5))
    assert out == [SendBridge("UNKEY", "PTT"), TransmissionEnded(1, 2.5, "PTT"),
                   CallEnded(1, "answered", 1, 2.5)]  # fmt: skip
    assert desk.state.phase is CallPhase.IDLE and desk.state.display_state() == "IDLE"


def test_the_squelch_opens_and_closes_a_reception(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    assert desk.plain(desk.send(RxChanged, active=True)) == [
        CallStarted(1, "incoming"), CallAnswered(1)
    ]
    assert desk.state.display_state() == "RECEIVING"
    assert desk.plain(desk.send(RxChanged, after=4, active=False)) == [
        CallEnded(1, "answered", 0, 0.0)
    ]
    assert desk.state.phase is CallPhase.IDLE


def test_busy_channel_lockout_refuses_and_opens_no_transmission(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    desk.send(RxChanged, active=True)
    out = desk.plain(desk.send(PttPressed))
    assert out == [PlayTone("denied")]
    assert not desk.state.keyed and desk.state.need_release
    desk.send(PttReleased)
    desk.send(RxChanged, active=False)
    out = desk.plain(desk.send(PttPressed))
    assert out == [SendBridge("KEY"), CallStarted(2, "outgoing"), CallAnswered(2),
                   TransmissionStarted(2)]  # fmt: skip


def test_without_lockout_a_press_during_reception_transmits_within_it(make_desk: Make) -> None:
    desk = make_desk(CallSettings(open_channel=True, busy_channel_lockout=False))
    desk.send(RxChanged, active=True)
    assert desk.plain(desk.send(PttPressed)) == [SendBridge("KEY"), TransmissionStarted(1)]
    desk.send(RxChanged, active=False)  # still keyed: the call goes on
    assert desk.state.phase is CallPhase.CONNECTED
    out = desk.plain(desk.send(PttReleased, after=1))
    assert out[-1] == CallEnded(1, "answered", 1, 1.0)


def test_our_transmission_ending_under_an_open_squelch_hands_over_to_a_reception(
    make_desk: Make,
) -> None:
    desk = make_desk(CallSettings(open_channel=True, busy_channel_lockout=False))
    desk.send(PttPressed)
    desk.send(RxChanged, active=True)
    out = desk.plain(desk.send(PttReleased, after=1))
    assert out[-3:] == [CallEnded(1, "answered", 1, 1.0), CallStarted(2, "incoming"),
                        CallAnswered(2)]  # fmt: skip


def test_the_time_out_timer_ends_the_transmission_and_its_call(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    start = desk.clock
    desk.send(PttPressed)
    out = desk.plain(desk.tick_at(start + 30))
    assert SendBridge("UNKEY", "TOT") in out and out[-1] == CallEnded(1, "answered", 1, 30.0)
    assert desk.state.need_release and desk.state.phase is CallPhase.IDLE
    assert desk.plain(desk.send(PttPressed)) == [PlayTone("denied")]  # release first


def test_the_radio_unkeying_by_itself_ends_the_call(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    desk.send(PttPressed)
    desk.send(BridgeTx, keyed=True, reason="PTT")  # T 1 answered RPRT 0
    out = desk.plain(desk.send(BridgeTx, after=3, keyed=False, reason="RADIO"))
    assert out == [TransmissionEnded(1, 3.0, "RADIO"), CallEnded(1, "answered", 1, 3.0)]


def test_link_down_while_keyed_unkeys_and_ends_the_call_as_link_lost(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    desk.send(PttPressed)
    out = desk.plain(desk.send(LinkDown, after=1, reason="rigctld gone"))
    assert out == [SendBridge("UNKEY", "LINK"), TransmissionEnded(1, 1.0, "LINK"),
                   CallEnded(1, "link_lost", 1, 1.0)]  # fmt: skip


def test_no_reception_opens_while_the_link_is_down(make_desk: Make) -> None:
    desk = make_desk(OPEN, link_up=False)
    assert desk.plain(desk.send(RxChanged, active=True)) == []
    assert desk.state.phase is CallPhase.IDLE


def test_calling_out_is_refused_on_an_open_channel(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    assert desk.plain(desk.send(CallPressed)) == []
    assert desk.state.phase is CallPhase.IDLE


def test_shutdown_while_transmitting_unkeys_first(make_desk: Make) -> None:
    desk = make_desk(OPEN)
    desk.send(PttPressed)
    out = desk.plain(desk.send(Shutdown, after=1, reason="SIGTERM"))
    assert out[0] == SendBridge("UNKEY", "EXIT")
    assert out[-1] == CallEnded(1, "answered", 1, 1.0)
    assert desk.plain(desk.send(Tick, after=1)) == []


def test_without_open_channel_a_press_with_no_call_still_does_not_key(make_desk: Make) -> None:
    desk = make_desk(CallSettings())
    assert desk.plain(desk.send(PttPressed)) == [PlayTone("denied")]
    assert desk.plain(desk.send(RxChanged, active=True)) == []
    assert desk.state.phase is CallPhase.IDLE
