"""The kit's end of the cable: a minimal, scriptable terminal over a serial port.

It records every line the device sends (with its arrival time, raw bytes, the frame or frame
error, and the message when the frame decodes), acknowledges the device's acked messages unless a
check says otherwise, keeps the link alive with HB, and lets a check send any frame, broken ones
included. Every byte from the device is untrusted: nothing it sends can raise here; lines are
capped, and waits always end at a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hw.sim.fdport import FdPort
from hw.wire.codec import MAX_SEQ, Decoder, Frame, FrameError, crc16, encode
from hw.wire.messages import (
    PROTOCOL_VERSION,
    Ack,
    Hello,
    Message,
    MessageError,
    Role,
    decode_message,
)

LINE_CAP = 4096
"""Bytes kept of a line that never ends (a hostile device); the rest is dropped, counted."""
KIT_NAME = "conformance-kit"


@dataclass(frozen=True, slots=True)
class Timing:
    """The device's timing values (docs/protocol.md 4.3, 4.7, 6.1) and the kit's tolerance."""

    ack_timeout_s: float = 0.3
    max_retries: int = 5
    heartbeat_s: float = 1.0
    link_timeout_s: float = 3.5
    keepalive_ms: int = 1500
    tolerance_s: float = 0.05
    tolerance_pct: float = 20.0

    def tol(self, nominal_s: float) -> float:
        """How far a timed event may land from ``nominal_s``: the larger of the two tolerances."""
        return max(self.tolerance_s, self.tolerance_pct / 100.0 * nominal_s)

    def answer_s(self) -> float:
        """How long an answer (ACK or ERR) may take: one ack timeout and its tolerance."""
        return self.ack_timeout_s + self.tol(self.ack_timeout_s)


@dataclass(slots=True)
class Rx:
    """One line from the device: when, the raw bytes (LF removed), what it decoded to."""

    at: float
    raw: bytes
    items: list[Frame | FrameError]
    msgs: list[tuple[Frame, Message | None, str]] = field(default_factory=list)
    """Each frame of the line, its message (None if it does not decode) and why not."""

    @property
    def frame(self) -> Frame | None:
        """The frame, when the line is exactly one frame."""
        frames = [i for i in self.items if isinstance(i, Frame)]
        return frames[0] if len(frames) == 1 and len(self.items) == 1 else None

    @property
    def msg(self) -> Message | None:
        """The message, when the line is exactly one valid message."""
        if len(self.msgs) == 1 and len(self.items) == 1:
            return self.msgs[0][1]
        return None

    @property
    def seq(self) -> int | None:
        frame = self.frame
        return frame.seq if frame is not None else None


Pred = Callable[[Rx], bool]


class Probe:
    """The kit's side of the link (see the module)."""

    def __init__(self, port: str, baud: int, timing: Timing, expect_role: Role) -> None:
        self.port = port
        self.baud = baud
        self.timing = timing
        self.expect_role = expect_role
        self.rx: list[Rx] = []
        self.sent: list[tuple[float, bytes]] = []
        self.boot_id = random_boot()
        self.seq = 0
        # Until the kit links (`link`), the device's HELLO is left unanswered: 4.5.2 watches it.
        self.auto_ack: Callable[[Rx], bool] = lambda r: not isinstance(r.msg, Hello)
        self.keepalive = True  # send HB when nothing was sent for a heartbeat period
        self.dropped_bytes = 0
        self._ser: Any = None
        self._port: FdPort | None = None
        self._buf = b""
        self._decoder = Decoder()
        self._wake = asyncio.Event()
        self._last_tx = 0.0
        self._hb_task: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()

    # --- the port ---

    def open(self) -> None:
        """Open the port (pyserial), drop what was waiting, start listening. OSError, ValueError
        or serial.SerialException when it cannot be opened."""
        from hw.serialport import open_serial

        ser = open_serial(self.port, self.baud)
        try:
            fd = ser.fileno()
        except Exception as exc:
            ser.close()
            raise ValueError(f"{self.port}: the kit needs a device with a file descriptor") from exc
        ser.reset_input_buffer()
        self._ser = ser
        self._port = FdPort(fd, self._on_data)
        self._last_tx = self.now()
        self._hb_task = self._loop.create_task(self._heartbeat())

    def close(self) -> None:
        """Stop and close the port."""
        if self._hb_task is not None:
            self._hb_task.cancel()
            self._hb_task = None
        if self._port is not None:
            self._port.close()
            self._port = None
        if self._ser is not None:
            with contextlib.suppress(Exception):
                self._ser.close()
            self._ser = None

    @property
    def closed(self) -> bool:
        """Whether the port went away (the device vanished)."""
        return self._port is None or self._port.closed

    def now(self) -> float:
        return self._loop.time()

    async def _heartbeat(self) -> None:
        while True:
            due = self._last_tx + self.timing.heartbeat_s
            await asyncio.sleep(max(0.01, due - self.now()))
            if self.keepalive and self.now() - self._last_tx >= self.timing.heartbeat_s:
                uptime = max(0, int(self.now() * 1000))
                self.send("HB", str(uptime))

    # --- receiving ---

    def _on_data(self, data: bytes) -> None:
        now = self.now()
        data = self._buf + data
        lines = data.split(b"\n")
        self._buf = lines.pop()
        if len(self._buf) > LINE_CAP:
            self.dropped_bytes += len(self._buf) - LINE_CAP
            lines.append(self._buf[:LINE_CAP])  # taken as a line: the decoder calls it too long
            self._buf = b""
        for line in lines:
            self._line(line, now)
        self._wake.set()
        self._wake = asyncio.Event()

    def _line(self, line: bytes, now: float) -> None:
        items = self._decoder.feed(line + b"\n")
        rx = Rx(now, line, items)
        for item in items:
            if isinstance(item, Frame):
                try:
                    rx.msgs.append((item, decode_message(item), ""))
                except MessageError as exc:
                    rx.msgs.append((item, None, str(exc)))
        self.rx.append(rx)
        msg = rx.msg
        if msg is not None and msg.NEEDS_ACK and rx.seq is not None and self.auto_ack(rx):
            self.send_msg(Ack(rx.seq))

    def mark(self) -> int:
        """A position in the received lines: waits from here see only what comes later."""
        return len(self.rx)

    async def wait_for(self, pred: Pred, timeout_s: float, start: int | None = None) -> Rx | None:
        """The first line from ``start`` (default: now) matching ``pred``; None at the deadline."""
        deadline = self.now() + timeout_s
        i = self.mark() if start is None else start
        while True:
            wake = self._wake
            while i < len(self.rx):
                r = self.rx[i]
                i += 1
                if pred(r):
                    return r
            left = deadline - self.now()
            if left <= 0 or self.closed:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), left)

    async def collect(self, seconds: float, start: int | None = None) -> list[Rx]:
        """Everything that arrives over the next ``seconds`` (from ``start`` if given)."""
        i = self.mark() if start is None else start
        await asyncio.sleep(seconds)
        return self.rx[i:]

    async def answer(self, seq: int, start: int, timeout_s: float | None = None) -> Rx | None:
        """The ACK or ERR for our frame ``seq`` (arrived since ``start``), or None."""
        wait = self.timing.answer_s() if timeout_s is None else timeout_s
        return await self.wait_for(lambda r: refers_to(r, seq), wait, start)

    # --- sending ---

    def next_seq(self) -> int:
        seq = self.seq
        self.seq = (seq + 1) & MAX_SEQ
        return seq

    def write(self, data: bytes) -> None:
        """Put bytes on the line as they are."""
        if self._port is not None:
            self._port.write(data)
        self._last_tx = self.now()
        self.sent.append((self._last_tx, data))

    def send(self, type_: str, *fields: str, seq: int | None = None) -> int:
        """Send a well-formed frame (any TYPE and fields); return its sequence number."""
        seq = self.next_seq() if seq is None else seq
        self.write(encode(Frame(seq, type_, tuple(fields))))
        return seq

    def send_msg(self, msg: Message, seq: int | None = None) -> int:
        from hw.wire.messages import message_frame

        seq = self.next_seq() if seq is None else seq
        self.write(encode(message_frame(seq, msg)))
        return seq

    def hello(self, boot_id: str | None = None, *, version: int = PROTOCOL_VERSION,
              role: Role = Role.TERMINAL) -> int:  # fmt: skip
        """Send HELLO (our current boot id unless another is given); return its seq."""
        return self.send_msg(Hello(version, role, boot_id or self.boot_id, KIT_NAME))

    async def link(self, *, fresh: bool = True) -> Hello | None:
        """Bring the link up: HELLO, then wait for the device's answer — with a new boot id
        (``fresh``) its own HELLO (4.5.6), else the ACK of ours. The device's latest HELLO, or
        None if the answer never comes."""
        if fresh:
            self.boot_id = random_boot()
        self.auto_ack = lambda r: True
        start = self.mark()
        seq = self.hello()
        wait = self.timing.answer_s() * (self.timing.max_retries + 2)
        if fresh:
            got = await self.wait_for(lambda r: isinstance(r.msg, Hello), wait, start)
        else:  # the ACK of ours, or anything a device sends only while the link is up (4.8)
            got = await self.wait_for(
                lambda r: refers_to(r, seq)
                or (r.msg is not None and r.msg.TYPE not in ("HELLO", "ACK", "ERR")),
                wait, start,
            )  # fmt: skip
        if got is None:
            return None
        await asyncio.sleep(self.timing.answer_s() / 2)  # let the rest of the answer arrive
        return self.last_hello()

    def last_hello(self) -> Hello | None:
        """The device's latest HELLO."""
        for r in reversed(self.rx):
            if isinstance(r.msg, Hello):
                return r.msg
        return None

    @staticmethod
    def raw_frame(seq: int, body: str, *, crc: int | None = None, lower: bool = False,
                  end: bytes = b"\r\n") -> bytes:  # fmt: skip
        """A frame built by hand: ``$<seq>,<body>*CRC`` with a chosen CRC, case and terminator."""
        text = f"{seq},{body}".encode("ascii")
        value = crc16(text) if crc is None else crc
        digits = b"%04X" % value
        return b"$" + text + b"*" + (digits.lower() if lower else digits) + end


def random_boot() -> str:
    return secrets.token_hex(4).upper()


def refers_to(r: Rx, seq: int) -> bool:
    """Whether line ``r`` is an ACK or ERR for our frame ``seq``."""
    msg = r.msg
    return getattr(msg, "ref_seq", None) == seq and msg is not None and msg.TYPE in ("ACK", "ERR")


def is_type(name: str) -> Pred:
    return lambda r: r.msg is not None and name == r.msg.TYPE
