"""Bench mode: the whole desk on any machine.

The terminal opens a pseudo-terminal by its device path with pyserial, exactly as it opens the
USB adapter at the desk; the radio-bridge simulator speaks on the far end; gpiozero's MockFactory
provides the pins. The rig can pull the cable out and plug it back, and press the PTT button.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path

from hw.gpio import mock_press
from hw.pty import PtyPair
from hw.sim.bridge import BridgeSim
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from hw.sim.tracks.scenarios import make as make_scenario
from terminal.config import Config
from terminal.desk import Desk

DEFAULT_SCENARIO = "head-on"
"""The co-processor simulator's air picture on the bench: two aircraft converging head-on."""


class BenchRig:
    """A desk wired to simulators over pseudo-terminals."""

    def __init__(
        self,
        config: Config,
        workdir: Path | None = None,
        scenario: str | None = None,  # the co-processor simulator: off unless named
        time_scale: float = 1.0,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="hotline-bench-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        self.radio_pty = PtyPair(workdir / "radio-bridge")
        radio = config.radio
        self.bridge = BridgeSim(
            heartbeat_s=radio.heartbeat_s,
            link_timeout_s=radio.link_timeout_s,
            ack_timeout_s=radio.ack_timeout_s,
            max_retries=radio.max_retries,
        )
        self.bridge_runner = SimRunner(self.bridge)
        config = replace(config, radio=replace(radio, port=self.radio_pty.path))
        self.coproc: CoprocSim | None = None
        self.coproc_pty: PtyPair | None = None
        self.coproc_runner: SimRunner | None = None
        line = None
        if scenario is not None and config.coproc.enabled:
            source = make_scenario(scenario)
            line = source.line
            link = config.coproc
            self.coproc_pty = PtyPair(workdir / "coproc")
            self.coproc = CoprocSim(
                source, heartbeat_s=link.heartbeat_s, link_timeout_s=link.link_timeout_s,
                ack_timeout_s=link.ack_timeout_s, max_retries=link.max_retries,
                time_scale=time_scale,
            )
            self.coproc_runner = SimRunner(self.coproc)
            config = replace(config, coproc=replace(link, port=self.coproc_pty.path))
        else:
            config = replace(config, coproc=replace(config.coproc, enabled=False))
        self.desk = Desk(
            config, control_socket=config.log.directory / "control.sock", line=line
        )

    @property
    def clock(self) -> float:
        """The loop's monotonic time."""
        return asyncio.get_running_loop().time()

    def _start_sims(self) -> None:
        clock = asyncio.get_running_loop().time
        self.bridge_runner.set_clock(clock)
        self.bridge_runner.attach_fd(self.radio_pty.master_fd)
        if self.coproc_runner is not None and self.coproc_pty is not None:
            self.coproc_runner.set_clock(clock)
            self.coproc_runner.attach_fd(self.coproc_pty.master_fd)
        self.desk.on_close(self._close_sims)

    async def start(self) -> None:
        """Start the simulators, then the desk."""
        self._start_sims()
        await self.desk.start()

    async def run_until(self, stop: asyncio.Event) -> None:
        """Start the simulators, then run the desk until `stop` (or a signal); fail safe."""
        self._start_sims()
        await self.desk.run_until(stop)

    def _close_sims(self) -> None:
        self.bridge_runner.detach()
        self.radio_pty.close()
        if self.coproc_runner is not None and self.coproc_pty is not None:
            self.coproc_runner.detach()
            self.coproc_pty.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # --- the bench operator's hands ---------------------------------------------------------------

    def press(self, pressed: bool) -> None:
        """Press or release the physical PTT button (its mock pin)."""
        assert self.desk.panel is not None
        mock_press(self.desk.panel, pressed)

    def far(self, action: str, *args: bool) -> bool:
        """The far end: ring, answer, hangup, rx."""
        now = self.clock
        bridge = self.bridge
        done: bool
        if action == "ring":
            done = bridge.ring(now)
        elif action == "answer":
            done = bridge.far_answer(now)
        elif action == "hangup":
            done = bridge.far_hangup(now)
        elif action == "rx":
            bridge.far_rx(args[0], now)
            done = True
        else:
            raise ValueError(f"unknown far-end action {action!r}")
        self.bridge_runner.pump()
        return done

    def unplug(self) -> None:
        """Pull the bridge's cable out."""
        self.bridge_runner.detach()
        self.radio_pty.unplug()

    def plug(self) -> None:
        """Plug the bridge's cable back in (the bridge restarts its session)."""
        self.radio_pty.plug()
        self.bridge_runner.attach_fd(self.radio_pty.master_fd)

    def garbage(self, nbytes: int = 200) -> None:
        """The bridge puts noise on the line."""
        self.bridge.send_garbage(nbytes)
        self.bridge_runner.pump()

    def silence(self, silent: bool) -> None:
        """The bridge stops (or resumes) talking while the port stays open."""
        self.bridge.set_silent(silent, self.clock)
        self.bridge_runner.pump()
