"""Incoming calls: ring, answer (button or PTT), reject, far end gives up, ring time-out."""

from __future__ import annotations

import pytest

from terminal.core import (
    AnswerPressed,
    CallAnswered,
    CallEnded,
    CallPhase,
    CallSettings,
    CallStarted,
    FarHungUp,
    HangupPressed,
    PlayTone,
    PttPressed,
    RejectPressed,
    RingReceived,
    RxChanged,
    SendBridge,
    StopTone,
    TransmissionStarted,
)


def test_ring_starts_an_incoming_call(desk):
    out = desk.send(RingReceived)
    assert out == [CallStarted(1, "incoming"), PlayTone("ring")]
    s = desk.state
    assert (s.phase, s.direction, s.call_id, s.started_at) == (
        CallPhase.RINGING,
        "incoming",
        1,
        desk.clock,
    )
    assert s.display_state() == "RINGING"
    assert desk.cc.next_deadline() == desk.clock + 30


def test_answer_connects(desk):
    desk.ringing()
    out = desk.send(AnswerPressed, after=3)
    assert out == [SendBridge("ANSWER"), StopTone("ring"), CallAnswered(1)]
    assert desk.state.phase is CallPhase.CONNECTED
    assert desk.state.answered_at == desk.clock
    assert desk.state.display_state() == "CONNECTED"
    assert desk.cc.next_deadline() is None


def test_ptt_while_ringing_answers_and_keys(desk):
    desk.ringing()
    out = desk.send(PttPressed, after=2)
    assert out == [
        SendBridge("ANSWER"),
        StopTone("ring"),
        CallAnswered(1),
        SendBridge("KEY"),
        TransmissionStarted(1),
    ]
    assert desk.state.keyed and desk.state.ptt_held
    assert desk.state.display_state() == "TRANSMITTING"


def test_ptt_while_ringing_on_a_busy_channel_answers_but_does_not_key(desk):
    desk.ringing()
    desk.send(RxChanged, active=True)
    out = desk.send(PttPressed)
    assert desk.plain(out) == [
        SendBridge("ANSWER"),
        StopTone("ring"),
        CallAnswered(1),
        PlayTone("denied"),
    ]
    assert desk.levels(out) == ["warning"]
    assert desk.state.phase is CallPhase.CONNECTED
    assert not desk.state.keyed and desk.state.need_release


@pytest.mark.parametrize("press", [RejectPressed, HangupPressed])
def test_reject_or_hangup_declines_a_ringing_call(desk, press):
    desk.ringing()
    out = desk.send(press, after=4)
    assert out == [SendBridge("REJECT"), StopTone("ring"), CallEnded(1, "rejected", 0, 0.0)]
    assert desk.state.phase is CallPhase.IDLE and desk.state.call_id is None


def test_far_end_giving_up_is_a_missed_call(desk):
    desk.ringing()
    out = desk.send(FarHungUp, after=10)
    assert desk.plain(out) == [StopTone("ring"), CallEnded(1, "missed", 0, 0.0)]
    assert desk.levels(out) == ["info"]
    assert desk.state.phase is CallPhase.IDLE


def test_ring_time_out_rejects_at_the_bridge_and_records_a_missed_call(desk):
    desk.ringing()
    start = desk.clock
    assert desk.tick_at(start + 29.999) == []
    assert desk.state.phase is CallPhase.RINGING
    out = desk.tick_at(start + 30)
    assert desk.plain(out) == [
        SendBridge("REJECT", "TIMEOUT"),
        StopTone("ring"),
        CallEnded(1, "missed", 0, 0.0),
    ]
    assert desk.state.phase is CallPhase.IDLE
    assert desk.cc.next_deadline() is None


def test_ring_time_out_follows_the_settings(make_desk):
    desk = make_desk(CallSettings(ring_timeout_s=5))
    desk.ringing()
    assert desk.cc.next_deadline() == desk.clock + 5
    assert CallEnded(1, "missed", 0, 0.0) in desk.tick_at(desk.clock + 5)


def test_answer_after_the_ring_timed_out_answers_nothing(desk):
    """No Tick came in time: the time-out still fires first, on the answer's own time."""
    desk.ringing()
    out = desk.send(AnswerPressed, after=31)
    assert desk.plain(out) == [
        SendBridge("REJECT", "TIMEOUT"),
        StopTone("ring"),
        CallEnded(1, "missed", 0, 0.0),
    ]
    assert SendBridge("ANSWER") not in out
    assert desk.state.phase is CallPhase.IDLE


def test_repeated_ring_changes_nothing(desk):
    desk.ringing()
    before = desk.state
    assert desk.send(RingReceived, after=5) == []
    assert desk.state.started_at == before.started_at
    assert desk.cc.next_deadline() == before.started_at + 30


def test_ring_during_a_call_is_ignored_with_a_warning(desk):
    desk.connected()
    out = desk.send(RingReceived)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["warning"]
    assert desk.state.phase is CallPhase.CONNECTED


def test_call_ids_increase_per_call(desk):
    desk.ringing()
    desk.send(RejectPressed)
    out = desk.send(RingReceived)
    assert CallStarted(2, "incoming") in out
    assert desk.state.call_id == 2


@pytest.mark.parametrize("setup", ["idle", "calling", "connected"])
def test_answer_in_the_wrong_phase_only_tells_the_operator(desk, setup):
    if setup == "calling":
        desk.calling()
    elif setup == "connected":
        desk.connected()
    before = desk.state
    out = desk.send(AnswerPressed)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["info"]
    assert desk.state.phase is before.phase


@pytest.mark.parametrize("setup", ["idle", "calling", "connected"])
def test_reject_outside_ringing_only_tells_the_operator(desk, setup):
    if setup == "calling":
        desk.calling()
    elif setup == "connected":
        desk.connected()
    before = desk.state
    out = desk.send(RejectPressed)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["info"]
    assert desk.state.phase is before.phase
