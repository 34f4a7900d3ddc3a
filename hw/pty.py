"""Pseudo-terminal pairs that stand in for serial cables on the bench and in tests.

The terminal opens `path` with pyserial, exactly as it opens a USB adapter at the desk; the
simulator speaks on `master_fd`, the far end of the cable. `path` is a symlink in a directory of our
own, so the adapter can be "unplugged" (the far end closes and the path disappears, as with a USB
adapter pulled out) and "plugged back" (a new pair behind the same path).
"""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path


class PtyPair:
    """One pseudo-terminal pair with a stable device path."""

    def __init__(self, link: Path | None = None) -> None:
        self.link = link
        self.master_fd = -1
        self._keeper_fd = -1
        self.slave_path = ""
        self.plug()

    @property
    def path(self) -> str:
        """The device path the terminal opens."""
        return str(self.link) if self.link is not None else self.slave_path

    @property
    def plugged(self) -> bool:
        """Whether the far end is connected now."""
        return self.master_fd >= 0

    def plug(self) -> None:
        """Create the pair (or a new one after `unplug`) and point the path at it."""
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self.master_fd, self._keeper_fd = master, slave
        self.slave_path = os.ttyname(slave)
        if self.link is not None:
            tmp = self.link.with_name(self.link.name + ".new")
            if tmp.is_symlink():
                tmp.unlink()
            tmp.symlink_to(self.slave_path)
            tmp.replace(self.link)

    def unplug(self) -> None:
        """Pull the cable: the far end closes and the device path disappears."""
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()
        for fd in (self.master_fd, self._keeper_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master_fd = self._keeper_fd = -1

    close = unplug
