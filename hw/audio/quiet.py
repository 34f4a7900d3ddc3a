"""Keep what native audio libraries print off the desk's standard error.

Where there is no sound card, every PortAudio initialisation (at start-up, then at each rescan
while no device is found) has ALSA print a dozen `ALSA lib ...` lines and libjack (PortAudio is
built with JACK support) five more about a JACK server that is not there: some eighty lines in the
journal before the desk's own, and more each rescan.

`silence_audio_libraries()` gives both libraries a handler of their own, once per process, before
PortAudio first starts: ALSA's `snd_lib_error_set_handler`, JACK's `jack_set_error_function` and
`jack_set_info_function`. The messages go to this module's logger at DEBUG (shown only when the
desk runs with debug logging), nothing else is touched: the desk's own lines, which go to the
same descriptor from other threads, are never held back.

`quiet_native_stderr()` points file descriptor 2 at /dev/null for a while: for short-lived,
single-threaded tools only (`hotline audio`, the benchmark), since it hides everything.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

# void (*snd_lib_error_handler_t)(const char *file, int line, const char *function, int err,
#                                 const char *fmt, ...): the variadic arguments are not read.
_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_JACK_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)  # void (*)(const char *msg)

_lock = threading.Lock()
_installed: dict[str, Any] = {}
"""The installed callbacks by library (kept referenced: the libraries hold bare pointers)."""


def _text(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


def _alsa(file: bytes | None, line: int, function: bytes | None, err: int,
          fmt: bytes | None) -> None:
    log.debug("ALSA %s:%d (%s) %s: %s", _text(file), line, _text(function), _text(fmt),
              os.strerror(-err) if err < 0 else err)


def _jack(message: bytes | None) -> None:
    log.debug("JACK %s", _text(message))


def _load(soname: str, name: str) -> ctypes.CDLL | None:
    path = ctypes.util.find_library(name) or soname
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def silence_audio_libraries() -> list[str]:
    """Route ALSA's and JACK's messages to this module's DEBUG log (once; thread-safe). Returns the
    libraries now handled: a library that is not installed needs nothing."""
    with _lock:
        if not _installed:
            alsa = _load("libasound.so.2", "asound")
            if alsa is not None and hasattr(alsa, "snd_lib_error_set_handler"):
                handler = _ALSA_HANDLER(_alsa)
                alsa.snd_lib_error_set_handler.argtypes = [_ALSA_HANDLER]
                alsa.snd_lib_error_set_handler(handler)
                _installed["alsa"] = handler
            jack = _load("libjack.so.0", "jack")
            if jack is not None and hasattr(jack, "jack_set_error_function"):
                handler = _JACK_HANDLER(_jack)
                for setter in ("jack_set_error_function", "jack_set_info_function"):
                    function = getattr(jack, setter)
                    function.argtypes = [_JACK_HANDLER]
                    function.restype = None
                    function(handler)
                _installed["jack"] = handler
            _installed.setdefault("done", True)
        return sorted(name for name in _installed if name != "done")


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
