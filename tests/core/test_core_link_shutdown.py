"""Link loss and shutdown in every phase: UNKEY first whenever we hold the transmitter."""

from __future__ import annotations

import pytest

from terminal.core import (
    AnswerPressed,
    CallEnded,
    CallPhase,
    CallPressed,
    LinkDown,
    LinkUp,
    Notice,
    PlayTone,
    PttPressed,
    RingReceived,
    RxChanged,
    SendBridge,
    Shutdown,
    StopTone,
    Tick,
    TransmissionEnded,
)

# --- link loss ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("idle", []),
        ("ringing", [StopTone("ring"), CallEnded(1, "link_lost", 0, 0.0)]),
        ("calling", [StopTone("ringback"), CallEnded(1, "link_lost", 0, 0.0)]),
        ("connected", [CallEnded(1, "link_lost", 0, 0.0)]),
        (
            "keyed",
            [
                SendBridge("UNKEY", "LINK"),
                TransmissionEnded(1, 2.0, "LINK"),
                CallEnded(1, "link_lost", 1, 2.0),
            ],
        ),
    ],
)
def test_link_loss_in_every_phase(desk, setup, expected):
    if setup != "idle":
        getattr(desk, setup)()
    out = desk.send(LinkDown, after=2, reason="heartbeat lost")
    assert desk.plain(out) == expected
    assert out[-1] == Notice("warning", "Radio bridge link down: heartbeat lost.")
    s = desk.state
    assert s.phase is CallPhase.IDLE and not s.link_up and not s.keyed
    assert desk.cc.next_deadline() is None


def test_link_loss_while_keyed_unkeys_first_and_latches_release(desk):
    desk.keyed()
    out = desk.send(LinkDown)
    assert out[0] == SendBridge("UNKEY", "LINK")
    assert desk.state.need_release


def test_link_loss_forgets_the_far_end_transmitting(desk):
    desk.connected()
    desk.send(RxChanged, active=True)
    desk.send(LinkDown)
    assert not desk.state.rx


def test_second_link_loss_is_silent(desk):
    desk.send(LinkDown)
    assert desk.send(LinkDown) == []


def test_link_up_is_told_once(desk):
    desk.send(LinkDown)
    out = desk.send(LinkUp)
    assert desk.levels(out) == ["info"] and desk.plain(out) == []
    assert desk.state.link_up
    assert desk.send(LinkUp) == []


def test_desk_starts_with_the_link_down_by_default(make_desk):
    desk = make_desk(link_up=False)
    assert not desk.state.link_up
    desk.send(LinkUp)
    assert desk.send(CallPressed)[0] == SendBridge("CALL")


def test_ptt_refused_while_the_link_is_down(make_desk):
    """A ring may beat the adapter's link-up report: answering works, keying does not."""
    desk = make_desk(link_up=False)
    desk.send(RingReceived)
    desk.send(AnswerPressed)
    out = desk.send(PttPressed)
    assert desk.plain(out) == [PlayTone("denied")]
    assert desk.levels(out) == ["warning"]
    assert not desk.state.keyed


# --- shutdown -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("idle", [SendBridge("UNKEY", "EXIT")]),
        (
            "ringing",
            [
                SendBridge("UNKEY", "EXIT"),
                SendBridge("REJECT", "EXIT"),
                StopTone("ring"),
                CallEnded(1, "missed", 0, 0.0),
            ],
        ),
        (
            "calling",
            [
                SendBridge("UNKEY", "EXIT"),
                SendBridge("HANGUP", "EXIT"),
                StopTone("ringback"),
                CallEnded(1, "cancelled", 0, 0.0),
            ],
        ),
        (
            "connected",
            [
                SendBridge("UNKEY", "EXIT"),
                SendBridge("HANGUP", "EXIT"),
                CallEnded(1, "answered", 0, 0.0),
            ],
        ),
        (
            "keyed",
            [
                SendBridge("UNKEY", "EXIT"),
                TransmissionEnded(1, 3.0, "EXIT"),
                SendBridge("HANGUP", "EXIT"),
                CallEnded(1, "answered", 1, 3.0),
            ],
        ),
    ],
)
def test_shutdown_in_every_phase(desk, setup, expected):
    if setup != "idle":
        getattr(desk, setup)()
    out = desk.send(Shutdown, after=3, reason="SIGTERM")
    assert desk.plain(out) == expected
    assert out[-1] == Notice("info", "Desk shutting down: SIGTERM.")
    s = desk.state
    assert s.closed and s.phase is CallPhase.IDLE and not s.keyed
    assert desk.cc.next_deadline() is None


def test_shutdown_with_the_link_down_still_unkeys(make_desk):
    desk = make_desk(link_up=False)
    assert desk.send(Shutdown)[0] == SendBridge("UNKEY", "EXIT")


def test_shutdown_unkeys_before_any_overdue_timer(desk):
    desk.keyed()
    out = desk.send(Shutdown, after=90)
    assert out[:2] == [SendBridge("UNKEY", "EXIT"), TransmissionEnded(1, 90.0, "EXIT")]
    assert SendBridge("UNKEY", "TOT") not in out


@pytest.mark.parametrize(
    "kind", [Shutdown, RingReceived, CallPressed, PttPressed, LinkDown, LinkUp, Tick]
)
def test_events_after_shutdown_are_ignored(desk, kind):
    desk.connected()
    desk.send(Shutdown)
    after = desk.state
    assert desk.send(kind, after=100) == []
    assert desk.state == after
