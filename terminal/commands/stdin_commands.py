"""Typed commands on standard input for the simulators: one line each, answered on stdout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable


def normalise(raw: bytes) -> str:
    """A command line as matched: words separated by single spaces, lower case."""
    return " ".join(raw.decode(errors="replace").split()).lower()


def obey_stdin(loop: asyncio.AbstractEventLoop, answer: Callable[[str], str]) -> None:
    """Read stdin on the loop; pass each non-empty line to `answer` and print what it returns.

    Without a usable stdin (closed, a file the loop cannot watch) nothing is read."""
    fd = sys.stdin.fileno() if sys.stdin is not None else -1
    buffer = b""

    def readable() -> None:
        nonlocal buffer
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            return
        buffer += data
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = normalise(raw)
            if line:
                print(answer(line), flush=True)

    if fd >= 0:
        with contextlib.suppress(OSError, ValueError, PermissionError):
            loop.add_reader(fd, readable)
