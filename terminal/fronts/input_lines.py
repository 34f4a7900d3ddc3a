"""Lines from standard input (or any file descriptor) delivered on the event loop, whatever it is.

A terminal, pipe or socket is watched by the loop; a regular file or /dev/null cannot be (epoll
refuses them), so it is read by a thread of its own. End of input is not an error: the lines
read so far are delivered and reading stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import threading
from collections.abc import Callable

READ_SIZE = 4096


def _watchable(fd: int) -> bool:
    """Can the loop's selector watch `fd`? (Not a regular file nor /dev/null.)"""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)


def read_lines(
    loop: asyncio.AbstractEventLoop, fd: int, on_line: Callable[[bytes], None]
) -> str:
    """Call `on_line(raw)` on the loop for each line read from `fd` (without its newline, the
    last line even if unterminated). Returns how it reads: "loop", "thread" or "none" (closed)."""
    try:
        watchable = _watchable(fd)
    except OSError:
        return "none"
    splitter = _Splitter(on_line)
    if watchable:
        os.set_blocking(fd, False)

        def readable() -> None:
            try:
                data = os.read(fd, READ_SIZE)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(fd)
            splitter.feed(data)

        loop.add_reader(fd, readable)
        return "loop"

    def reader() -> None:
        while True:
            try:
                data = os.read(fd, READ_SIZE)
            except OSError:
                data = b""
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody to tell
                loop.call_soon_threadsafe(splitter.feed, data)
            if not data:
                return

    threading.Thread(target=reader, name="stdin-reader", daemon=True).start()
    return "thread"


class _Splitter:
    """Bytes in, whole lines out; an empty feed is the end of input."""

    def __init__(self, on_line: Callable[[bytes], None]) -> None:
        self.on_line = on_line
        self.buffer = b""
        self.ended = False

    def feed(self, data: bytes) -> None:
        if self.ended:
            return
        if not data:
            self.ended = True
            if self.buffer:
                self.on_line(self.buffer)
            self.buffer = b""
            return
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for raw in lines:
            self.on_line(raw)
