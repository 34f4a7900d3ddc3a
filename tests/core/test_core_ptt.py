"""Push-to-talk: keying, the time-out timer and warning, busy-channel lockout, bridge reports."""

from __future__ import annotations

import pytest

from terminal.core import (
    BridgeTx,
    CallEnded,
    CallPhase,
    CallPressed,
    CallSettings,
    FarAnswered,
    FarHungUp,
    HangupPressed,
    KeyRefused,
    LinkDown,
    PlayTone,
    PttPressed,
    PttReleased,
    RxChanged,
    SendBridge,
    TransmissionEnded,
    TransmissionStarted,
)


def test_press_keys_and_release_unkeys(desk):
    desk.connected()
    out = desk.send(PttPressed, after=1)
    assert out == [SendBridge("KEY"), TransmissionStarted(1)]
    assert desk.state.keyed and desk.state.tot_deadline == desk.clock + 60
    out = desk.send(PttReleased, after=4.5)
    assert out == [SendBridge("UNKEY", "PTT"), TransmissionEnded(1, 4.5, "PTT")]
    s = desk.state
    assert not s.keyed and not s.ptt_held and s.tot_deadline is None
    assert (s.transmissions, s.transmit_s) == (1, 4.5)


def test_call_record_totals_every_transmission(desk):
    desk.connected()
    for held in (2.0, 3.5):
        desk.send(PttPressed, after=1)
        desk.send(PttReleased, after=held)
    out = desk.send(HangupPressed, after=1)
    assert out == [SendBridge("HANGUP"), CallEnded(1, "answered", 2, 5.5)]


def test_hangup_while_keyed_unkeys_first(desk):
    desk.keyed()
    out = desk.send(HangupPressed, after=2)
    assert out == [
        SendBridge("UNKEY", "HANGUP"),
        TransmissionEnded(1, 2.0, "HANGUP"),
        SendBridge("HANGUP"),
        CallEnded(1, "answered", 1, 2.0),
    ]
    assert not desk.state.keyed


def test_far_hangup_while_keyed_unkeys_first(desk):
    desk.keyed()
    out = desk.send(FarHungUp, after=2)
    assert desk.plain(out) == [
        SendBridge("UNKEY", "HANGUP"),
        TransmissionEnded(1, 2.0, "HANGUP"),
        CallEnded(1, "answered", 1, 2.0),
    ]


def test_time_out_warns_once_then_unkeys(desk):
    desk.keyed()
    keyed_at = desk.clock
    assert desk.cc.next_deadline() == keyed_at + 50
    assert desk.tick_at(keyed_at + 49.999) == []
    out = desk.tick_at(keyed_at + 50)
    assert desk.plain(out) == [PlayTone("tot_warning")]
    assert desk.levels(out) == ["warning"]
    assert desk.state.tot_warned and desk.state.keyed
    assert desk.cc.next_deadline() == keyed_at + 60
    assert desk.tick_at(keyed_at + 55) == []
    assert desk.tick_at(keyed_at + 59.999) == []
    out = desk.tick_at(keyed_at + 60)
    assert desk.plain(out) == [SendBridge("UNKEY", "TOT"), TransmissionEnded(1, 60.0, "TOT")]
    assert desk.levels(out) == ["warning"]
    assert not desk.state.keyed and desk.state.need_release
    assert desk.cc.next_deadline() is None


def test_a_late_tick_past_the_time_out_skips_the_warning(desk):
    desk.keyed()
    keyed_at = desk.clock
    out = desk.tick_at(keyed_at + 65)
    assert desk.plain(out) == [SendBridge("UNKEY", "TOT"), TransmissionEnded(1, 65.0, "TOT")]


def test_time_out_fires_on_any_event_not_only_ticks(desk):
    desk.keyed()
    out = desk.send(PttReleased, after=61)
    assert desk.plain(out) == [SendBridge("UNKEY", "TOT"), TransmissionEnded(1, 61.0, "TOT")]
    assert not desk.state.need_release  # the release that came with it clears the latch


def test_time_out_follows_the_settings(make_desk):
    desk = make_desk(CallSettings(tx_timeout_s=20, tx_warning_s=5))
    desk.keyed()
    keyed_at = desk.clock
    assert desk.cc.next_deadline() == keyed_at + 15
    desk.tick_at(keyed_at + 15)
    assert desk.cc.next_deadline() == keyed_at + 20


