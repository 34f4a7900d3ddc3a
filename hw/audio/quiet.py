"""Silence what native libraries print on file descriptor 2 while PortAudio starts.

PortAudio built with JACK support has libjack probe for a server at every initialisation and
print a few lines when there is none. Short-lived tools (`hotline audio`, the benchmark) hide
them; the desk does not, since its own log lines go to the same descriptor from other threads.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Point fd 2 at /dev/null for the duration (not thread-safe: single-threaded tools only)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
