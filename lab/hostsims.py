"""The desk's serial peers on the host: the radio-bridge simulator and the co-processor, each on the
host end of one of the VM's serial ports (a pseudo-terminal that QEMU puts behind the guest's
/dev/ttyS1 and /dev/ttyS2).

They are the very objects `hotline sim bridge` and `hotline sim coproc` run
(hw.sim.bridge.BridgeSim, and the CoprocSim that terminal.commands.coproc.build makes from a
scenario) on the same runner over the same SerialPort class; they run in this process, on an
asyncio loop of their own, so that the scenarios can read what they saw (every message received,
every change of the transmitter, every alert acknowledged) rather than scrape a console.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from hw.sim.bridge import BridgeSim
from hw.sim.runner import SimRunner
from terminal.commands.coproc import build as build_coproc

T = TypeVar("T")


class HostSims:
    """The bridge and co-processor simulators on a loop thread; call `on_loop` to touch them."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="hostsims", daemon=True)
        self._thread.start()
        self.bridge: BridgeSim | None = None
        self.coproc: Any = None
        self._bridge_task: asyncio.Task[None] | None = None
        self._coproc_task: asyncio.Task[None] | None = None
        self._bridge_runner: SimRunner | None = None
        self._coproc_runner: SimRunner | None = None
        self.coproc_boots: list[Any] = []  # every CoprocSim run (their logs outlive a swap)

    def on_loop(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run `fn` on the simulators' loop and return its result."""
        fut: Future[T] = Future()

        def call() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)

        self.loop.call_soon_threadsafe(call)
        return fut.result(timeout)

    def now(self) -> float:
        return self.loop.time()

    # --- wiring ---

    def start_bridge(self, port: str) -> None:
        """The radio-bridge simulator (as `hotline sim bridge --port PORT`) on this device."""

        def go() -> None:
            self.bridge = BridgeSim(auto_answer_s=2.0)
            self._bridge_runner = SimRunner(self.bridge, clock=self.loop.time)
            self._bridge_task = self.loop.create_task(self._bridge_runner.run_serial(port, 115200))

        self.on_loop(go)

    def start_coproc(self, port: str, scenario: str) -> None:
        """The co-processor on a scenario (as `hotline sim coproc --port PORT --scenario S`)."""
        args = argparse.Namespace(baud=115200, cycle=1.0, speed=1.0, line=None, name="coproc")
        sim, _ = build_coproc(args, f"scenario:{scenario}")

        def go() -> None:
            self.coproc = sim
            self.coproc_boots.append(sim)
            self._coproc_runner = SimRunner(sim, clock=self.loop.time)
            self._coproc_task = self.loop.create_task(self._coproc_runner.run_serial(port, 115200))

        self.on_loop(go)

    def stop_coproc(self) -> None:
        self._cancel("_coproc_task")

    def stop_bridge(self) -> None:
        self._cancel("_bridge_task")

    def _cancel(self, name: str) -> None:
        task = getattr(self, name)
        if task is None:
            return

        async def cancel() -> None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result(10)
        setattr(self, name, None)

    def close(self) -> None:
        self.stop_bridge()
        self.stop_coproc()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    # --- the far end's hands ---

    def bridge_do(self, action: str) -> Any:
        """ring, answer, hangup: what `hotline sim bridge` does for that stdin command."""
        assert self.bridge is not None and self._bridge_runner is not None
        bridge, runner = self.bridge, self._bridge_runner

        def go() -> Any:
            now = self.loop.time()
            result = {"ring": bridge.ring, "answer": bridge.far_answer,
                      "hangup": bridge.far_hangup}[action](now)
            runner.pump()
            return result

        return self.on_loop(go)

    # --- what they saw ---

    def bridge_received(self) -> list[tuple[float, Any]]:
        """(loop time, message) for every message the bridge received, oldest first."""
        assert self.bridge is not None
        bridge = self.bridge
        return self.on_loop(lambda: list(bridge.log.received))

    def bridge_tx_changes(self) -> list[tuple[float, bool, str]]:
        assert self.bridge is not None
        bridge = self.bridge
        return self.on_loop(lambda: list(bridge.log.tx_changes))

    def bridge_state(self) -> dict[str, Any]:
        assert self.bridge is not None
        bridge = self.bridge
        return self.on_loop(lambda: {"up": bridge.session.is_up, "keyed": bridge.keyed,
                                     "phase": bridge.phase.value})

    def coproc_state(self) -> dict[str, Any]:
        sim = self.coproc

        def go() -> dict[str, Any]:
            return {"up": sim.session.is_up, "boot": sim.boot_id, "acked": sim.log.acked,
                    "issued": len(sim.log.issued), "delivered": set(sim.log.delivered)}

        return self.on_loop(go)

    def wait_for(self, what: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
        """Poll `what()` (from the test thread) until truthy; its last value (falsy on time-out)."""
        end = time.monotonic() + timeout
        while True:
            value = what()
            if value or time.monotonic() > end:
                return value
            time.sleep(step)