def test_zero_warning_time_means_no_warning(make_desk):
    desk = make_desk(CallSettings(tx_warning_s=0))
    desk.keyed()
    keyed_at = desk.clock
    assert desk.cc.next_deadline() == keyed_at + 60
    out = desk.tick_at(keyed_at + 60)
    assert PlayTone("tot_warning") not in out
    assert SendBridge("UNKEY", "TOT") in out


def test_each_transmission_gets_a_fresh_timer_and_warning(desk):
    desk.keyed()
    desk.tick_at(desk.clock + 50)
    desk.send(PttReleased, after=1)
    desk.send(PttPressed, after=1)
    assert not desk.state.tot_warned
    assert desk.state.tot_deadline == desk.clock + 60


def test_rekey_after_time_out_waits_for_release(desk):
    desk.keyed()
    desk.tick_at(desk.clock + 60)
    out = desk.send(PttPressed, after=1)  # a second "down" while the button never came up
    assert desk.plain(out) == [PlayTone("denied")]
    assert desk.levels(out) == ["warning"]
    assert not desk.state.keyed
    assert desk.send(PttReleased, after=1) == []
    assert not desk.state.need_release
    out = desk.send(PttPressed, after=1)
    assert out == [SendBridge("KEY"), TransmissionStarted(1)]


def test_busy_channel_lockout_refuses_until_release(desk):
    desk.connected()
    desk.send(RxChanged, active=True)
    assert desk.state.display_state() == "RECEIVING"
    out = desk.send(PttPressed, after=1)
    assert desk.plain(out) == [PlayTone("denied")]
    assert desk.levels(out) == ["warning"]
    assert desk.state.need_release and not desk.state.keyed
    desk.send(RxChanged, active=False, after=1)
    out = desk.send(PttPressed)  # still the same push: the channel just came free
    assert desk.plain(out) == [PlayTone("denied")]
    desk.send(PttReleased)
    assert desk.send(PttPressed, after=1) == [SendBridge("KEY"), TransmissionStarted(1)]


def test_without_lockout_ptt_keys_over_the_far_end(make_desk):
    desk = make_desk(CallSettings(busy_channel_lockout=False))
    desk.connected()
    desk.send(RxChanged, active=True)
    out = desk.send(PttPressed)
    assert out == [SendBridge("KEY"), TransmissionStarted(1)]
    assert desk.state.rx and desk.state.display_state() == "TRANSMITTING"


def test_far_end_transmitting_while_we_hold_the_channel(desk):
    desk.keyed()
    out = desk.send(RxChanged, active=True)
    assert desk.plain(out) == []
    assert desk.levels(out) == ["warning"]
    assert desk.state.keyed and desk.state.rx
    assert desk.state.display_state() == "TRANSMITTING"
    desk.send(PttReleased)
    assert desk.state.display_state() == "RECEIVING"
    desk.send(RxChanged, active=False)
    assert desk.state.display_state() == "CONNECTED"


def test_repeated_rx_report_is_silent(desk):
    desk.keyed()
    desk.send(RxChanged, active=True)
    assert desk.send(RxChanged, active=True) == []


@pytest.mark.parametrize("setup", ["idle", "calling"])
def test_ptt_outside_a_call_never_keys(desk, setup):
    if setup == "calling":
        desk.calling()
    out = desk.send(PttPressed)
    assert desk.plain(out) == [PlayTone("denied")]
    assert desk.levels(out) == ["info"]
    assert not desk.state.keyed and desk.state.ptt_held


def test_ptt_held_through_the_far_answer_does_not_key(desk):
    desk.send(CallPressed)
    desk.send(PttPressed)
    out = desk.send(FarAnswered, after=2)
    assert SendBridge("KEY") not in out
    assert not desk.state.keyed


def test_repeated_press_while_keyed_is_silent(desk):
    desk.keyed()
    assert desk.send(PttPressed, after=1) == []
    assert desk.state.transmissions == 1


def test_release_without_press_is_silent(desk):
    desk.connected()
    assert desk.send(PttReleased) == []


def test_bridge_confirms_our_key(desk):
    desk.keyed()
    assert desk.state.key_pending
    assert desk.send(BridgeTx, keyed=True, reason="PTT") == []
    assert desk.state.bridge_keyed and not desk.state.key_pending


def test_bridge_unkeying_on_its_own_ends_the_transmission(desk):
    desk.keyed()
    desk.send(BridgeTx, keyed=True)
    out = desk.send(BridgeTx, after=3, keyed=False, reason="KEEPALIVE")
    assert desk.plain(out) == [TransmissionEnded(1, 3.0, "KEEPALIVE")]
    assert desk.levels(out) == ["warning"]
    s = desk.state
    assert not s.keyed and not s.bridge_keyed and s.need_release
    assert desk.plain(desk.send(PttPressed)) == [PlayTone("denied")]


