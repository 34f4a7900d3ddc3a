"""Outgoing calls: call out, far end answers or declines, call-out time-out, cancel, hang-up."""

from __future__ import annotations

import dataclasses

import pytest

from terminal.core import (
    CallAnswered,
    CallEnded,
    CallPhase,
    CallPressed,
    CallStarted,
    FarAnswered,
    FarHungUp,
    HangupPressed,
    PlayTone,
    RingReceived,
    SendBridge,
    StopTone,
)


def test_call_out(desk):
    out = desk.send(CallPressed)
    assert out == [SendBridge("CALL"), CallStarted(1, "outgoing"), PlayTone("ringback")]
    s = desk.state
    assert (s.phase, s.direction, s.call_id) == (CallPhase.CALLING, "outgoing", 1)
    assert s.display_state() == "CALLING"
    assert desk.cc.next_deadline() == desk.clock + 45


def test_far_answer_connects(desk):
    desk.calling()
    out = desk.send(FarAnswered, after=6)
    assert out == [StopTone("ringback"), CallAnswered(1)]
    assert desk.state.phase is CallPhase.CONNECTED
    assert desk.state.answered_at == desk.clock
    assert desk.cc.next_deadline() is None


def test_call_out_time_out_hangs_up_with_no_answer(desk):
    desk.calling()
    start = desk.clock
    assert desk.tick_at(start + 44.999) == []
    out = desk.tick_at(start + 45)
    assert desk.plain(out) == [
        SendBridge("HANGUP", "TIMEOUT"),
        StopTone("ringback"),
        CallEnded(1, "no_answer", 0, 0.0),
    ]
    assert desk.state.phase is CallPhase.IDLE


def test_hangup_while_calling_cancels(desk):
    desk.calling()
    out = desk.send(HangupPressed, after=3)
    assert out == [SendBridge("HANGUP"), StopTone("ringback"), CallEnded(1, "cancelled", 0, 0.0)]
    assert desk.state.phase is CallPhase.IDLE


def test_far_end_declining_our_call_is_rejected(desk):
    desk.calling()
    out = desk.send(FarHungUp, after=3)
    assert desk.plain(out) == [StopTone("ringback"), CallEnded(1, "rejected", 0, 0.0)]
    assert desk.levels(out) == ["info"]


def test_glare_a_ring_crossing_our_call_connects(desk):
    desk.calling()
    out = desk.send(RingReceived, after=1)
    assert desk.plain(out) == [SendBridge("ANSWER"), StopTone("ringback"), CallAnswered(1)]
    assert desk.state.phase is CallPhase.CONNECTED
    assert desk.state.direction == "outgoing"


def test_call_refused_while_the_link_is_down(make_desk):
    desk = make_desk(link_up=False)
    out = desk.send(CallPressed)
    assert desk.plain(out) == [PlayTone("denied")]
    assert desk.levels(out) == ["warning"]
    assert desk.state.phase is CallPhase.IDLE


@pytest.mark.parametrize("setup", ["ringing", "calling", "connected"])
def test_call_in_the_wrong_phase_only_tells_the_operator(desk, setup):
    getattr(desk, setup)()
    before = desk.state
    out = desk.send(CallPressed)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["info"]
    assert desk.state == before


@pytest.mark.parametrize("setup", ["idle", "ringing", "connected"])
def test_unexpected_far_answer_is_ignored(desk, setup):
    if setup != "idle":
        getattr(desk, setup)()
    before = desk.state
    out = desk.send(FarAnswered)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["warning"]
    assert dataclasses.replace(desk.state, now=before.now) == before


def test_hangup_a_connected_call(desk):
    desk.connected_out()
    out = desk.send(HangupPressed, after=20)
    assert out == [SendBridge("HANGUP"), CallEnded(1, "answered", 0, 0.0)]
    assert desk.state.phase is CallPhase.IDLE


def test_far_end_hangs_up_a_connected_call(desk):
    desk.connected_out()
    out = desk.send(FarHungUp, after=20)
    assert desk.plain(out) == [CallEnded(1, "answered", 0, 0.0)]
    assert desk.levels(out) == ["info"]
    assert desk.state.phase is CallPhase.IDLE


def test_hangup_with_no_call_only_tells_the_operator(desk):
    out = desk.send(HangupPressed)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["info"]


def test_far_hangup_with_no_call_is_silent(desk):
    assert desk.send(FarHungUp) == []
