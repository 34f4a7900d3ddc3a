"""The radio bridge vanishes (its cable pulled: the device path disappears, reads fail) while the
desk is keyed, ringing or idle, and comes back. The bridge itself keeps running on its own clock
meanwhile, so its keepalive expiry and its own link time-out happen as they would at a desk.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from hw.wire.messages import Unkey
from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.core.leds import LedPattern
from terminal.log import LogReader
from tests.rigs.bench import (
    assert_log_whole,
    assert_unkeyed,
    bench_rig,
    call_flows,
    connect_call,
    key,
    until,
)


async def bridge_alone(rig: BenchRig) -> None:
    """The bridge's timers run while its cable is out (nothing it says reaches the desk)."""
    loop = asyncio.get_running_loop()
    while True:
        rig.bridge.poll(loop.time())
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("when", ["keyed", "ringing", "idle"])
def test_bridge_vanishes_and_returns(tmp_path: Path, when: str) -> None:
    """Link down at once, call ended as link_lost, fault LED; the bridge unkeys on keepalive
    expiry; plugged back, the link comes up, a still-ringing far end rings again, calls flow."""

    async def main() -> None:
        async with bench_rig(tmp_path, keepalive_s=0.1, bridge_keepalive_timeout_s=0.5) as bench:
            rig, engine = bench.rig, bench.rig.desk.engine
            panel = rig.desk.panel
            assert panel is not None
            if when == "keyed":
                await connect_call(rig)
                await key(rig)
            elif when == "ringing":
                assert rig.far("ring")
                await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
            rig.unplug()
            alone = asyncio.get_running_loop().create_task(bridge_alone(rig))
            try:
                await until(lambda: not rig.desk.radio.is_up, 2, "desk: link down")
                assert engine.core.state.phase is CallPhase.IDLE and not engine.core.state.keyed
                await until(lambda: panel.led_pattern("fault") is LedPattern.BLINK_SLOW, 2,
                            "fault LED")  # fmt: skip
                assert not panel.led_is_lit("tx")
                if when == "keyed":
                    await until(lambda: not rig.bridge.keyed, 2, "bridge keepalive expiry")
                    assert_unkeyed(rig.bridge, {"KEEPALIVE"})
                    rig.press(False)
                # The bridge's own link times out too (its LinkDown with the call state on it).
                await until(lambda: not rig.bridge.session.is_up, 5, "bridge: link down")
            finally:
                alone.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await alone
            rig.plug()
            await until(lambda: rig.desk.radio.is_up, 5, "link back after replug")
            await until(lambda: panel.led_pattern("fault") is LedPattern.OFF, 2, "fault LED off")
            if when == "keyed":
                # The UNKEY(LINK) held while the cable was out is delivered when it returns.
                await until(lambda: any(
                    isinstance(m, Unkey) and m.reason == "LINK" for _, m in rig.bridge.log.received
                ), 2, "held UNKEY delivered")  # fmt: skip
            if when == "ringing":
                # The far end is still calling: the bridge rings the desk again.
                await until(lambda: engine.core.state.phase is CallPhase.RINGING, 3, "re-rung")
                engine.intent("answer")
                await until(lambda: rig.bridge.phase.value == "CONNECTED", what="answered")
                engine.intent("hangup")
            await call_flows(rig)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        with LogReader(bench.db) as reader:
            outcomes = [c.outcome for c in reader.calls()]
        expected = {"keyed": ["link_lost"], "ringing": ["link_lost", "answered"], "idle": []}
        assert outcomes == [*expected[when], "answered"]

    asyncio.run(main())
