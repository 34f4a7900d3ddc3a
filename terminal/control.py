"""The desk's control socket: a Unix socket where local tools reach the running terminal.

One JSON object per line each way. Requests: {"cmd": "unkey"} forces the bridge to unkey (the
technician's `hotline unkey`), {"cmd": "state"} returns the call state and link health. The socket
is created with the configured mode; anything unreadable gets {"ok": false, "error": "..."}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_REQUEST_BYTES = 4096
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def parse_request(line: bytes) -> dict[str, Any]:
    """Decode one request line; raises ValueError with a clear message."""
    if len(line) > MAX_REQUEST_BYTES:
        raise ValueError(f"request longer than {MAX_REQUEST_BYTES} bytes")
    try:
        request = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
        raise ValueError('a request is a JSON object with a string "cmd"')
    return request


class ControlServer:
    """Serves requests on a Unix socket with a handler run on the loop."""

    def __init__(self, path: Path, handlers: dict[str, Handler], mode: int = 0o660) -> None:
        self.path = path
        self.mode = mode
        self.handlers = handlers
        self._server: asyncio.AbstractServer | None = None
        self.rejected = 0

    async def start(self) -> None:
        """Listen (replacing a stale socket left by a dead process)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_socket():
            self.path.unlink()
        self._server = await asyncio.start_unix_server(
            self._client, path=str(self.path), limit=MAX_REQUEST_BYTES * 2
        )
        os.chmod(self.path, self.mode)

    def answer(self, line: bytes) -> dict[str, Any]:
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
        return handler(request)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    reply = {"ok": False, "error": "request too long"}
                    writer.write(json.dumps(reply).encode() + b"\n")
                    break
                if not line:
                    break
                writer.write(json.dumps(self.answer(line.strip())).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        """Stop listening and remove the socket."""
        if self._server is not None:
            self._server.close()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def request(path: Path, cmd: str, timeout_s: float = 1.0) -> dict[str, Any]:
    """Send one request to a running terminal and return its reply (raises OSError, TimeoutError,
    ValueError)."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(json.dumps({"cmd": cmd}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    reply = json.loads(data)
    if not isinstance(reply, dict):
        raise ValueError("reply is not a JSON object")
    return reply
