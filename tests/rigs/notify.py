"""A datagram socket standing in for systemd's notify socket (READY=1, WATCHDOG=1, ...)."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path


class NotifyListener:
    """A datagram socket standing in for systemd's notify socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[tuple[float, str]] = []

    def collect(self, seconds: float) -> list[tuple[float, str]]:
        """Messages (monotonic arrival time, text) arriving within `seconds`."""
        end = time.monotonic() + seconds
        got = []
        while (left := end - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                break
            got.append((time.monotonic(), data.decode()))
        self.messages += got
        return got

    def wait_for(self, text: str, seconds: float) -> float:
        """When a message holding the line `text` arrived; fail after `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for t, msg in self.collect(0.05):
                if text in msg.split("\n"):
                    return t
        raise AssertionError(f"no {text!r} within {seconds} s; got {self.messages}")

    async def collect_async(self, seconds: float) -> list[tuple[float, str]]:
        """`collect` off the event loop (the simulators in this loop keep running)."""
        return await asyncio.get_running_loop().run_in_executor(None, self.collect, seconds)

    async def wait_for_async(self, text: str, seconds: float) -> float:
        """`wait_for` off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(
            None, self.wait_for, text, seconds
        )

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()
