"""The system clock's synchronisation, read from the kernel: `adjtimex(2)` with no modes set (a
read; no privilege needed) through ctypes. STA_UNSYNC in `status` means no time service has
disciplined the clock lately; `esterror` and `maxerror` are the kernel's estimated and maximum
error in microseconds. The last sync is the time systemd-timesyncd last touched
/run/systemd/timesync/synchronized, where it runs. Anything that cannot be read is "unknown".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

from terminal.core.clock_trust import ClockState

STA_UNSYNC = 0x0040
TIMESYNCD_STAMP = Path("/run/systemd/timesync/synchronized")


class Timex(ctypes.Structure):
    """`struct timex` (linux/timex.h, glibc's sys/timex.h)."""

    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long),
        ("time_usec", ctypes.c_long),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("_reserved", ctypes.c_int * 11),
    ]


def state_from_timex(tx: Timex, last_sync_utc_ms: int | None) -> ClockState:
    """A reading from the kernel's answer."""
    return ClockState(
        synchronised=not tx.status & STA_UNSYNC,
        est_error_ms=tx.esterror / 1000.0,
        max_error_ms=tx.maxerror / 1000.0,
        last_sync_utc_ms=last_sync_utc_ms,
        source="adjtimex",
    )


class KernelClock:
    """A `ClockSource` over the running kernel."""

    def __init__(self, stamp: Path = TIMESYNCD_STAMP) -> None:
        self.stamp = stamp
        self._adjtimex = None
        self._why_not = ""
        if not sys.platform.startswith("linux"):
            self._why_not = f"not Linux ({sys.platform})"
            return
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            self._adjtimex = libc.adjtimex
        except (OSError, AttributeError) as exc:
            self._why_not = f"no adjtimex in the C library: {exc}"

    def read(self) -> ClockState:
        """The kernel's synchronisation state now (unknown, with the reason, when unreadable)."""
        if self._adjtimex is None:
            return ClockState(None, source="adjtimex", detail=self._why_not)
        tx = Timex()  # modes = 0: read only
        if self._adjtimex(ctypes.byref(tx)) == -1:
            err = ctypes.get_errno()
            return ClockState(None, source="adjtimex", detail=f"adjtimex: {os.strerror(err)}")
        return state_from_timex(tx, self._last_sync())

    def _last_sync(self) -> int | None:
        try:
            return int(self.stamp.stat().st_mtime * 1000)
        except OSError:
            return None
