"""Unkey a radio through rigctld on a fresh blocking socket: the exit path and `hotline unkey`.

`T 0`, then `t` must read 0: only then is the radio known to be off. A fresh connection, not the
desk's own, so it works when the desk's connection is wedged or gone (rigctld serves several
clients at once). Blocking by design: it runs on the way out, or from the command line.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from hw.rig.protocol import GET_PTT, SET_PTT_OFF, ProtocolFault, Reply, ReplyParser, error_text


@dataclass(frozen=True, slots=True)
class RigUnkey:
    """Whether the radio is confirmed unkeyed, and what happened."""

    confirmed: bool
    detail: str


def _ask(sock: socket.socket, parser: ReplyParser, command: str, deadline: float) -> Reply:
    sock.sendall(command.encode() + b"\n")
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no reply to {command!r}")
        sock.settimeout(left)
        data = sock.recv(4096)
        if not data:
            raise ConnectionError("rigctld closed the connection")
        replies = parser.feed(data)
        if replies:
            return replies[0]


def unkey_rigctld(host: str, port: int, timeout_s: float = 3.0) -> RigUnkey:
    """`T 0` until rigctld answers RPRT 0 and `t` reads 0, or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    where = f"rigctld at {host}:{port}"
    last = f"no answer from {where} in {timeout_s:g} s"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(
                (host, port), timeout=max(0.05, deadline - time.monotonic())
            ) as sock:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                parser = ReplyParser()
                done = _ask(sock, parser, SET_PTT_OFF, deadline)
                if not done.ok:
                    last = f"{where} answered T 0 with {error_text(done.code)}"
                else:
                    ptt = _ask(sock, parser, GET_PTT, deadline)
                    if ptt.ok and not ptt.flag("PTT"):
                        return RigUnkey(True, f"{where} confirmed PTT off (T 0: RPRT 0, t: 0)")
                    last = f"{where} still reports PTT on after T 0"
        except (OSError, TimeoutError, ProtocolFault) as exc:
            last = f"{where}: {exc}"
        time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
    return RigUnkey(False, last)
