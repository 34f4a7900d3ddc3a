"""End to end: the desk and the bridge simulator over real pseudo-terminals, gpiozero mock pins."""

from __future__ import annotations

from collections.abc import Callable

from e2e_helpers import until

from hw.wire.messages import Answer, Hangup, Ka, Key, Unkey
from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.core.leds import LedPattern

Run = Callable[..., None]


def received(rig: BenchRig, kind: type) -> list:
    return [m for _, m in rig.bridge.log.received if isinstance(m, kind)]


def test_incoming_call_answered_by_ptt_keys_and_unkeys(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        rig.far("ring")
        await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
        assert rig.desk.panel is not None
        assert rig.desk.panel.led_pattern("ring") is LedPattern.BLINK_FAST
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="bridge keyed")
        assert received(rig, Answer), "ANSWER reached the bridge"
        assert engine.core.state.phase is CallPhase.CONNECTED
        assert rig.desk.panel.led_is_lit("tx")
        rig.press(False)
        await until(lambda: not rig.bridge.keyed, what="bridge unkeyed")
        # (a bridge TX report overtaken by our UNKEY earns an extra, harmless UNKEY(LOCKOUT))
        assert "PTT" in [u.reason for u in received(rig, Unkey)]
        assert not rig.desk.panel.led_is_lit("tx")

    run_rig(body)


def test_outgoing_call_answered_by_far_end_then_far_hangup(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        rig.bridge.auto_answer_s = None
        engine.intent("call")
        await until(lambda: rig.bridge.phase.value == "RINGING_FAR", what="far end ringing")
        assert rig.far("answer")
        await until(lambda: engine.core.state.phase is CallPhase.CONNECTED, what="connected")
        assert rig.desk.panel is not None
        assert rig.desk.panel.led_pattern("ring") is LedPattern.ON
        rig.far("hangup")
        await until(lambda: engine.core.state.phase is CallPhase.IDLE, what="idle")

    run_rig(body)


def test_hangup_from_desk_reaches_bridge(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        rig.far("ring")
        await until(lambda: engine.core.state.phase is CallPhase.RINGING)
        engine.intent("answer")
        await until(lambda: rig.bridge.phase.value == "CONNECTED", what="bridge connected")
        engine.intent("hangup")
        await until(lambda: rig.bridge.phase.value == "IDLE", what="bridge idle")
        assert received(rig, Hangup)

    run_rig(body)


def test_keepalives_flow_while_keyed(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        rig.far("ring")
        await until(lambda: engine.core.state.phase is CallPhase.RINGING)
        rig.press(True)
        await until(lambda: rig.bridge.keyed)
        await until(lambda: len(received(rig, Ka)) >= 3, what="three keepalives")
        assert rig.bridge.keyed, "keepalives keep the bridge keyed past its keepalive window"
        assert received(rig, Key)[0].keepalive_ms == 300
        rig.press(False)
        await until(lambda: not rig.bridge.keyed)

    run_rig(body, keepalive_s=0.1, bridge_keepalive_timeout_s=0.3)
