"""`hotline service` as a child process, wired over real pseudo-terminals to simulators that run
in the test's own event loop (the radio bridge always, the co-processor when given).

The child can be killed and started again on the same configuration, log and ports, as systemd
would restart it; `NOTIFY_SOCKET` / `WATCHDOG_USEC` can be set for it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from hw.pty import PtyPair
from hw.sim.bridge import BridgeSim
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from terminal.control import request
from tests.rigs.bench import until

RADIO = {"heartbeat_s": 0.2, "link_timeout_s": 0.8, "ack_timeout_s": 0.1}
"""The radio link's timers, on both ends."""


def write_config(
    tmp: Path,
    radio_port: str,
    *,
    coproc_port: str | None = None,
    sock: Path | None = None,
    socket_mode: str = "0660",
    extra: str = "",
) -> Path:
    """A service configuration for the pty ports, the log in `tmp/log`; `extra` TOML appended."""
    radio = "".join(f"{k} = {v}\n" for k, v in RADIO.items())
    coproc = (
        f'[coproc]\nport = "{coproc_port}"\nheartbeat_s = 0.2\nlink_timeout_s = 0.8\n'
        "ack_timeout_s = 0.1\n"
        if coproc_port else "[coproc]\nenabled = false\n"
    )
    cfg = tmp / "desk.toml"
    cfg.write_text(
        f'[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n[radio]\nport = "{radio_port}"\n{radio}'
        f'{coproc}[log]\ndirectory = "{tmp / "log"}"\n'
        f'[service]\nsocket = "{sock or tmp / "c.sock"}"\nsocket_mode = "{socket_mode}"\n{extra}'
    )
    return cfg


class ServiceChild:
    """A `hotline service` child and the simulators at the far ends of its ports."""

    def __init__(
        self, tmp: Path, sim: BridgeSim, runner: SimRunner, pty: PtyPair, cfg: Path, sock: Path,
        env: dict[str, str],
    ) -> None:
        self.tmp, self.sim, self.runner, self.pty, self.cfg = tmp, sim, runner, pty, cfg
        self.sock = sock
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.coproc: CoprocSim | None = None
        self.coproc_runner: SimRunner | None = None
        self.coproc_pty: PtyPair | None = None
        self.starts = 0

    @property
    def db(self) -> Path:
        """The service's log."""
        return self.tmp / "log" / "hotline.db"

    def now(self) -> float:
        """The test loop's (and the simulators') monotonic time."""
        return asyncio.get_running_loop().time()

    async def spawn(self, stderr: int = asyncio.subprocess.DEVNULL) -> None:
        """Start the child and return at once."""
        self.sock.unlink(missing_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "terminal.cli", "service", "--config", str(self.cfg),
            env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )
        self.starts += 1

    async def start(self, timeout_s: float = 15.0) -> None:
        """Start the child; return once its radio link is up and its control socket answers."""
        await self.spawn()
        await until(lambda: self.sim.session.is_up and self.sock.exists(), timeout_s,
                    "service up")  # fmt: skip
        await until(lambda: self.state().get("links", {}).get("radio") is True, timeout_s,
                    "service sees its radio link")  # fmt: skip

    def state(self) -> dict[str, Any]:
        """The control socket's `state` reply ({} if it does not answer)."""
        try:
            return request(self.sock, "state")
        except (OSError, ValueError):
            return {}

    async def intent(self, name: str) -> None:
        """An operator intent through the control socket (off the loop: it blocks)."""
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(None, lambda: request(self.sock, "intent", name=name))
        assert reply.get("ok"), reply

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the child."""
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self, timeout_s: float = 10.0) -> int:
        """Wait for the child to exit; its return code."""
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout_s)

    async def ring_and_key(self) -> None:
        """The far end rings, the operator answers and keys (PTT toggled on the console)."""
        self.sim.ring(self.now())
        self.runner.pump()
        await until(lambda: self.state().get("state") == "RINGING", 5, "ringing")
        await self.intent("answer")
        await until(lambda: self.sim.phase.value == "CONNECTED", 5, "connected")
        await self.intent("ptt_toggle")
        await until(lambda: self.sim.keyed, 5, "keyed")

    async def call_flows(self) -> None:
        """A whole call through the service: ring, answer, key, unkey, hang up, desk idle again."""
        await self.ring_and_key()
        await self.intent("ptt_toggle")
        await until(lambda: not self.sim.keyed, 5, "unkeyed")
        assert self.sim.log.tx_changes[-1][2] == "UNKEY"
        await self.intent("hangup")
        await until(lambda: self.sim.phase.value == "IDLE", 5, "hung up")
        await until(lambda: self.state().get("state") == "IDLE", 5, "desk idle")

    def attach_coproc(self) -> None:
        """Let the co-processor simulator speak (its port is open from the start)."""
        assert self.coproc_runner is not None and self.coproc_pty is not None
        self.coproc_runner.set_clock(asyncio.get_running_loop().time)
        self.coproc_runner.attach_fd(self.coproc_pty.master_fd)

    async def stop(self) -> None:
        """SIGTERM the child if it still runs; wait for it."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@asynccontextmanager
async def service(
    tmp: Path,
    *,
    socket_mode: str = "0660",
    sock: Path | None = None,
    coproc: CoprocSim | None = None,
    extra: str = "",
    env: dict[str, str] | None = None,
    start: bool = True,
) -> AsyncIterator[ServiceChild]:
    """A bridge simulator on a pty, `hotline service` on the other end (started unless `start`
    is False); with `coproc`, that simulator on a second pty, attached by `attach_coproc`.
    The child gets SIGTERM on the way out."""
    loop = asyncio.get_running_loop()
    pty = PtyPair()  # a /dev/pts path, as the configuration demands a device
    sim = BridgeSim(
        heartbeat_s=RADIO["heartbeat_s"], link_timeout_s=RADIO["link_timeout_s"],
        ack_timeout_s=RADIO["ack_timeout_s"],
    )
    runner = SimRunner(sim, clock=loop.time)
    runner.attach_fd(pty.master_fd)
    coproc_pty = PtyPair() if coproc is not None else None
    cfg = write_config(
        tmp, pty.path, coproc_port=coproc_pty.path if coproc_pty else None, sock=sock,
        socket_mode=socket_mode, extra=extra,
    )
    child = ServiceChild(
        tmp, sim, runner, pty, cfg, sock or tmp / "c.sock", dict(os.environ, **(env or {}))
    )
    if coproc is not None:
        child.coproc, child.coproc_pty = coproc, coproc_pty
        child.coproc_runner = SimRunner(coproc, clock=loop.time)
    try:
        if start:
            await child.start()
        yield child
    finally:
        await child.stop()
        runner.detach()
        pty.close()
        if child.coproc_runner is not None and coproc_pty is not None:
            child.coproc_runner.detach()
            coproc_pty.close()
