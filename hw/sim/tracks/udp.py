"""A UDP receiver on the asyncio loop: unicast or an IPv4 multicast group, bound again after an
error, each datagram handed on with the time it arrived.

A multicast group (224.0.0.0/4) is joined on the interface whose local address is ``iface``
(any interface when empty); the socket is bound to the group's address so that only that group's
datagrams arrive. Any other address is bound as it is (``0.0.0.0`` or ``::``: every address).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from collections.abc import Callable

RCVBUF = 4 << 20  # bytes asked for: a national picture comes in bursts
MAX_DATAGRAM = 65_535


def is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_multicast
    except ValueError:
        return False


def open_socket(host: str, port: int, iface: str = "") -> socket.socket:
    """A bound, non-blocking UDP socket for host:port (a multicast group joined); OSError."""
    if is_multicast(host):
        if ipaddress.ip_address(host).version != 4:
            raise OSError(f"only IPv4 multicast groups are joined, not {host}")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            mreq = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton(iface or "0.0.0.0"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        except OSError:
            sock.close()
            raise
    else:
        family, _type, _proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_DGRAM
        )[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.bind(address)
        except OSError:
            sock.close()
            raise
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.setblocking(False)
    return sock


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpReceiver) -> None:
        self.owner = owner
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.owner.datagrams += 1
        self.owner.on_datagram(data, self.owner.clock())

    def error_received(self, exc: Exception) -> None:
        self.owner.error(f"receive error: {exc}")

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


class UdpReceiver:
    """Datagrams on host:port to ``on_datagram(data, t)``, on the loop, until cancelled."""

    def __init__(
        self,
        host: str,
        port: int,
        on_datagram: Callable[[bytes, float], None],
        clock: Callable[[], float],
        *,
        iface: str = "",
        on_error: Callable[[str], None] | None = None,
        rebind_s: float = 2.0,
    ) -> None:
        self.host, self.port, self.iface = host, port, iface
        self.on_datagram = on_datagram
        self.clock = clock
        self.on_error = on_error
        self.rebind_s = rebind_s
        self.bound = False
        self.binds = 0
        self.datagrams = 0
        self.last_error = ""
        self.local_address: tuple[str, int] | None = None

    def error(self, text: str) -> None:
        self.last_error = text
        if self.on_error is not None:
            self.on_error(text)

    async def run(self) -> None:
        """Bind, receive, and bind again after an error, until cancelled."""
        loop = asyncio.get_running_loop()
        where = f"{self.host}:{self.port}"
        while True:
            try:
                sock = open_socket(self.host, self.port, self.iface)
            except OSError as exc:
                self.error(f"cannot listen on {where}: {exc.strerror or exc}")
                await asyncio.sleep(self.rebind_s)
                continue
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), sock=sock
            )
            self.bound, self.binds = True, self.binds + 1
            self.local_address = sock.getsockname()[:2]
            try:
                await protocol.lost
            finally:
                self.bound = False
                transport.close()
            self.error(f"socket on {where} closed")
            await asyncio.sleep(self.rebind_s)


__all__ = ["MAX_DATAGRAM", "UdpReceiver", "is_multicast", "open_socket"]
