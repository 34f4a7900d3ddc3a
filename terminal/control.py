"""The desk's control socket: a Unix socket where local tools and consoles reach the terminal.

One JSON object per line each way (docs/attach.md). A request is `{"cmd": ...}`; each gets one
reply `{"ok": true, ...}` or `{"ok": false, "error": "..."}`. A subscribed client also receives
`{"event": "snapshot", "snapshot": {...}}` lines; a slow client gets the latest snapshot, never a
backlog. Peer credentials are checked on connect: root, the service's own user, or a member of
the configured socket group; anyone else is told why and disconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import grp
import json
import logging
import os
import pwd
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 4096
READ_LIMIT_BYTES = MAX_REQUEST_BYTES * 2
"""A line longer than this is not read at all: the server says so and hangs up."""
PUSH_INTERVAL_S = 0.05
"""The shortest time between two snapshots pushed to one client (20 a second at most)."""


@dataclass(frozen=True, slots=True)
class Peer:
    """Who is on the other end of a connection (SO_PEERCRED)."""

    pid: int
    uid: int
    gid: int


@dataclass(frozen=True, slots=True)
class RawJson:
    """A snapshot already serialized: JSON text, sent as it is."""

    text: str


@dataclass(eq=False)
class Client:
    """One connection: who it is, and the latest snapshot waiting to be sent to it."""

    id: int
    peer: Peer
    writer: asyncio.StreamWriter
    subscribed: bool = False
    _latest: Any = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, obj: dict[str, Any]) -> None:
        """Write one line now (replies)."""
        self.writer.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")

    def offer(self, snapshot_json: Any) -> None:
        """Queue a snapshot (its JSON form, or a function that makes it when it is sent); an
        unsent older one is replaced."""
        self._latest = snapshot_json
        self._wake.set()


Handler = Callable[[dict[str, Any], Client], dict[str, Any]]


def parse_request(line: bytes) -> dict[str, Any]:
    """Decode one request line; raises ValueError with a clear message."""
    if len(line) > MAX_REQUEST_BYTES:
        raise ValueError(f"request longer than {MAX_REQUEST_BYTES} bytes")
    try:
        request = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    except RecursionError:  # `[[[[...`: escaping, it would stop the desk's loop
        raise ValueError("not JSON: nested too deeply") from None
    if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
        raise ValueError('a request is a JSON object with a string "cmd"')
    return request


def peer_of(writer: asyncio.StreamWriter) -> Peer:
    """The connecting process's pid, uid and gid."""
    sock = writer.get_extra_info("socket")
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return Peer(pid, uid, gid)


def peer_allowed(peer: Peer, group: str) -> tuple[bool, str]:
    """Root, our own user, or a member of `group` may connect."""
    if peer.uid in (0, os.getuid()):
        return True, ""
    try:
        group_id = grp.getgrnam(group).gr_gid
    except KeyError:
        return False, f"uid {peer.uid} is not allowed (group {group!r} does not exist here)"
    try:
        name = pwd.getpwuid(peer.uid).pw_name
        groups = set(os.getgrouplist(name, peer.gid))
    except KeyError:
        groups = {peer.gid}
    if group_id in groups:
        return True, ""
    return False, f"uid {peer.uid} is not in group {group!r}"


class ControlServer:
    """Serves requests on a Unix socket; handlers run on the loop."""

    def __init__(
        self,
        path: Path,
        handlers: dict[str, Handler],
        mode: int = 0o660,
        group: str = "hotline",
        on_disconnect: Callable[[Client], None] | None = None,
    ) -> None:
        self.path = path
        self.mode = mode
        self.group = group
        self.handlers = handlers
        self.clients: dict[int, Client] = {}
        self._on_disconnect = on_disconnect
        self._server: asyncio.AbstractServer | None = None
        self._next_id = 1
        self.rejected = 0
        self.refused_peers = 0

    async def start(self) -> None:
        """Listen (replacing a stale socket left by a dead process)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_socket():
            self.path.unlink()
        self._server = await asyncio.start_unix_server(
            self._serve, path=str(self.path), limit=READ_LIMIT_BYTES
        )
        os.chmod(self.path, self.mode)
        with contextlib.suppress(KeyError, PermissionError):
            os.chown(self.path, -1, grp.getgrnam(self.group).gr_gid)

    def answer(self, line: bytes, client: Client) -> dict[str, Any]:
        """The reply to one request line."""
        try:
            request = parse_request(line)
        except ValueError as exc:
            self.rejected += 1
            return {"ok": False, "error": str(exc)}
        handler = self.handlers.get(request["cmd"])
        if handler is None:
            self.rejected += 1
            known = ", ".join(sorted(self.handlers))
            return {"ok": False, "error": f"unknown cmd {request['cmd']!r}; known: {known}"}
        return handler(request, client)

    def broadcast(self, snapshot_json: Any) -> None:
        """Offer a snapshot to every subscribed client."""
        for client in self.clients.values():
            if client.subscribed:
                client.offer(snapshot_json)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = peer_of(writer)
        allowed, why = peer_allowed(peer, self.group)
        if not allowed:
            self.refused_peers += 1
            log.warning("control socket: refused pid %s: %s", peer.pid, why)
            writer.write(json.dumps({"ok": False, "error": f"refused: {why}"}).encode() + b"\n")
            with contextlib.suppress(ConnectionError, OSError):
                await writer.drain()
            writer.close()
            return
        client = Client(self._next_id, peer, writer)
        self._next_id += 1
        self.clients[client.id] = client
        pusher = asyncio.get_running_loop().create_task(self._push(client))
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    client.send({"ok": False, "error": "request too long"})
                    break
                if not line:
                    break
                client.send(self.answer(line.strip(), client))
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            pusher.cancel()
            self.clients.pop(client.id, None)
            if self._on_disconnect is not None:
                self._on_disconnect(client)
            writer.close()

    async def _push(self, client: Client) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while True:
                await client._wake.wait()
                client._wake.clear()
                snapshot, client._latest = client._latest, None
                if callable(snapshot):  # made on demand: only a snapshot sent is converted
                    snapshot = snapshot()
                if snapshot is not None:
                    if isinstance(snapshot, RawJson):  # already JSON text: written as it is
                        client.writer.write(b'{"event":"snapshot","snapshot":'
                                            + snapshot.text.encode() + b"}\n")  # fmt: skip
                    else:
                        client.send({"event": "snapshot", "snapshot": snapshot})
                    await client.writer.drain()
                    # At most one snapshot per PUSH_INTERVAL_S: what changes meanwhile (a burst
                    # of alerts) is merged into the latest one, which is always sent.
                    await asyncio.sleep(PUSH_INTERVAL_S)

    def close(self) -> None:
        """Stop listening, drop the clients and remove the socket."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for client in list(self.clients.values()):
            client.writer.close()
        self.clients.clear()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def request(path: Path, cmd: str, timeout_s: float = 1.0, **fields: Any) -> dict[str, Any]:
    """Send one request to a running terminal and return its reply (raises OSError,
    TimeoutError, ValueError)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(json.dumps({"cmd": cmd, **fields}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    reply = json.loads(data.splitlines()[0] if data else b"")
    if not isinstance(reply, dict):
        raise ValueError("reply is not a JSON object")
    return reply
