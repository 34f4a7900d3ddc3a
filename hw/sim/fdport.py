"""The far end of a pseudo-terminal on the asyncio loop, for simulators and tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable


class FdPort:
    """Non-blocking reads and writes on an open file descriptor (a pty master)."""

    def __init__(self, fd: int, on_data: Callable[[bytes], None]) -> None:
        self.fd = fd
        self._on_data = on_data
        self._pending = bytearray()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(fd, self._readable)
        self.closed = False

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            self.close()
            return
        if not data:
            self.close()
            return
        self._on_data(data)

    def write(self, data: bytes) -> None:
        """Queue bytes for the far end."""
        if self.closed:
            return
        self._pending += data
        self._flush()

    def _flush(self) -> None:
        if self.closed:
            return
        try:
            n = os.write(self.fd, self._pending)
        except BlockingIOError:
            n = 0
        except OSError:
            self.close()
            return
        del self._pending[:n]
        if self._pending:
            self._loop.add_writer(self.fd, self._flush)
        else:
            self._loop.remove_writer(self.fd)

    def close(self) -> None:
        """Stop watching the descriptor (the owner closes it)."""
        if self.closed:
            return
        self.closed = True
        for remove in (self._loop.remove_reader, self._loop.remove_writer):
            with contextlib.suppress(ValueError, OSError):
                remove(self.fd)
