"""The radio keyed through rigctld: the engine's radio link for a plain radio (open channel).

One TCP connection to rigctld on the asyncio loop, line-oriented, never blocking the loop. On
every (re)connection `T 0` goes first, before anything else is believed; then the channel (`f`,
`m`) for the console, then the link is up. KEY and UNKEY from the core become `T 1` and `T 0`;
any reply other than `RPRT 0` is a clear fault. The squelch (`\\get_dcd`) is polled every
`dcd_poll_ms` and becomes receive indication; the PTT watchdog (hw/rig/watch.py) reads `t` back
while keyed and after every unkey. A connection lost (rigctld gone, socket dropped, a reply late
by more than `link_timeout_s`) takes the link down; lost while keyed it is a fault, and the link
reconnects with back-off, `T 0` first. The exit path unkeys over a fresh blocking socket
(hw/rig/unkey.py), waiting for `RPRT 0` and a `t` of 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections import deque
from collections.abc import Callable

from hw.rig.protocol import (
    GET_DCD,
    GET_FREQ,
    GET_MODE,
    GET_PTT,
    SET_PTT_OFF,
    SET_PTT_ON,
    ProtocolFault,
    Reply,
    ReplyParser,
    channel_text,
    error_text,
)
from hw.rig.unkey import unkey_rigctld
from hw.rig.watch import PttWatch, Verdict
from terminal import zulu
from terminal.config import RadioConfig
from terminal.config.rules import host_port
from terminal.core import events
from terminal.views import LinkHealth

log = logging.getLogger(__name__)

FAULT = "radio"
CHANNEL_EVERY_S = 5.0
"""Read the channel (f, m) again this often: the operator may turn the radio's knob."""


def _quick_ack(sock: socket.socket | None) -> None:
    """Acknowledge rigctld's segments at once (Linux TCP_QUICKACK, which the kernel clears by
    itself): rigctld writes a reply in several small writes, so with Nagle on its side and a
    delayed ACK on ours each reply's tail could wait ~40 ms for our ACK."""
    option = getattr(socket, "TCP_QUICKACK", None)
    if sock is not None and option is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, option, 1)


class _Lost(Exception):
    """The connection to rigctld is unusable."""


