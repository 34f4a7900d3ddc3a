"""The bridge stops talking (no heartbeats, no ACKs) while the port stays open, then resumes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hw.wire.messages import Unkey
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


def test_heartbeats_stop_while_keyed_then_resume(tmp_path: Path) -> None:
    """Link down after link_timeout_s of silence (not before), fault LED, the call ended as
    link_lost and UNKEY(LINK) sent; the deaf bridge unkeys on keepalive expiry; when it talks
    again the link comes up by itself, the held UNKEY is delivered and calls flow."""

    async def main() -> None:
        async with bench_rig(tmp_path, keepalive_s=0.1, bridge_keepalive_timeout_s=0.5) as bench:
            rig, engine = bench.rig, bench.rig.desk.engine
            loop = asyncio.get_running_loop()
            panel = rig.desk.panel
            assert panel is not None
            timeout_s = rig.desk.config.radio.link_timeout_s
            await connect_call(rig)
            await key(rig)
            silent_at = loop.time()
            rig.silence(True)
            await until(lambda: not rig.desk.radio.is_up, timeout_s + 3, "link down")
            took = loop.time() - silent_at
            assert took >= timeout_s - 0.3, f"link declared down after {took:.2f} s of silence"
            assert engine.core.state.phase is CallPhase.IDLE and not engine.core.state.keyed
            await until(lambda: panel.led_pattern("fault") is LedPattern.BLINK_SLOW, 2, "fault")
            assert not panel.led_is_lit("tx")
            assert rig.desk.radio.port.is_open, "the port stayed open"
            await until(lambda: not rig.bridge.keyed, 2, "bridge keepalive expiry")
            assert_unkeyed(rig.bridge, {"KEEPALIVE"})
            rig.press(False)
            rig.silence(False)
            await until(lambda: rig.desk.radio.is_up, 5, "link up again by itself")
            await until(lambda: panel.led_pattern("fault") is LedPattern.OFF, 2, "fault LED off")
            await until(lambda: any(
                isinstance(m, Unkey) and m.reason == "LINK" for _, m in rig.bridge.log.received
            ), 3, "held UNKEY(LINK) delivered")  # fmt: skip
            await call_flows(rig)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        with LogReader(bench.db) as reader:
            assert [c.outcome for c in reader.calls()] == ["link_lost", "answered"]

    asyncio.run(main())
