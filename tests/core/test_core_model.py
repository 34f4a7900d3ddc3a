"""Settings, snapshots, the event and effect types, and event-time rules."""

from __future__ import annotations

import dataclasses
import math

import pytest

from terminal.core import (
    EVENT_TYPES,
    RECORD_TYPES,
    BridgeTx,
    CallAnswered,
    CallControl,
    CallEnded,
    CallPhase,
    CallSettings,
    CallStarted,
    CallView,
    PttPressed,
    PttReleased,
    SendBridge,
    Tick,
    TransmissionEnded,
    TransmissionStarted,
)
from terminal.core import events as events_module


def test_default_settings():
    s = CallSettings()
    assert (s.ring_timeout_s, s.callout_timeout_s, s.tx_timeout_s, s.tx_warning_s) == (
        30,
        45,
        60,
        10,
    )
    assert s.busy_channel_lockout is True


@pytest.mark.parametrize(
    "bad",
    [
        {"ring_timeout_s": 0},
        {"callout_timeout_s": -1},
        {"tx_timeout_s": math.inf},
        {"tx_warning_s": math.nan},
        {"tx_warning_s": -1},
        {"tx_timeout_s": 10, "tx_warning_s": 10},
    ],
)
def test_settings_refuse_nonsense(bad):
    with pytest.raises(ValueError):
        CallSettings(**bad)


def test_snapshots_and_events_are_immutable():
    cc = CallControl()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cc.state.keyed = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Tick(at=1.0).at = 2.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        SendBridge("KEY").command = "UNKEY"  # type: ignore[misc]


def test_event_types_name_every_event_class():
    defined = {
        name
        for name, obj in vars(events_module).items()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj)
    }
    assert set(EVENT_TYPES) == defined
    assert len(defined) == 16
    assert EVENT_TYPES["BridgeTx"] is BridgeTx


def test_record_types():
    assert set(RECORD_TYPES) == {
        CallStarted,
        CallAnswered,
        TransmissionStarted,
        TransmissionEnded,
        CallEnded,
    }


@pytest.mark.parametrize(
    ("view", "label"),
    [
        (CallView(), "IDLE"),
        (CallView(phase=CallPhase.RINGING, rx=True), "RINGING"),
        (CallView(phase=CallPhase.CALLING), "CALLING"),
        (CallView(phase=CallPhase.CONNECTED), "CONNECTED"),
        (CallView(phase=CallPhase.CONNECTED, rx=True), "RECEIVING"),
        (CallView(phase=CallPhase.CONNECTED, keyed=True), "TRANSMITTING"),
        (CallView(phase=CallPhase.CONNECTED, keyed=True, rx=True), "TRANSMITTING"),
    ],
)
def test_display_state(view, label):
    assert view.display_state() == label


def test_idle_desk_has_no_deadline(desk):
    assert desk.state == CallView(link_up=True)
    assert desk.cc.next_deadline() is None
    assert desk.send(Tick, after=1e6) == []


def test_time_never_runs_backwards(desk):
    """An event stamped earlier than the last one counts as happening at the latest time seen."""
    desk.keyed()
    keyed_at = desk.clock
    out = desk.cc.handle(PttReleased(at=keyed_at - 5))
    assert TransmissionEnded(1, 0.0, "PTT") in out
    assert desk.state.now == keyed_at


def test_replaying_a_logged_session_gives_the_same_effects(desk):
    desk.keyed()
    desk.tick_at(desk.clock + 50)
    desk.send(BridgeTx, keyed=True, after=1)
    desk.send(PttReleased, after=3)
    desk.send(PttPressed, after=1)
    desk.tick_at(desk.clock + 60)
    replay = CallControl(link_up=True)
    again = [effect for event in desk.events for effect in replay.handle(event)]
    assert again == desk.effects
    assert replay.state == desk.state
