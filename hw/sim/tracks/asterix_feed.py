"""An ASTERIX feed over UDP into an `AsterixSource`: received on the loop, decoded off it.

Decoding is pure Python (libasterix) and a 64 KiB datagram of a national picture takes long
enough to stall the kernel's cycle, so each datagram, stamped with its arrival time on the loop,
goes to one decoder thread; what it decodes comes back to the loop (``call_soon_threadsafe``) and
is applied to the source there, in arrival order. When the decoder falls ``queue_max`` datagrams
behind, new ones are dropped and counted, never queued without bound.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable

from hw.sim.tracks.asterix import Decoded, decode
from hw.sim.tracks.asterix_source import AsterixSource
from hw.sim.tracks.udp import UdpReceiver

QUEUE_MAX = 2000


class AsterixFeed:
    """Reads host:port into ``source`` until cancelled; ``clock`` gives the source's time."""

    def __init__(
        self,
        host: str,
        port: int,
        source: AsterixSource,
        clock: Callable[[], float],
        *,
        iface: str = "",
        rebind_s: float = 2.0,
        queue_max: int = QUEUE_MAX,
    ) -> None:
        self.source = source
        self.queue_max = queue_max
        self.receiver = UdpReceiver(host, port, self._received, clock, iface=iface,
                                    on_error=source.note_error, rebind_s=rebind_s)  # fmt: skip
        self._queue: queue.SimpleQueue[tuple[bytes, float] | None] = queue.SimpleQueue()
        self._stopping = False

    @property
    def bound(self) -> bool:
        return self.receiver.bound

    def pending(self) -> int:
        """Datagrams received and not yet decoded."""
        return self._queue.qsize()

    def _received(self, data: bytes, t: float) -> None:
        if self._queue.qsize() >= self.queue_max:
            self.source.stats["dropped"] += 1
            self.source.note_error(f"decoder {self.queue_max} datagrams behind: datagram dropped")
            return
        self._queue.put((data, t))

    def _decode_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        cats, ref = self.source.cats, self.source.ref
        while (item := self._queue.get()) is not None and not self._stopping:
            data, t = item
            try:
                decoded = decode(data, cats, ref)
            except Exception as exc:  # decode never raises; a thread must not die silently
                decoded = Decoded(errors=[f"decoder: {type(exc).__name__}: {exc}"])
            try:
                loop.call_soon_threadsafe(self.source.apply, decoded, t)
            except RuntimeError:  # the loop is closed: nobody to hand it to
                return

    async def run(self) -> None:
        """Receive and decode until cancelled."""
        loop = asyncio.get_running_loop()
        thread = threading.Thread(target=self._decode_loop, args=(loop,), daemon=True,
                                  name="asterix-decode")  # fmt: skip
        thread.start()
        try:
            await self.receiver.run()
        finally:  # the thread ends after the datagram in hand (it is a daemon: never waited on)
            self._stopping = True
            self._queue.put(None)


__all__ = ["QUEUE_MAX", "AsterixFeed"]
