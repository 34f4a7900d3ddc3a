"""The control-socket fuzz target over a real socket, against a real running desk.

`RunningDesk` runs a BenchRig (the desk, its log, mock pins, the bridge simulator on a pty) on an
event loop in a thread of its own; `check_socket` sends hostile bytes to its control socket the
way a client would — lines cut at any point, several per write, half-closed — and checks that each
line gets one JSON reply, that the desk keeps answering at once, and that nothing it refused
changed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st

from bench.fuzzing.control import check_reply, lines
from terminal.benchrig import BenchRig
from terminal.config import bench_config
from terminal.control import READ_LIMIT_BYTES

T = TypeVar("T")
ANSWER_WITHIN_S = 2.0
LONGEST_READ = READ_LIMIT_BYTES
"""Lines up to this long are read whole; a longer one ends the connection with an error."""


class RunningDesk:
    """A bench desk on its own loop thread; use as a context manager."""

    def __init__(self, workdir: Path) -> None:
        cfg = bench_config(log_dir=workdir / "log")
        cfg = replace(cfg, gpio=replace(cfg.gpio, lamp_test_ms=0),
                      audio=replace(cfg.audio, enabled=False))  # fmt: skip
        self.rig = BenchRig(cfg, workdir=workdir)
        self.socket = cfg.log.directory / "control.sock"
        self.loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._done: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="fuzz-desk", daemon=True)
        self.failure: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            await self.rig.run_until(self._stop)

        try:
            self.loop.run_until_complete(main())
            self._done.set_result(None)
        except BaseException as exc:  # reported by `alive` and on exit
            self.failure = exc
            self._done.set_exception(exc)
        finally:  # as asyncio.run does: let the tasks the desk cancelled end before the close
            left = asyncio.all_tasks(self.loop)
            for task in left:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))

    def __enter__(self) -> RunningDesk:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not (self.socket.exists() and self.on_loop(lambda: self.rig.desk.radio.is_up)):
            if self._done.done() or time.monotonic() > deadline:
                raise RuntimeError(f"the desk did not start: {self.failure!r}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None and not self._done.done():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        self.loop.close()

    @property
    def alive(self) -> bool:
        """The desk is still running (no fault stopped its loop)."""
        return not self._done.done()

    def on_loop(self, fn: Callable[[], T], timeout: float = ANSWER_WITHIN_S) -> T:
        """Run `fn` on the desk's loop; TimeoutError if the loop does not get to it in time."""

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def state(self) -> tuple[Any, ...]:
        """What a refused request must not change."""

        def read() -> tuple[Any, ...]:
            snap = self.rig.desk.engine.snapshot
            control = self.rig.desk.control
            held = control.controller if control is not None else None
            return snap.display, snap.call.call_id, snap.call.keyed, snap.operator, held is None

        return self.on_loop(read)

    def clients(self) -> int:
        """Connections the control server holds now."""
        control = self.rig.desk.control
        return self.on_loop(lambda: len(control.server.clients) if control else -1)


def _exchange(path: Path, payload: bytes, cuts: list[int]) -> list[bytes]:
    """Send `payload` in pieces cut at `cuts`, half-close, read every reply line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(ANSWER_WITHIN_S * 5)
        sock.connect(str(path))
        received = bytearray()

        def reader() -> None:
            with contextlib.suppress(OSError):  # reset by a server that hung up: seen below
                while chunk := sock.recv(65536):
                    received.extend(chunk)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        last = 0
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # after a long line
            for cut in [*sorted({c % (len(payload) + 1) for c in cuts}), len(payload)]:
                sock.sendall(payload[last:cut])
                last = cut
            sock.shutdown(socket.SHUT_WR)
        thread.join(ANSWER_WITHIN_S * 5)
        assert not thread.is_alive(), "the server neither answered nor closed the connection"
    return bytes(received).split(b"\n")[:-1]


socket_cases = st.tuples(
    st.lists(lines(intents=False), min_size=1, max_size=8),
    st.lists(st.integers(0, 10_000), max_size=6),
)


def check_socket(desk: RunningDesk, case: tuple[list[bytes], list[int]]) -> None:
    """Lines over a real connection: one JSON reply per line, in order; the desk stays up,
    answers a `state` request at once, and is unchanged unless a reply said ok."""
    requests, cuts = case
    payload = b"\n".join(requests) + b"\n"
    sent = payload.split(b"\n")[:-1]
    before = desk.state()
    replies = _exchange(desk.socket, payload, cuts)
    parsed = [json.loads(r) for r in replies]
    parsed = [r for r in parsed if not (isinstance(r, dict) and r.get("event") == "snapshot")]
    long = next((i for i, line in enumerate(sent) if len(line) > LONGEST_READ), None)
    if long is None:
        assert len(parsed) == len(sent), f"{len(parsed)} replies to {len(sent)} lines"
    else:  # the server says the line is too long and hangs up
        assert long < len(parsed) <= len(sent), f"{len(parsed)} replies, line {long} too long"
        assert parsed[long]["ok"] is False and parsed[-1]["ok"] is False
    for reply in parsed:
        check_reply(reply)
    assert desk.alive, f"the desk stopped: {desk.failure!r}"
    started = time.monotonic()
    after = desk.state()
    assert time.monotonic() - started < ANSWER_WITHIN_S, "the desk's loop is blocked"
    if not any(r["ok"] for r in parsed):
        assert after == before, f"refused requests changed the desk: {before} -> {after}"
