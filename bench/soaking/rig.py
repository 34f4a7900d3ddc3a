"""The soak's rig: `hotline service` as a child process, its two serial links on ptys with the
simulators on their far ends (in this process), and a control-socket client for the operator."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.soaking.source import RepeatingPairs
from hw.pty import PtyPair
from hw.sim.bridge import BridgeSim
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner

LINK = dict(heartbeat_s=0.5, link_timeout_s=2.0, ack_timeout_s=0.2, max_retries=5)
WAIT_S = 20.0


async def until(predicate: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Wait on the loop until `predicate()` holds; TimeoutError naming `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        await asyncio.sleep(0.005)


def config_text(work: Path, radio: str, coproc: str) -> str:
    """The service's configuration: mock pins, fast link timers, no sound."""
    timers = "".join(f"{k} = {v}\n" for k, v in LINK.items())
    return (
        f'[desk]\noperator = "SOAK"\n[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n'
        f'ptt_bounce_ms = 0\n[radio]\nport = "{radio}"\n{timers}reopen_min_s = 0.1\n'
        f'reopen_max_s = 0.5\n[coproc]\nport = "{coproc}"\n{timers}[audio]\nenabled = false\n'
        f'[log]\ndirectory = "{work / "log"}"\n[service]\nsocket = "{work / "control.sock"}"\n'
    )


class Control:
    """One connection to the control socket that holds the controls (the operator's console)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Connect and take the controls."""
        self._reader, self._writer = await asyncio.open_unix_connection(str(self.path))
        reply = await self.request("control", take=True)
        if not reply.get("ok"):
            raise RuntimeError(f"could not take the controls: {reply}")

    async def request(self, cmd: str, **fields: Any) -> dict[str, Any]:
        """One request and its reply."""
        assert self._reader is not None and self._writer is not None
        async with self._lock:
            self._writer.write(json.dumps({"cmd": cmd, **fields}).encode() + b"\n")
            line = await asyncio.wait_for(self._reader.readline(), WAIT_S)
        reply = json.loads(line)
        assert isinstance(reply, dict), reply
        return reply

    def close(self) -> None:
        """Hang up."""
        if self._writer is not None:
            self._writer.close()


class SoakRig:
    """The service and its simulators; `start()`, then drive, then `stop()`."""

    def __init__(self, work: Path, pairs: int, time_scale: float, cycle_s: float) -> None:
        self.work = work
        # The service takes only device paths under /dev/ for its ports: the cables' stable names
        # are symlinks in a private directory on /dev/shm (tmpfs), removed by `stop`.
        self.links = Path(tempfile.mkdtemp(prefix="hotline-soak-", dir="/dev/shm"))
        self.radio_pty = PtyPair(self.links / "radio-bridge")
        self.coproc_pty = PtyPair(self.links / "coproc")
        self.bridge = BridgeSim(auto_answer_s=None, **LINK)  # type: ignore[arg-type]
        self.source = RepeatingPairs(pairs)
        self.coproc = CoprocSim(self.source, time_scale=time_scale, cycle_s=cycle_s,
                                **LINK)  # type: ignore[arg-type]  # fmt: skip
        self.delivered: set[tuple[str, int]] = set()
        note = self.coproc.log.note_delivered

        def noted(key: tuple[str, int]) -> None:
            note(key)
            self.delivered.add(key)

        self.coproc.log.note_delivered = noted  # type: ignore[method-assign]
        self.bridge_runner = SimRunner(self.bridge)
        self.coproc_runner = SimRunner(self.coproc)
        self.proc: asyncio.subprocess.Process | None = None
        self.control = Control(work / "control.sock")
        self.db = work / "log" / "hotline.db"
        self.stderr = work / "service.stderr"

    @property
    def pid(self) -> int:
        """The service's process id."""
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        """Start the simulators and the service; wait until both links are up."""
        loop = asyncio.get_running_loop()
        for runner, pty in ((self.bridge_runner, self.radio_pty),
                            (self.coproc_runner, self.coproc_pty)):  # fmt: skip
            runner.set_clock(loop.time)
            runner.attach_fd(pty.master_fd)
        cfg = self.work / "desk.toml"
        cfg.write_text(config_text(self.work, self.radio_pty.path, self.coproc_pty.path))
        with self.stderr.open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, *self._profile(), "-m", "terminal.cli", "service",
                "--config", str(cfg),
                stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        await until(lambda: (self.work / "control.sock").exists() or self.exited, "the socket")
        if self.exited:
            raise RuntimeError(f"the service exited: {self.stderr_tail()}")
        await self.control.open()
        await self.links_up()

    def _profile(self) -> list[str]:
        """SOAK_PROFILE=FILE: run the service under cProfile, its statistics written to FILE."""
        out = os.environ.get("SOAK_PROFILE")
        return ["-m", "cProfile", "-o", out] if out else []

    def stderr_tail(self, chars: int = 3000) -> str:
        """The end of what the service wrote to stderr."""
        try:
            return self.stderr.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @property
    def exited(self) -> bool:
        """The service is no longer running."""
        return self.proc is None or self.proc.returncode is not None

    async def links_up(self) -> None:
        """Both links up on both sides."""
        await until(lambda: self.bridge.session.is_up and self.coproc.session.is_up, "links")
        for _ in range(int(WAIT_S / 0.01)):
            links = (await self.control.request("state"))["links"]
            if links.get("radio") and links.get("coproc"):
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the service does not see its links up")

    async def drop_radio(self) -> None:
        """Pull the bridge's cable out, wait until the desk sees it, plug it back, wait for up."""
        self.bridge_runner.detach()
        self.radio_pty.unplug()
        for _ in range(int(WAIT_S / 0.01)):
            if not (await self.control.request("state"))["links"].get("radio"):
                break
            await asyncio.sleep(0.01)
        else:
            raise TimeoutError("the desk never saw the bridge go")
        self.radio_pty.plug()
        self.bridge_runner.attach_fd(self.radio_pty.master_fd)
        await self.links_up()

    async def stop(self) -> int | None:
        """SIGTERM the service (it flushes the log), then close the simulators; its exit code."""
        self.control.close()
        code = None
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        elif self.proc is not None:
            code = self.proc.returncode
        for runner, pty in ((self.bridge_runner, self.radio_pty),
                            (self.coproc_runner, self.coproc_pty)):  # fmt: skip
            runner.detach()
            pty.close()
        shutil.rmtree(self.links, ignore_errors=True)
        return code
