"""Puts a pure simulator on the asyncio loop, over a pty's far end or a serial port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from hw.serialport import SerialPort
from hw.sim.fdport import FdPort


class Simulator(Protocol):
    """What a runner needs of a simulator."""

    def start(self, now: float) -> None: ...
    def receive(self, data: bytes, now: float) -> None: ...
    def poll(self, now: float) -> None: ...
    def output(self, now: float) -> bytes: ...
    def next_deadline(self) -> float | None: ...


class SimRunner:
    """Drives a simulator: bytes in, timers, bytes out."""

    def __init__(self, sim: Simulator, clock: Callable[[], float] = time.monotonic) -> None:
        self.sim = sim
        self._clock = clock
        self._write: Callable[[bytes], object] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._fdport: FdPort | None = None
        self._serial: SerialPort | None = None

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Use this clock (the loop's) from now on."""
        self._clock = clock

    def attach_fd(self, fd: int) -> None:
        """Speak on an open descriptor (the far end of a pseudo-terminal)."""
        self.detach()
        self._fdport = FdPort(fd, self._data)
        self._write = self._fdport.write
        self.sim.start(self._clock())
        self.pump()

    async def run_serial(self, port: str, baud: int) -> None:
        """Speak on a serial device until cancelled (reopening it if it goes away)."""
        self._serial = SerialPort(port, baud, on_data=self._data, on_state=self._serial_state)
        self._write = self._serial.write
        try:
            await self._serial.run()
        finally:
            self._serial.stop()

    def _serial_state(self, is_open: bool, reason: str) -> None:
        if is_open:
            self.sim.start(self._clock())
            self.pump()

    def divert(self, write: Callable[[bytes], object]) -> None:
        """Hand what the simulator says to `write` instead of the port (a test cuts and mixes
        it before it reaches the line); `attach_fd` again to undo."""
        self._write = write

    def detach(self) -> None:
        """Stop speaking (before the descriptor is closed)."""
        if self._fdport is not None:
            self._fdport.close()
            self._fdport = None
        self._write = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _data(self, data: bytes) -> None:
        self.sim.receive(data, self._clock())
        self.pump()

    def pump(self) -> None:
        """Run timers and send what the simulator has to say; re-arm the timer."""
        now = self._clock()
        self.sim.poll(now)
        out = self.sim.output(now)
        if out and self._write is not None:
            self._write(out)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.sim.next_deadline()
        if deadline is not None and self._write is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(max(0.0, deadline - now), self.pump)
