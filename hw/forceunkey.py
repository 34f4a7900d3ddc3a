"""The last resort: force the radio bridge to unkey, straight over its serial port.

Used by `hotline unkey` when no running terminal answers. It opens the port without the exclusive
lock (a hung terminal may still hold it), says HELLO as a fresh terminal and sends UNKEY(FORCE),
repeating both until the bridge acknowledges the UNKEY or reports its transmitter off.

With `[radio] backend = "rigctld"` there is no port to open: `force_unkey_rigctld` connects to
rigctld (a fresh connection beside the desk's own), sends `T 0` until RPRT 0 and reads `t` back
until the radio reports PTT off (hw/rig/unkey.py).
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass

from hw.rig.unkey import unkey_rigctld
from hw.serialport import open_serial
from hw.wire.codec import Decoder, Frame, encode
from hw.wire.messages import (
    PROTOCOL_VERSION,
    Ack,
    Hello,
    MessageError,
    Role,
    Tx,
    Unkey,
    UnkeyReason,
    decode_message,
    message_frame,
    random_boot_id,
)

HELLO_SEQ = 0
UNKEY_SEQ = 1


@dataclass(frozen=True, slots=True)
class UnkeyResult:
    """What the bridge said: whether it confirmed, and how."""

    confirmed: bool
    detail: str


def unkey_frames() -> bytes:
    """HELLO then UNKEY(FORCE), as a new terminal session."""
    hello = Hello(PROTOCOL_VERSION, Role.TERMINAL, random_boot_id(), "hotline-unkey")
    return encode(message_frame(HELLO_SEQ, hello)) + encode(
        message_frame(UNKEY_SEQ, Unkey(UnkeyReason.FORCE))
    )


def confirmation(frame: Frame) -> str | None:
    """Why this frame confirms the unkey, or None."""
    try:
        msg = decode_message(frame)
    except MessageError:
        return None
    if isinstance(msg, Ack) and msg.ref_seq == UNKEY_SEQ:
        return "the bridge acknowledged UNKEY"
    if isinstance(msg, Tx) and not msg.keyed:
        return f"the bridge reports its transmitter off ({msg.reason})"
    return None


def force_unkey(port: str, baud: int, timeout_s: float = 3.0, resend_s: float = 0.3) -> UnkeyResult:
    """Send UNKEY(FORCE) over `port` until confirmed or `timeout_s` passes (blocking)."""
    try:
        ser = open_serial(port, baud, exclusive=False)
    except Exception as exc:
        return UnkeyResult(False, f"cannot open {port}: {exc}")
    decoder = Decoder()
    data = unkey_frames()
    deadline = time.monotonic() + timeout_s
    next_send = 0.0
    try:
        fd = ser.fileno()
        while (now := time.monotonic()) < deadline:
            if now >= next_send:
                os.write(fd, data)
                next_send = now + resend_s
            ready, _, _ = select.select([fd], [], [], min(resend_s, max(0.0, deadline - now)))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except BlockingIOError:
                continue
            for item in decoder.feed(chunk):
                if isinstance(item, Frame) and (why := confirmation(item)):
                    return UnkeyResult(True, why)
        return UnkeyResult(False, f"no confirmation from the bridge on {port} in {timeout_s:g} s")
    except OSError as exc:
        return UnkeyResult(False, f"{port}: {exc}")
    finally:
        ser.close()


def force_unkey_rigctld(host: str, port: int, timeout_s: float = 3.0) -> UnkeyResult:
    """`T 0` through rigctld at host:port until confirmed by `t` or `timeout_s` passes."""
    result = unkey_rigctld(host, port, timeout_s=timeout_s)
    return UnkeyResult(result.confirmed, result.detail)
