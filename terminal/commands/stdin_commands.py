"""Typed commands on standard input for the simulators: one line each, answered on stdout."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from terminal.fronts.input_lines import read_lines


def normalise(raw: bytes) -> str:
    """A command line as matched: words separated by single spaces, lower case."""
    return " ".join(raw.decode(errors="replace").split()).lower()


def obey_stdin(loop: asyncio.AbstractEventLoop, answer: Callable[[str], str]) -> None:
    """Read stdin on the loop; pass each non-empty line to `answer` and print what it returns.

    A terminal or pipe is watched by the loop, a file or /dev/null read by a thread; a closed
    stdin gives nothing. End of input is not an error."""
    if sys.stdin is None:
        return
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):
        return

    def obey(raw: bytes) -> None:
        line = normalise(raw)
        if line:
            print(answer(line), flush=True)

    read_lines(loop, fd, obey)
