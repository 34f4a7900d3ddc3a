"""pyserial URL handler `sim://`: a simulated serial peer of the desk, behind a real tty.

`sim://bridge` is the radio-bridge simulator (`?auto_answer=S`: it answers the desk's calls after S
seconds, negative never; default 2); `sim://coproc` the co-processor on a scenario
(`?scenario=head-on&time_scale=1`). Opening the URL makes a pseudo-terminal pair, runs the
simulator on its far end in a thread of its own (its own event loop), and opens the near end
exactly as a serial device is opened; closing it stops the simulator. So any configuration can
name a simulated peer (`port = "sim://bridge"`), and nothing above the serial port can tell.
Registered the pyserial way: `hw.serialport` adds `hw.sim.urlhandler` to
`serial.protocol_handler_packages`.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.parse
from typing import Any

import serial
from serial.serialposix import Serial as PosixSerial

from hw.pty import PtyPair

PEERS = ("bridge", "coproc")


def parse(url: str) -> tuple[str, dict[str, str]]:
    """(peer, options) of a `sim://` URL; raises ValueError saying what is wrong."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "sim":
        raise ValueError(f"expected sim://bridge or sim://coproc, got {url!r}")
    peer = parts.netloc or parts.path.strip("/")
    if peer not in PEERS:
        raise ValueError(f"{url!r}: the peer is one of {', '.join(PEERS)}")
    options = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    allowed = {"bridge": {"auto_answer"}, "coproc": {"scenario", "time_scale"}}[peer]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"{url!r}: unknown option(s) {', '.join(unknown)}; allowed: "
                         f"{', '.join(sorted(allowed))}")  # fmt: skip
    return peer, options


def _number(options: dict[str, str], key: str, default: float) -> float:
    text = options.get(key)
    if text is None:
        return default
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{key}={text!r} is not a number") from None


def make_simulator(peer: str, options: dict[str, str]) -> Any:
    """The simulator a `sim://` URL names."""
    if peer == "bridge":
        from hw.sim.bridge import BridgeSim

        answer = _number(options, "auto_answer", 2.0)
        return BridgeSim(auto_answer_s=answer if answer >= 0 else None)
    from hw.sim.coproc import CoprocSim
    from hw.sim.tracks.scenarios import make

    scale = _number(options, "time_scale", 1.0)
    if scale <= 0:
        raise ValueError(f"time_scale must be positive, got {scale:g}")
    return CoprocSim(make(options.get("scenario", "head-on")), time_scale=scale)


class SimulatorThread:
    """A simulator on the far end of a new pseudo-terminal, on an event loop in its own thread."""

    def __init__(self, simulator: Any) -> None:
        from hw.sim.runner import SimRunner

        self.pty = PtyPair()
        self.loop = asyncio.new_event_loop()
        self.runner = SimRunner(simulator, clock=self.loop.time)
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), name="sim-url",
                                       daemon=True)  # fmt: skip
        self.thread.start()
        started.wait(5)

    @property
    def path(self) -> str:
        """The near end: a tty device."""
        return self.pty.slave_path

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        def attach() -> None:  # on the running loop: the runner's port watches the descriptor
            self.runner.attach_fd(self.pty.master_fd)
            started.set()

        self.loop.call_soon(attach)
        self.loop.run_forever()
        self.runner.detach()
        self.loop.close()

    def stop(self) -> None:
        """Stop the simulator and close the pseudo-terminal."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.pty.close()


class Serial(PosixSerial):
    """A `sim://` port: a tty whose far end is a simulator."""

    _simulator: SimulatorThread | None = None

    def open(self) -> None:
        """Start the simulator, then open the tty it speaks on."""
        url = self.port
        if url is None:
            raise serial.SerialException("Port must be configured before it can be used.")
        try:
            simulator = SimulatorThread(make_simulator(*parse(str(url))))
        except ValueError as exc:
            raise serial.SerialException(f"could not open port {url}: {exc}") from None
        self.portstr = simulator.path
        try:
            super().open()
        except BaseException:
            simulator.stop()
            raise
        finally:
            self.portstr = url
        self._simulator = simulator

    def close(self) -> None:
        """Close the tty and stop the simulator."""
        super().close()
        if self._simulator is not None:
            self._simulator.stop()
            self._simulator = None
