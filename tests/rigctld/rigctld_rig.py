"""The real rigctld (Hamlib's dummy rig, `rigctld -m 1 -P RIG`) on a free loopback port, a
stand-in that answers only `\\get_dcd` itself (the dummy's squelch flips on every reading), and
the desk configured to key through either.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from gpiozero.pins.mock import MockFactory

from terminal.config import Config, bench_config
from terminal.desk import Desk

RIGCTLD = shutil.which("rigctld")


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(port: int, command: str, timeout_s: float = 2.0) -> str:
    """One extended-protocol command on a fresh connection; the reply block as text. A
    connection rigctld resets before replying is asked again once, on a new connection: rigctld
    4.5 did that once to a query made right after another client's (a fresh-clone `make test`,
    2026-12-07), and these helpers check the radio's state, not rigctld's accept loop."""
    try:
        return _ask_once(port, command, timeout_s)
    except ConnectionResetError:
        return _ask_once(port, command, timeout_s)


def _ask_once(port: int, command: str, timeout_s: float) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as s:
        s.sendall(command.encode() + b"\n")
        data = b""
        while b"RPRT" not in data or not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode()


def ptt(port: int) -> bool:
    """The radio's PTT as rigctld reports it (`t`, on a connection of our own)."""
    reply = ask(port, "+t")
    assert reply.rstrip().endswith("RPRT 0"), reply
    for line in reply.splitlines():
        if line.startswith("PTT:"):
            return line.split(":", 1)[1].strip() == "1"
    raise AssertionError(f"no PTT in {reply!r}")


class Rigctld:
    """A real rigctld child with the dummy rig, keyed through CAT (`-P RIG`)."""

    def __init__(self, port: int | None = None) -> None:
        assert RIGCTLD is not None, "rigctld missing: apt-get install libhamlib-utils"
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 5.0) -> None:
        """Start it and wait until it accepts connections."""
        self.proc = subprocess.Popen(
            [RIGCTLD, "-m", "1", "-P", "RIG", "-T", "127.0.0.1", "-t", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                reply = ask(self.port, "+t", timeout_s=0.5)
                assert self.proc.poll() is None, f"rigctld exited: {self.proc.returncode}"
                assert reply.rstrip().endswith("RPRT 0"), f"not rigctld on {self.port}: {reply!r}"
                return
            except OSError:
                assert self.proc.poll() is None, f"rigctld exited: {self.proc.returncode}"
                assert time.monotonic() < deadline, "rigctld did not listen"
                time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL it (the radio's PTT state goes with it: the dummy rig lives inside)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class DcdStandIn:
    """Between the desk and the real rigctld: answers `\\get_dcd` with `dcd` (as rigctld would,
    `get_dcd:` / `DCD: n` / `RPRT 0`) and passes every other line to rigctld, one reply block at a
    time, so replies stay in order. It keeps each connection's lines (`connections`); for the
    fault tests it can answer a command itself instead (`answers`: line -> reply block, e.g. a
    `T 1` refused, or a `T 0` swallowed with RPRT 0), and drop every connection (`drop`)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.dcd = False
        self.port = 0
        self.dcd_reads = 0
        self.connections: list[list[str]] = []
        self.answers: dict[str, str] = {}
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    def drop(self) -> None:
        """Close every connection now (the socket drops under the desk)."""
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def __aenter__(self) -> DcdStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        lines: list[str] = []
        self.connections.append(lines)
        self._writers.append(writer)
        try:
            while line := await reader.readline():
                lines.append(line.decode().strip())
                if lines[-1] in self.answers:
                    writer.write(self.answers[lines[-1]].encode())
                    continue
                if line.strip() == b"+\\get_dcd":
                    self.dcd_reads += 1
                    writer.write(f"get_dcd:\nDCD: {int(self.dcd)}\nRPRT 0\n".encode())
                    continue
                up_w.write(line)
                while True:
                    reply = await up_r.readline()
                    if not reply:
                        return
                    writer.write(reply)
                    if reply.startswith(b"RPRT"):
                        break
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            up_w.close()


def rig_config(tmp: Path, address: str, **ptt_or_call: Any) -> Config:
    """The bench configuration keyed through rigctld at `address`, timers short for tests."""
    cfg = bench_config(log_dir=tmp / "log")
    ptt_keys = {"tx_timeout_s", "tx_warning_s"}
    ptt = {k: v for k, v in ptt_or_call.items() if k in ptt_keys}
    radio = {k: v for k, v in ptt_or_call.items() if k in ("dcd_poll_ms", "ptt_check_ms")}
    call = {k: v for k, v in ptt_or_call.items() if k not in ptt_keys and k not in radio}
    return replace(
        cfg,
        gpio=replace(cfg.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(
            cfg.radio,
            backend="rigctld",
            rigctld=address,
            link_timeout_s=2.0,
            reopen_min_s=0.05,
            reopen_max_s=0.2,
            **{"dcd_poll_ms": 0, "ptt_check_ms": 50, **radio},
        ),
        coproc=replace(cfg.coproc, enabled=False),
        call=replace(cfg.call, **call),
        audio=replace(cfg.audio, enabled=False),
        ptt=replace(cfg.ptt, **ptt),
    )


@contextlib.asynccontextmanager
async def running_desk(config: Config, control_socket: Path | None = None) -> AsyncIterator[Desk]:
    """A started desk on gpiozero's MockFactory, radio link up; always stopped (fail safe)."""
    desk = Desk(config, pin_factory=MockFactory(), control_socket=control_socket)
    await desk.start()
    try:
        await until(lambda: desk.radio.is_up, 5, "radio link up through rigctld")
        yield desk
    finally:
        desk.stop("test end")


async def until(predicate: Any, timeout_s: float = 5.0, what: str = "") -> None:
    """Wait (on the loop) until `predicate()` holds; fail after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.005)


async def radio_keyed(port: int) -> bool:
    """`ptt(port)` off the loop."""
    return await asyncio.get_running_loop().run_in_executor(None, ptt, port)


async def until_radio(port: int, keyed: bool, timeout_s: float = 5.0) -> None:
    """Wait until rigctld reports the radio's PTT as `keyed`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while await radio_keyed(port) != keyed:
        assert loop.time() < deadline, f"rigctld never reported PTT {int(keyed)}"
        await asyncio.sleep(0.01)
