"""Property tests: random sessions with increasing times keep the core's promises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.core import (
    AnswerPressed,
    BridgeTx,
    CallControl,
    CallEnded,
    CallPhase,
    CallPressed,
    CallSettings,
    CallStarted,
    Effect,
    Event,
    FarAnswered,
    FarHungUp,
    HangupPressed,
    LinkDown,
    LinkUp,
    PttPressed,
    PttReleased,
    RejectPressed,
    RingReceived,
    RxChanged,
    SendBridge,
    Shutdown,
    Tick,
    TransmissionEnded,
    TransmissionStarted,
)

PROPS = settings(max_examples=300, deadline=None, database=None)

gaps = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.0, max_value=5.0),
    st.sampled_from([9.999, 10.0, 30.0, 45.0, 50.0, 60.0, 61.0]),
)
kinds = st.sampled_from(
    [
        lambda t: AnswerPressed(t),
        lambda t: CallPressed(t),
        lambda t: HangupPressed(t),
        lambda t: RejectPressed(t),
        lambda t: PttPressed(t),
        lambda t: PttReleased(t),
        lambda t: RingReceived(t),
        lambda t: FarAnswered(t),
        lambda t: FarHungUp(t),
        lambda t: RxChanged(t, True),
        lambda t: RxChanged(t, False),
        lambda t: BridgeTx(t, True, "PTT"),
        lambda t: BridgeTx(t, False, "KEEPALIVE"),
        lambda t: LinkUp(t),
        lambda t: LinkDown(t, "lost"),
        lambda t: Tick(t),
        lambda t: Shutdown(t, "test"),
    ]
)
steps = st.lists(st.tuples(gaps, kinds), max_size=60)
call_settings = st.builds(
    CallSettings,
    ring_timeout_s=st.sampled_from([5.0, 30.0]),
    callout_timeout_s=st.sampled_from([5.0, 45.0]),
    busy_channel_lockout=st.booleans(),
    tx_timeout_s=st.sampled_from([20.0, 60.0]),
    tx_warning_s=st.sampled_from([0.0, 10.0]),
)


def build_session(script: list, start: float = 500.0) -> list[Event]:
    events, t = [], start
    for gap, kind in script:
        t += gap
        events.append(kind(t))
    return events


def key_commands(effects: list[Effect]) -> list[str]:
    return [
        e.command for e in effects if isinstance(e, SendBridge) and e.command in {"KEY", "UNKEY"}
    ]


def check_invariants(cc: CallControl, effects: list[Effect]) -> None:
    s = cc.state
    keys = key_commands(effects)
    started = sum(isinstance(e, TransmissionStarted) for e in effects)
    ended = sum(isinstance(e, TransmissionEnded) for e in effects)
    calls_started = sum(isinstance(e, CallStarted) for e in effects)
    calls_ended = sum(isinstance(e, CallEnded) for e in effects)
    assert started == keys.count("KEY")
    assert started - ended == (1 if s.keyed else 0)
    assert calls_started - calls_ended == (0 if s.phase is CallPhase.IDLE else 1)
    assert (s.call_id is None) == (s.phase is CallPhase.IDLE)
    if s.keyed:
        assert keys[-1] == "KEY"
        assert s.phase is CallPhase.CONNECTED and s.link_up and s.ptt_held
        assert s.tot_deadline is not None and s.keyed_at is not None
    else:
        assert s.tot_deadline is None and s.keyed_at is None
    for e in effects:
        if isinstance(e, TransmissionEnded):
            assert e.duration_s >= 0


@PROPS
@given(cfg=call_settings, link_up=st.booleans(), script=steps)
def test_random_sessions_keep_the_invariants(cfg, link_up, script):
    cc = CallControl(cfg, link_up=link_up)
    effects: list[Effect] = []
    for event in build_session(script):
        effects.extend(cc.handle(event))
        check_invariants(cc, effects)


@PROPS
@given(cfg=call_settings, link_up=st.booleans(), script=steps)
def test_every_session_ending_in_shutdown_leaves_the_transmitter_unkeyed(cfg, link_up, script):
    cc = CallControl(cfg, link_up=link_up)
    events = build_session(script)
    events.append(Shutdown(events[-1].at + 1 if events else 0.0, "end"))
    effects = [effect for event in events for effect in cc.handle(event)]
    s = cc.state
    assert s.closed and not s.keyed and s.phase is CallPhase.IDLE
    keys = key_commands(effects)
    assert keys and keys[-1] == "UNKEY"
    assert sum(isinstance(e, TransmissionStarted) for e in effects) == keys.count("KEY")
    assert sum(isinstance(e, TransmissionEnded) for e in effects) == keys.count("KEY")
    assert cc.next_deadline() is None


@PROPS
@given(cfg=call_settings, script=steps)
def test_replay_is_deterministic(cfg, script):
    events = build_session(script)
    first, second = CallControl(cfg, link_up=True), CallControl(cfg, link_up=True)
    assert [e for ev in events for e in first.handle(ev)] == [
        e for ev in events for e in second.handle(ev)
    ]
    assert first.state == second.state


@PROPS
@given(cfg=call_settings, script=steps)
def test_a_tick_at_the_deadline_always_moves_it_on(cfg, script):
    cc = CallControl(cfg, link_up=True)
    for event in build_session(script):
        cc.handle(event)
        deadline = cc.next_deadline()
        if deadline is not None:
            cc.handle(Tick(deadline))
            later = cc.next_deadline()
            assert later is None or later > deadline


@PROPS
@given(cfg=call_settings, script=steps)
def test_call_records_add_up_their_transmissions(cfg, script):
    cc = CallControl(cfg, link_up=True)
    per_call: dict[int, list[float]] = {}
    for event in build_session(script):
        for e in cc.handle(event):
            if isinstance(e, TransmissionEnded):
                per_call.setdefault(e.call_id, []).append(e.duration_s)
            elif isinstance(e, CallEnded):
                durations = per_call.get(e.call_id, [])
                assert e.transmissions == len(durations)
                assert abs(e.transmit_s - sum(durations)) < 1e-6
