"""The systemd notify protocol, spoken directly: one datagram per message to $NOTIFY_SOCKET.

No-op when the variable is absent (run by hand, on the bench, in tests that do not ask for it).
An abstract socket name starts with '@' and is sent with a leading NUL, as sd_notify(3) does.
"""

from __future__ import annotations

import os
import socket


class Notifier:
    """Sends READY=1, WATCHDOG=1, STATUS=..., STOPPING=1 to the service manager."""

    def __init__(self, address: str | None = None) -> None:
        address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        self.address = address
        self._sock: socket.socket | None = None
        self.sent = 0
        self.failed = 0
        if address:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.setblocking(False)

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens."""
        return self._sock is not None

    def notify(self, *lines: str) -> bool:
        """Send `KEY=value` lines in one datagram; never raises (a full socket is counted)."""
        if self._sock is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            self._sock.sendto("\n".join(lines).encode(), target)
        except OSError:
            self.failed += 1
            return False
        self.sent += 1
        return True

    def ready(self, status: str) -> bool:
        """Start-up is complete."""
        return self.notify("READY=1", f"STATUS={status}")

    def watchdog(self) -> bool:
        """The loop is alive."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """A one-line status for `systemctl status`."""
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        """Shutdown has begun."""
        return self.notify("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        """Release the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Half of $WATCHDOG_USEC in seconds when the watchdog is meant for this process, else None."""
    env = environ if environ is not None else dict(os.environ)
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0:
        return None
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 2_000_000
