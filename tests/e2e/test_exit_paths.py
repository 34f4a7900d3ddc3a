"""Every exit path unkeys: an exception on the loop, cancellation, a GPIO failure (signals: see
test_failsafe.py); the lamp test at start-up."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import fast_config, until
from pytest_mock import MockerFixture

from hw.sim.bridge import BridgeSim
from hw.wire.messages import Unkey
from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.desk import Desk

Run = Callable[..., None]


def unkey_reasons(sim: BridgeSim) -> list[str]:
    return [m.reason for _, m in sim.log.received if isinstance(m, Unkey)]


async def keyed_call(rig: BenchRig) -> None:
    rig.far("ring")
    await until(lambda: rig.desk.engine.core.state.phase is CallPhase.RINGING)
    rig.press(True)
    await until(lambda: rig.bridge.keyed, what="keyed")


def _run_bench_until(tmp_path: Path, trigger: Callable[[BenchRig, asyncio.Task[None]], None]
                     ) -> BridgeSim:
    """Run the bench rig with run_until, key, fire `trigger`, and return the bridge afterwards."""

    async def main() -> BridgeSim:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path)
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(rig.run_until(stop))
        await until(lambda: rig.desk.panel is not None and rig.desk.radio.is_up, what="up")
        await keyed_call(rig)
        trigger(rig, task)
        done, _ = await asyncio.wait({task}, timeout=5)
        assert task in done, "the desk did not stop"
        # Nothing to wait for: the desk's shutdown waited for the bridge's ACK of its last
        # commands (Desk.shutdown settles) before it closed the simulators' line.
        return rig.bridge

    return asyncio.run(main())


def test_exception_on_the_loop_unkeys(tmp_path: Path) -> None:
    def boom(rig: BenchRig, task: asyncio.Task[None]) -> None:
        def fail() -> None:
            raise RuntimeError("a bug in a callback")

        asyncio.get_running_loop().call_soon(fail)

    sim = _run_bench_until(tmp_path, boom)
    assert unkey_reasons(sim)[-1] == "EXIT"
    assert not sim.keyed


def test_cancelled_main_task_unkeys(tmp_path: Path) -> None:
    sim = _run_bench_until(tmp_path, lambda rig, task: task.cancel())
    assert unkey_reasons(sim)[-1] == "EXIT"
    assert not sim.keyed


def test_gpio_failure_while_keyed_unkeys(run_rig: Run, mocker: MockerFixture) -> None:
    async def body(rig: BenchRig) -> None:
        await keyed_call(rig)
        panel = rig.desk.panel
        assert panel is not None
        # A GPIO chip that fails mid-run cannot be made here: make the pin backend raise.
        mocker.patch.object(panel, "show", side_effect=OSError("gpiochip0 vanished"))
        rig.far("rx", True)  # any change that updates the LEDs
        await until(lambda: not rig.bridge.keyed, what="unkeyed after GPIO failure")
        assert unkey_reasons(rig.bridge)[-1] == "EXIT"
        assert rig.desk.engine.stopped
        assert any("GPIO failure" in f for f in rig.desk.engine.snapshot.faults)

    run_rig(body)


def test_lamp_test_lights_each_led_in_turn(tmp_path: Path) -> None:
    async def main() -> None:
        cfg = fast_config(tmp_path)
        from dataclasses import replace

        cfg = replace(cfg, gpio=replace(cfg.gpio, lamp_test_ms=20))
        rig = BenchRig(cfg, workdir=tmp_path)
        await rig.start()
        try:
            # The lamp test runs beside start-up: the link may come up meanwhile.
            await until(lambda: rig.desk.radio.is_up, what="link up during the lamp test")
            lamps = [t for t in rig.desk._tasks if t.get_name() == "lamps"]
            await until(lambda: all(t.done() for t in lamps), what="the lamp test over")
            factory = rig.desk.pin_factory
            g = cfg.gpio
            pins = [g.ring_led_pin, g.tx_led_pin, g.alert_led_pin, g.fault_led_pin]
            for pin in pins[:3]:  # ring, tx, alert are dark at idle: one flash each
                states = factory.pin(pin).states
                assert [bool(s.state) for s in states] == [False, True, False], (pin, states)
                # states[i].timestamp is the time spent in the previous state: lit >= 20 ms.
                assert states[2].timestamp >= 0.019, (pin, states)
            fault = factory.pin(pins[3]).states  # the fault LED also blinks for the link
            lit = [b.timestamp for a, b in itertools.pairwise(fault) if a.state]
            assert any(t >= 0.019 for t in lit), fault
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())


def test_stopping_mid_lamp_test_ends_it_and_leaves_the_leds_dark(tmp_path: Path) -> None:
    async def main() -> None:
        cfg = fast_config(tmp_path)  # no lamp test at start-up: the operator's lights each 0.25 s
        rig = BenchRig(cfg, workdir=tmp_path)
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(rig.run_until(stop))
        await until(lambda: rig.desk.panel is not None and rig.desk.radio.is_up, what="up")
        engine, factory = rig.desk.engine, rig.desk.pin_factory
        engine.lamp_test()  # the operator's (key L)
        lamp_tests = set(engine._lamp_tests)
        g = cfg.gpio
        leds = (g.ring_led_pin, g.tx_led_pin, g.alert_led_pin)
        await until(lambda: any(factory.pin(pin).state for pin in leds), what="a lamp lit")
        assert lamp_tests and not any(t.done() for t in lamp_tests), "the lamp test is running"
        stop.set()
        await asyncio.wait_for(task, 10)
        await asyncio.sleep(0)  # a cancelled task ends at its next step
        assert all(t.cancelled() for t in lamp_tests), "the lamp test outlived the desk"
        for pin in (g.ring_led_pin, g.tx_led_pin, g.alert_led_pin, g.fault_led_pin):
            assert not factory.pin(pin).state, f"LED on pin {pin} left lit"

    asyncio.run(main())


def test_desk_refuses_a_pin_factory_that_cannot_start(tmp_path: Path) -> None:
    from dataclasses import replace

    cfg = fast_config(tmp_path)
    cfg = replace(cfg, gpio=replace(cfg.gpio, pin_factory="lgpio"))

    async def main() -> None:
        desk = Desk(cfg, radio_port="/dev/null-never-opened")
        with pytest.raises(Exception, match="GPIO backend 'lgpio' could not start"):
            await desk.run_until(asyncio.Event())
        assert desk.engine.stopped

    asyncio.run(main())