def test_bridge_unkey_without_reason(desk):
    desk.keyed()
    desk.send(BridgeTx, keyed=True)
    out = desk.send(BridgeTx, keyed=False)
    assert TransmissionEnded(1, 0.0, "BRIDGE") in out


def test_bridge_keying_unasked_is_a_fault(desk):
    out = desk.send(BridgeTx, keyed=True, reason="FORCE")
    assert desk.plain(out) == [SendBridge("UNKEY", "LOCKOUT")]
    assert desk.levels(out) == ["error"]
    assert desk.state.bridge_keyed and not desk.state.keyed


def test_late_confirmation_of_an_undone_key_is_not_a_fault(desk):
    """A quick tap: KEY and UNKEY cross the bridge's 'keyed' report on the wire."""
    desk.connected()
    desk.send(PttPressed)
    desk.send(PttReleased, after=0.1)
    out = desk.send(BridgeTx, keyed=True, reason="PTT")
    assert out == [SendBridge("UNKEY", "LOCKOUT")]
    out = desk.send(BridgeTx, keyed=True, reason="PTT")  # a second one is not late any more
    assert desk.levels(out) == ["error"]


def test_an_unkey_report_crossing_the_next_key_does_not_end_it(desk):
    """Release and press again before the bridge's report of the release has come back: the
    report is of the first transmission (the bridge reports in the order it handles commands)."""
    desk.connected()
    desk.send(PttPressed)
    desk.send(BridgeTx, keyed=True, reason="KEY")
    desk.send(PttReleased, after=1)
    desk.send(PttPressed, after=0.01)
    assert desk.send(BridgeTx, keyed=False, reason="UNKEY") == []
    assert desk.state.keyed and desk.state.key_pending and desk.state.transmissions == 2
    assert desk.send(BridgeTx, keyed=True, reason="KEY") == []
    assert desk.state.keyed and desk.state.bridge_keyed and not desk.state.key_pending
    out = desk.send(BridgeTx, after=2, keyed=False, reason="KEEPALIVE")  # now it is ours
    assert TransmissionEnded(1, 2.0, "KEEPALIVE") in out and not desk.state.keyed


def test_a_double_tap_faster_than_the_reports_stays_keyed_without_faults(desk):
    desk.connected()
    desk.send(PttPressed)
    desk.send(PttReleased, after=0.05)
    desk.send(PttPressed, after=0.05)
    reports = [(True, "KEY"), (False, "UNKEY"), (True, "KEY")]  # KEY, UNKEY, KEY handled in turn
    outs = [desk.send(BridgeTx, keyed=k, reason=r) for k, r in reports]
    assert all(out == [] for out in outs), outs
    assert desk.state.keyed and desk.state.bridge_keyed and not desk.state.key_pending


def test_a_refused_key_ends_the_transmission_it_was_for(desk):
    desk.keyed()
    out = desk.send(KeyRefused, after=0.5, code="BADSTATE", text="no call connected")
    assert desk.plain(out) == [
        SendBridge("UNKEY", "LOCKOUT"),
        TransmissionEnded(1, 0.5, "LOCKOUT"),
        PlayTone("denied"),
    ]
    assert "no call connected" in str(out)
    s = desk.state
    assert not s.keyed and not s.key_pending and s.need_release


def test_a_refused_earlier_key_leaves_the_current_transmission(desk):
    desk.connected()
    desk.send(PttPressed)
    desk.send(PttReleased, after=0.05)
    desk.send(PttPressed, after=0.05)
    out = desk.send(KeyRefused, code="LOCKOUT")
    assert desk.levels(out) == ["warning"] and desk.state.keyed and desk.state.key_pending
    desk.send(BridgeTx, keyed=True, reason="KEY")
    assert desk.state.keyed and not desk.state.key_pending


def test_link_loss_forgets_unconfirmed_keys(desk):
    desk.keyed()
    desk.send(LinkDown)
    assert not desk.state.key_pending


def test_bridge_unkey_report_while_unkeyed_is_silent(desk):
    desk.connected()
    assert desk.send(BridgeTx, keyed=False, reason="PTT") == []
    assert not desk.state.bridge_keyed
    assert desk.state.phase is CallPhase.CONNECTED
