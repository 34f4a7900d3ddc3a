"""The transmitter is never left keyed: time-out, lockout, link loss, signals, `hotline unkey`.

Real pseudo-terminals, gpiozero's MockFactory, the bridge simulator; assertions on the messages
that reached the bridge end of the wire and on the pins.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import until

from hw.pty import PtyPair
from hw.sim.bridge import BridgeSim
from hw.sim.runner import SimRunner
from hw.wire.messages import Answer, Hangup, Key, Reject, Unkey
from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.core.leds import LedPattern
from tests.rigs.bench import bridge_caught_up
from tests.rigs.service_child import service

Run = Callable[..., None]


def received(rig_or_sim: BenchRig | BridgeSim, kind: type) -> list:
    sim = rig_or_sim.bridge if isinstance(rig_or_sim, BenchRig) else rig_or_sim
    return [m for _, m in sim.log.received if isinstance(m, kind)]


async def connect_call(rig: BenchRig) -> None:
    rig.far("ring")
    await until(lambda: rig.desk.engine.core.state.phase is CallPhase.RINGING, what="ringing")
    rig.desk.engine.intent("answer")
    await until(lambda: rig.bridge.phase.value == "CONNECTED", what="connected at the bridge")


def test_missed_call_after_ring_timeout_rejects_at_bridge(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        rig.far("ring")
        await until(lambda: rig.desk.engine.core.state.phase is CallPhase.RINGING)
        await until(lambda: received(rig, Reject), timeout_s=3, what="REJECT at the bridge")
        assert rig.desk.engine.core.state.phase is CallPhase.IDLE
        assert rig.bridge.phase.value == "IDLE"
        assert not received(rig, Answer)

    run_rig(body, ring_timeout_s=0.3)


def test_time_out_timer_unkeys_and_blocks_rekey_until_release(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        await connect_call(rig)
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="keyed")
        await until(lambda: not rig.bridge.keyed, timeout_s=3, what="TOT unkey")
        assert "TOT" in [u.reason for u in received(rig, Unkey)]
        assert rig.desk.engine.core.state.need_release
        assert rig.desk.panel is not None and not rig.desk.panel.led_is_lit("tx")
        keys_before = len(received(rig, Key))
        rig.desk.engine.intent("ptt_press")  # still held: a second press must not key
        await bridge_caught_up(rig)  # a KEY it sent would have reached the bridge by now
        assert len(received(rig, Key)) == keys_before and not rig.bridge.keyed
        rig.press(False)
        await until(lambda: not rig.desk.engine.core.state.need_release, what="released")
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="re-keyed after release")
        rig.press(False)
        await until(lambda: not rig.bridge.keyed)

    run_rig(body, tx_timeout_s=0.5, tx_warning_s=0.2)


def test_keyboard_ptt_after_a_time_out_keys_again_with_one_press(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        await connect_call(rig)
        engine.intent("ptt_toggle")
        await until(lambda: rig.bridge.keyed, what="keyed from the keyboard")
        await until(lambda: not rig.bridge.keyed, timeout_s=3, what="TOT unkey")
        assert engine.core.state.ptt_held and engine.core.state.need_release
        engine.intent("ptt_toggle")  # the operator presses to talk again
        await until(lambda: rig.bridge.keyed, what="re-keyed with one press")
        engine.intent("ptt_toggle")
        await until(lambda: not rig.bridge.keyed, what="unkeyed by the next press")
        assert not engine.core.state.ptt_held

    run_rig(body, tx_timeout_s=0.5, tx_warning_s=0.2)


def test_a_key_the_bridge_refuses_ends_the_transmission(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        from hw.sim.bridge import FarPhase

        engine = rig.desk.engine
        await connect_call(rig)
        rig.bridge.phase = FarPhase.IDLE  # the bridge has lost the call on its side, unsaid
        rig.press(True)
        await until(lambda: not engine.core.state.keyed, what="the refused transmission ended")
        assert not rig.bridge.keyed and not engine.core.state.key_pending
        # The desk's UNKEY is on the line once its state says unkeyed; wait for the bridge to
        # have read it (asserting at once failed when the bridge had not yet).
        await until(lambda: "LOCKOUT" in [u.reason for u in received(rig, Unkey)],
                    what="UNKEY(LOCKOUT) at the bridge")  # fmt: skip
        texts = [n.text for n in engine.snapshot.notices]
        assert any("refused to key" in t and "no call connected" in t for t in texts), texts
        assert rig.desk.panel is not None
        await until(lambda: not rig.desk.panel.led_is_lit("tx"), what="TX LED off")

    run_rig(body)


def test_busy_channel_lockout_holds_keying_off(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        await connect_call(rig)
        rig.far("rx", True)
        await until(lambda: rig.desk.engine.core.state.rx, what="receive indication")
        assert rig.desk.engine.snapshot.display == "RECEIVING"
        rig.press(True)
        await bridge_caught_up(rig)  # a KEY it sent would have reached the bridge by now
        assert not received(rig, Key) and not rig.bridge.keyed
        rig.press(False)
        rig.far("rx", False)
        await until(lambda: not rig.desk.engine.core.state.rx)
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="keyed once the channel is free")
        rig.press(False)
        await until(lambda: not rig.bridge.keyed)

    run_rig(body)


def test_lockout_off_lets_operator_key_over_far_end(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        await connect_call(rig)
        rig.far("rx", True)
        await until(lambda: rig.desk.engine.core.state.rx)
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="keyed despite receive")
        rig.press(False)
        await until(lambda: not rig.bridge.keyed)

    run_rig(body, busy_channel_lockout=False)


def test_device_unplugged_while_keyed_then_returns(run_rig: Run) -> None:
    async def body(rig: BenchRig) -> None:
        await connect_call(rig)
        rig.press(True)
        await until(lambda: rig.bridge.keyed, what="keyed")
        sim = rig.bridge
        rig.unplug()
        # The bridge side: no more keepalives, so it unkeys by itself.
        deadline = asyncio.get_running_loop().time() + 2
        while sim.keyed and asyncio.get_running_loop().time() < deadline:
            sim.poll(asyncio.get_running_loop().time())
            await asyncio.sleep(0.02)
        assert not sim.keyed and sim.log.tx_changes[-1][2] == "KEEPALIVE"
        engine = rig.desk.engine
        await until(lambda: not rig.desk.radio.is_up, what="link down")
        assert engine.core.state.phase is CallPhase.IDLE and not engine.core.state.keyed
        panel = rig.desk.panel
        assert panel is not None
        await until(lambda: panel.led_pattern("fault") is LedPattern.BLINK_SLOW, what="fault LED")
        assert not panel.led_is_lit("tx")
        rig.press(False)
        rig.plug()
        await until(lambda: rig.desk.radio.is_up, timeout_s=5, what="link back after replug")
        await until(lambda: panel.led_pattern("fault") is LedPattern.OFF, what="fault LED off")
        # The UNKEY(LINK) held while the cable was out is delivered when it returns.
        await until(lambda: any(u.reason == "LINK" for u in received(rig, Unkey)), what="UNKEY")

    run_rig(body, keepalive_s=0.1, bridge_keepalive_timeout_s=0.3)


def test_hotline_unkey_through_running_terminal(run_rig: Run, tmp_path: Path) -> None:
    async def body(rig: BenchRig) -> None:
        await connect_call(rig)
        rig.press(True)
        await until(lambda: rig.bridge.keyed)
        sock = tmp_path / "log" / "control.sock"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "terminal.cli", "unkey", "--socket", str(sock),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()
        assert b"through the running terminal" in out
        await until(lambda: not rig.bridge.keyed, what="bridge unkeyed")
        assert "FORCE" in [u.reason for u in received(rig, Unkey)]
        await until(lambda: not rig.desk.engine.core.state.keyed, what="terminal agrees")
        rig.press(False)

    run_rig(body)


def test_hotline_unkey_straight_over_the_port(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        pty = PtyPair(tmp_path / "bridge")
        sim = BridgeSim()
        runner = SimRunner(sim, clock=loop.time)
        runner.attach_fd(pty.master_fd)
        sim.keyed = True  # a transmitter stuck on, with no terminal alive
        sim.keepalive_deadline = loop.time() + 3600
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "terminal.cli", "unkey",
                "--socket", str(tmp_path / "nobody.sock"), "--port", pty.path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 20)
        finally:
            runner.detach()
            pty.close()
        assert proc.returncode == 0, (out + err).decode()
        assert b"unkeyed over" in out
        assert not sim.keyed
        assert [m.reason for m in received(sim, Unkey)] == ["FORCE"]

    asyncio.run(main())


def test_hotline_unkey_fails_loudly_without_a_bridge(tmp_path: Path) -> None:
    async def main() -> None:
        pty = PtyPair(tmp_path / "bridge")  # nothing answers on the far end
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "terminal.cli", "unkey", "--timeout", "0.5",
                "--socket", str(tmp_path / "nobody.sock"), "--port", pty.path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(proc.communicate(), 20)
        finally:
            pty.close()
        assert proc.returncode == 1
        assert b"NOT confirmed" in err

    asyncio.run(main())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_keyed_puts_unkey_on_the_wire_before_exit(
    tmp_path: Path, sig: signal.Signals
) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        # The bridge's keepalive expiry is long: the UNKEY must come from the terminal.
        slow = "[ptt]\nkeepalive_s = 0.1\nbridge_keepalive_timeout_s = 5.0\n"
        async with service(tmp_path, extra=slow) as child:
            sim = child.sim
            await child.ring_and_key()
            child.signal(sig)
            code = await child.wait()
            exited_at = loop.time()
            await asyncio.sleep(0.1)  # let the simulator read what is left in the pty
            sim.receive(b"", loop.time())
        assert code == 0
        unkeys = [(t, m) for t, m in sim.log.received if isinstance(m, Unkey)]
        assert unkeys and unkeys[-1][1].reason == "EXIT"
        assert unkeys[-1][0] <= exited_at
        assert sim.log.tx_changes[-1][1:] == (False, "UNKEY"), "unkeyed by UNKEY, not keepalive"
        assert any(isinstance(m, Hangup) for _, m in sim.log.received)

    asyncio.run(main())


def test_bad_config_stops_service_before_hardware(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[gpio]\nptt_pin = 99\n[radio]\nport = "/dev/never-touched"\n')
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "service", "--config", str(cfg)],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 78
    assert "gpio.ptt_pin" in done.stderr
    assert not os.path.exists("/dev/never-touched")
