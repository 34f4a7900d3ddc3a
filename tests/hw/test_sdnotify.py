"""The notify protocol over a real datagram socket."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from terminal.sdnotify import Notifier, watchdog_interval_s


def _listener(tmp_path: Path) -> tuple[socket.socket, str]:
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    return sock, path


def test_messages_arrive_as_datagrams(tmp_path: Path) -> None:
    sock, path = _listener(tmp_path)
    n = Notifier(path)
    assert n.ready("idle")
    assert n.watchdog()
    assert n.stopping()
    assert sock.recv(4096) == b"READY=1\nSTATUS=idle"
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sock.recv(4096) == b"STOPPING=1\nSTATUS=stopping"
    n.close()
    sock.close()


def test_no_socket_means_no_op(monkeypatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    n = Notifier()
    assert not n.enabled
    assert not n.ready("x")


def test_missing_listener_is_counted_not_raised(tmp_path: Path) -> None:
    n = Notifier(str(tmp_path / "nobody"))
    assert not n.watchdog()
    assert n.failed == 1


def test_watchdog_interval_is_half_the_usec() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "4000000"}) == 2.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"}) is None
    pid = str(os.getpid())
    assert watchdog_interval_s({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": pid}) == 0.5
    assert watchdog_interval_s({"WATCHDOG_USEC": "junk"}) is None
    assert watchdog_interval_s({}) is None
