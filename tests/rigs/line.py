"""The bridge-to-desk direction of the radio line under the test's hands.

What the bridge simulator says is diverted into `pending`; the test then writes it into the pty
master in whatever shape it wants (a byte at a time, 64 KiB lumps, mixed with garbage). A
reference decoder over everything written says what the desk must have decoded.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from hw.wire.codec import Decoder, FrameError
from terminal.benchrig import BenchRig


class LineToDesk:
    """Everything written towards the desk on the radio pty, counted."""

    def __init__(self, rig: BenchRig) -> None:
        self.fd = rig.radio_pty.master_fd
        self.pending = bytearray()
        self.reference = Decoder()
        self.written = 0
        self.writes: list[int] = []
        self.reads: list[int] = []
        self.desk_before: Counter[str] = Counter()
        port = rig.desk.radio.port
        self.desk_decoder = rig.desk.radio.session.decoder
        self._desk_port = port
        on_data = port._on_data

        def counted(data: bytes) -> None:  # a spy on the desk's reads: sizes only
            self.reads.append(len(data))
            on_data(data)

        port._on_data = counted
        rig.bridge_runner.divert(self.pending.extend)

    def take(self) -> bytes:
        """The bridge's bytes not yet written."""
        data = bytes(self.pending)
        self.pending.clear()
        return data

    async def write(self, data: bytes, broken: bool = False) -> None:
        """Write `data` in as few write calls as the pty takes, waiting while it is full;
        `broken`: it may hold broken frames on purpose."""
        loop = asyncio.get_running_loop()
        view = memoryview(data)
        for item in self.reference.feed(data):
            if isinstance(item, FrameError) and item.kind != "garbage" and not broken:
                raise AssertionError(f"the test wrote a broken frame: {item}")
        while view:
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                ready: asyncio.Future[None] = loop.create_future()
                loop.add_writer(self.fd, _wake, ready)
                try:
                    await ready
                finally:
                    loop.remove_writer(self.fd)
                continue
            self.writes.append(n)
            self.written += n
            view = view[n:]

    async def settle(self) -> None:
        """Let the desk read what the bridge wrote before the diversion; count from here."""
        await asyncio.sleep(0.05)
        self._start_in = self._desk_port.bytes_in - self.written
        self.reads.clear()
        self.desk_before = Counter(self.desk_decoder.stats)

    async def delivered(self, timeout_s: float = 5.0) -> None:
        """Wait (spinning the loop) until the desk has read everything written."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._desk_port.bytes_in - self._start_in < self.written:
            if loop.time() > deadline:
                raise AssertionError("the desk stopped reading the line")
            await asyncio.sleep(0)

    def desk_counts(self) -> Counter[str]:
        """What the desk's decoder counted since `settle` (frames, errors, garbage bytes)."""
        now = Counter(self.desk_decoder.stats)
        now.subtract(self.desk_before)
        return +now

    _start_in = 0


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)