class RigctldLink:
    """The desk's radio link through rigctld; the engine sees it as its `BridgeLink`."""

    kind = "radio"
    label = "rigctld"

    def __init__(
        self,
        cfg: RadioConfig,
        *,
        on_event: Callable[[events.Event], None],
        on_notice: Callable[[str, str], None],
        on_fault: Callable[[str, str | None], None],
        clock: Callable[[], float] = time.monotonic,
        address: str | None = None,
    ) -> None:
        self.cfg = cfg
        self.host, self.port = host_port(address or cfg.rigctld)
        self._on_event = on_event
        self._on_notice = on_notice
        self._on_fault = on_fault
        self._clock = clock
        self.is_up = False
        self.keyed = False
        self.rx = False
        self.channel = ""
        self.last_heard_ms: int | None = None
        self.watch = PttWatch(cfg.ptt_check_ms / 1000.0)
        self.detail = f"connecting to rigctld at {self.host}:{self.port}"
        self._writer: asyncio.StreamWriter | None = None
        self._pending: deque[tuple[str, float, asyncio.Future[Reply]]] = deque()
        self._wake = asyncio.Event()
        self._stopped = False
        self._fault_text: str | None = None
        self._t0_owed = False
        self._freq: Reply | None = None
        self._no_readback = False  # rigctld answered `t` with an error: the watchdog is off
        self._dcd_warned = False

    # --- the engine's side ---

    def send_command(self, command: str, reason: str) -> None:
        """KEY -> `T 1`, UNKEY -> `T 0`; an open channel has no call commands to send."""
        if command == "KEY":
            self._key()
        elif command == "UNKEY":
            self._unkey(reason)
        # CALL, ANSWER, REJECT, HANGUP: a plain radio has no ring, answer or hang-up.

    def force_unkey(self) -> None:
        """A technician's forced unkey (`hotline unkey` through the running desk); the core hears
        of it as the radio unkeying, as it would from the bridge."""
        was_keyed = self.keyed
        self._unkey("FORCE")
        if was_keyed:
            self._on_event(events.BridgeTx(self._clock(), False, "FORCE"))

    def fail_safe_unkey(self, reason: str, timeout_s: float) -> bool:
        """Exit path: `T 0` on the open connection, and on a fresh blocking one until rigctld
        says RPRT 0 and `t` reads 0 (blocks up to timeout_s). True once confirmed."""
        self.keyed = False
        self.watch.commanded(False, self._clock())
        with contextlib.suppress(Exception):
            self._send_t0()
        result = unkey_rigctld(self.host, self.port, timeout_s=max(timeout_s, 0.2))
        if not result.confirmed:
            log.error("exit unkey through rigctld not confirmed: %s", result.detail)
        return result.confirmed

    async def settle(self, timeout_s: float) -> bool:
        """Wait until every command sent was answered (or the link is down, or timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._pending and self.is_up and loop.time() < deadline:
            await asyncio.sleep(0.005)
        return not self._pending

    def health(self) -> LinkHealth:
        """Up or down, last heard, and the channel (or what is wrong) for the console."""
        heard = None if self.last_heard_ms is None else zulu.to_iso(self.last_heard_ms)
        detail = self._fault_text or (self.channel if self.is_up else self.detail)
        return LinkHealth("radio", self.is_up, heard, detail)

    def stop(self) -> None:
        """Close the connection (after the exit path's unkey) and stop reconnecting."""
        self._stopped = True
        self._wake.set()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._fail_pending("the desk stopped")

    # --- commands ---

    def _key(self) -> None:
        now = self._clock()
        self.keyed = True
        self.watch.commanded(True, now)
        try:
            future = self._request(SET_PTT_ON)
        except _Lost as exc:  # the core's KEY is still being carried out: answer after it
            asyncio.get_running_loop().call_soon(self._key_failed, f"cannot send T 1: {exc}")
            return
        future.add_done_callback(self._key_reply)

    def _key_reply(self, future: asyncio.Future[Reply]) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the connection went: the link-down path ends the transmission
        reply = future.result()
        if reply.ok:
            self._on_event(events.BridgeTx(self._clock(), True, "PTT"))
            self._wake.set()
            return
        self._key_failed(f"rigctld answered T 1 with {error_text(reply.code)}")

    def _key_failed(self, why: str) -> None:
        self.keyed = False
        self.watch.commanded(False, self._clock())
        self._on_notice("error", f"The radio did not key: {why}.")
        self._on_event(events.KeyRefused(self._clock(), "RIGCTLD", why))
        self._send_t0()

    def _unkey(self, reason: str) -> None:
        self.keyed = False
        self.watch.commanded(False, self._clock())
        self._send_t0()
        log.debug("unkey (%s)", reason)

    def _send_t0(self) -> None:
        try:
            future = self._request(SET_PTT_OFF)
        except _Lost:
            self._t0_owed = True  # sent first thing on reconnection, as always
            return
        future.add_done_callback(self._unkey_reply)

    def _unkey_reply(self, future: asyncio.Future[Reply]) -> None:
        if future.cancelled() or future.exception() is not None:
            self._t0_owed = True
            return
        reply = future.result()
        if reply.ok:
            self._wake.set()  # the watchdog reads `t` back now
            return
        self._t0_owed = True
        self._fault(f"rigctld answered T 0 with {error_text(reply.code)}: the radio may be keyed")

    # --- faults ---

    def _fault(self, text: str | None) -> None:
        if text == self._fault_text:
            return
        self._fault_text = text
        self._on_fault(FAULT, text)

    # --- the connection ---

    def _request(self, command: str) -> asyncio.Future[Reply]:
        """Write one command now; its reply resolves the future (replies come in order)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            raise _Lost("not connected to rigctld")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending.append((command, self._clock(), future))
        writer.write(command.encode() + b"\n")
        return future

    def _fail_pending(self, why: str) -> None:
        while self._pending:
            _command, _at, future = self._pending.popleft()
            if not future.done():
                future.set_exception(_Lost(why))
                future.exception()  # retrieved: nobody else needs to

    async def run(self) -> None:
        """Keep the connection: connect, serve, reconnect with back-off; returns after `stop`."""
        delay = self.cfg.reopen_min_s
        while not self._stopped:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.cfg.link_timeout_s
                )
            except (OSError, TimeoutError) as exc:
                self.detail = f"cannot reach rigctld at {self.host}:{self.port}: {exc}"
                await self._pause(delay)
                delay = min(delay * 2, self.cfg.reopen_max_s)
                continue
            try:
                await self._serve(reader, writer)
                delay = self.cfg.reopen_min_s  # it had worked: try again soon
            except (_Lost, ProtocolFault, OSError, TimeoutError) as exc:
                self.detail = f"rigctld at {self.host}:{self.port}: {exc}"
            finally:
                self._disconnected(writer)
            await self._pause(delay)
            delay = min(delay * 2, self.cfg.reopen_max_s)

    async def _pause(self, delay: float) -> None:
        if not self._stopped:
            await asyncio.sleep(delay)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._writer = writer
        reading = asyncio.get_running_loop().create_task(
            self._read(reader, sock), name="rigctld-read"
        )
        try:
            await self._greet()
            await self._poll(reading)
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading

    async def _greet(self) -> None:
        """`T 0` first, whatever happened before; then the channel; then the link is up."""
        now = self._clock()
        self.watch.unverified(now)
        first = await self._answer(SET_PTT_OFF)
        if not first.ok:
            why = error_text(first.code)
            self._fault(f"rigctld answered T 0 with {why}: the radio may be keyed")
            raise _Lost(f"T 0 on connection refused: {error_text(first.code)}")
        self._t0_owed = False
        self._no_readback = False
        await self._read_channel()
        self.is_up = True
        self.detail = ""
        self._on_event(events.LinkUp(self._clock()))

    async def _read_channel(self) -> None:
        freq, mode = await self._answer(GET_FREQ), await self._answer(GET_MODE)
        self._freq = freq
        self.channel = channel_text(freq, mode) or f"{self.host}:{self.port}"

    async def _answer(self, command: str) -> Reply:
        return await asyncio.wait_for(self._request(command), self.cfg.link_timeout_s)

    async def _read(self, reader: asyncio.StreamReader, sock: socket.socket | None) -> None:
        parser = ReplyParser()
        try:
            while True:
                data = await reader.read(4096)
                _quick_ack(sock)
                if not data:
                    raise _Lost("rigctld closed the connection")
                self.last_heard_ms = zulu.now_ms()
                for reply in parser.feed(data):
                    if not self._pending:
                        raise ProtocolFault("a reply nobody asked for")
                    _command, _at, future = self._pending.popleft()
                    if not future.done():
                        future.set_result(reply)
        finally:
            self._fail_pending("the connection to rigctld was lost")  # no waiting for replies
            self._wake.set()  # the poller sees at once that reading stopped

    async def _poll(self, reading: asyncio.Task[None]) -> None:
        """The squelch, the watchdog, the channel and the reply deadline, until the link fails."""
        dcd_s = self.cfg.dcd_poll_ms / 1000.0
        next_dcd = self._clock()
        next_channel = self._clock() + CHANNEL_EVERY_S
        while not self._stopped:
            if reading.done():
                reading.result()  # raises why the reading stopped
                raise _Lost("the reader stopped")
            now = self._clock()
            self._check_deadline(now)
            if self._t0_owed:
                self._t0_owed = False
                self._send_t0()
            if self.watch.due(now) and not self._ptt_in_flight() and not self._no_readback:
                self._read_back(now)  # after the T's RPRT: a read-back behind it would wait
            if dcd_s > 0 and now >= next_dcd:
                next_dcd = now + dcd_s
                self._request(GET_DCD).add_done_callback(self._dcd_reply)
            if now >= next_channel:
                next_channel = now + CHANNEL_EVERY_S
                self._request(GET_FREQ).add_done_callback(self._channel_part)
                self._request(GET_MODE).add_done_callback(self._channel_part)
            wake_at = [next_channel, now + self.cfg.link_timeout_s / 4]
            if dcd_s > 0:
                wake_at.append(next_dcd)
            if (check := self.watch.next_check()) is not None:
                wake_at.append(check)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, min(wake_at) - self._clock()))

    def _ptt_in_flight(self) -> bool:
        """A `T 1` / `T 0` is still unanswered (its reply wakes the poller)."""
        return any(command in (SET_PTT_ON, SET_PTT_OFF) for command, _, _ in self._pending)

    def _check_deadline(self, now: float) -> None:
        if self._pending:
            command, at, _future = self._pending[0]
            if now - at > self.cfg.link_timeout_s:
                raise _Lost(f"no reply to {command!r} in {self.cfg.link_timeout_s:g} s")

    def _read_back(self, now: float) -> None:
        generation = self.watch.ask(now)

        def judged(future: asyncio.Future[Reply]) -> None:
            if future.cancelled() or future.exception() is not None:
                return
            reply = future.result()
            if not reply.ok:
                self._no_readback = True  # asking again would only fill the console
                self._on_notice(
                    "error",
                    f"rigctld answered t with {error_text(reply.code)}: the radio's PTT cannot "
                    "be read back, the PTT watchdog is off until rigctld reconnects.",
                )
                return
            try:
                keyed = reply.flag("PTT")
            except ProtocolFault as exc:
                self._on_notice("warning", f"rigctld's PTT reading: {exc}.")
                return
            self._verdict(self.watch.reading(generation, keyed, self._clock()))

        self._request(GET_PTT).add_done_callback(judged)

    def _verdict(self, verdict: Verdict) -> None:
        match verdict:
            case Verdict.STILL_KEYED:
                self._fault("the radio still reports PTT on after T 0: sending T 0 again")
                self._send_t0()
            case Verdict.RECOVERED:
                self._fault(None)
            case Verdict.DROPPED:
                self.keyed = False
                self.watch.dropped_handled()
                self._on_event(events.BridgeTx(self._clock(), False, "RADIO"))
            case Verdict.AGREES if not self.watch.wanted:
                # Off and verified: the core hears the radio is off (as the bridge's TX 0), and
                # a fault of a lost connection or a refused T 0 is over.
                self._on_event(events.BridgeTx(self._clock(), False, "PTT"))
                self._fault(None)
            case Verdict.AGREES | Verdict.STALE:
                pass

    def _dcd_reply(self, future: asyncio.Future[Reply]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        reply = future.result()
        if not reply.ok:
            if not self._dcd_warned:  # it says so on every poll: once is news enough
                self._dcd_warned = True
                self._on_notice(
                    "warning",
                    f"rigctld answered \\get_dcd with {error_text(reply.code)}: no receive "
                    "indication from this radio (set [radio] dcd_poll_ms = 0).",
                )
            return
        try:
            open_ = reply.flag("DCD")
        except ProtocolFault as exc:
            self._on_notice("warning", f"rigctld's DCD reading: {exc}.")
            return
        if open_ != self.rx:
            self.rx = open_
            self._on_event(events.RxChanged(self._clock(), open_))

    def _channel_part(self, future: asyncio.Future[Reply]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        reply = future.result()
        if reply.ok and "Frequency" in reply.values:
            self._freq = reply
        elif reply.ok and "Mode" in reply.values:
            self.channel = channel_text(self._freq, reply) or self.channel

    def _disconnected(self, writer: asyncio.StreamWriter) -> None:
        self._writer = None
        writer.close()
        self._fail_pending("the connection to rigctld was lost")
        was_up, was_keyed = self.is_up, self.keyed
        self.is_up = False
        if was_keyed or self.watch.wanted:
            self._t0_owed = True
            self._fault(
                f"lost rigctld at {self.host}:{self.port} while keyed: the radio may still be "
                "transmitting (reconnecting, T 0 first)"
            )
        self.keyed = False
        if self.rx:
            self.rx = False
        if was_up and not self._stopped:
            self._on_event(events.LinkDown(self._clock(), self.detail or "rigctld connection lost"))
