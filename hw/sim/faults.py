"""Deliberate protocol faults for the simulators: each breaks one numbered statement of
docs/protocol.md, so the conformance kit (terminal/conformance) can be shown to catch it.

A fault is switched on by name (`BridgeSim(faults=...)`, `CoprocSim(faults=...)`). Link-layer
faults live in `FaultySession`, a `LinkSession` that misbehaves in one way each without disturbing
its sequence numbering (a dropped frame would also break 4.1.1); the line fault `bad_crc` damages
frames after they are encoded; the simulators check their own behavioural faults.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hw.wire.codec import Decoder, Frame, crc16
from hw.wire.messages import ERR_BADMSG, ERR_UNKNOWN, Ack, Hello, Message
from hw.wire.session import Event, LinkSession


@dataclass(frozen=True, slots=True)
class Fault:
    """One deliberate fault: the clause of docs/protocol.md it breaks, and what it does."""

    name: str
    clause: str
    devices: frozenset[str]
    what: str


_BOTH = frozenset({"bridge", "coproc"})
FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("bad_crc", "2.2.1", _BOTH, "every third HB goes out with a wrong CRC"),
        Fault("no_hello_ack", "4.2.1", _BOTH, "a HELLO is never acknowledged"),
        Fault("wrong_err_code", "4.6.1", _BOTH, "an unknown TYPE is refused with BADMSG"),
        Fault("ignores_version", "4.5.4", _BOTH, "a HELLO of another version is accepted"),
        Fault("no_heartbeat", "4.7.1", _BOTH, "no HB, however long the silence"),
        Fault("dup_acts_twice", "4.4.1", frozenset({"bridge"}), "acts on a repeated message"),
        Fault("no_auto_unkey", "6.1", frozenset({"bridge"}), "no unkey when keepalives stop"),
        Fault(
            "no_alert_resend", "7.3", frozenset({"coproc"}),
            "an ALERT that failed every retry is dropped, not sent again",
        ),
        Fault(
            "feed_ignores_unknown", "7.9", frozenset({"coproc"}),
            "FEED goes on after the terminal answered one with ERR UNKNOWN",
        ),
        Fault(
            "wrong_line_version", "7.14", frozenset({"coproc"}),
            "ALERTs carry a line version other than the one in use",
        ),
    )
}  # fmt: skip
"""Every fault by name."""


def check_faults(faults: Collection[str], device: str) -> frozenset[str]:
    """The faults as a set; ValueError naming any unknown or not for this device."""
    out = frozenset(faults)
    for name in out:
        fault = FAULTS.get(name)
        if fault is None or device not in fault.devices:
            known = " ".join(n for n, f in FAULTS.items() if device in f.devices)
            raise ValueError(f"no fault {name!r} for a {device}; known: {known}")
    return out


class FaultySession(LinkSession):
    """A link session with the link-layer faults of ``faults`` (see FAULTS)."""

    def __init__(self, *args: object, faults: Collection[str] = (), **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.faults = frozenset(faults)
        self._hello_in: int | None = None
        self._hb_count = 0

    def poll(self, now: float) -> list[Event]:
        if "no_heartbeat" in self.faults:
            self._last_tx = now  # never "silent for a heartbeat period"
        return super().poll(now)

    def _on_hello(self, seq: int, hello: Hello, now: float, events: list[Event]) -> None:
        if "ignores_version" in self.faults and hello.version != self.version:
            hello = Hello(self.version, hello.role, hello.boot_id, hello.name)
        self._hello_in = seq
        try:
            super()._on_hello(seq, hello, now, events)
        finally:
            self._hello_in = None

    def _send_now(self, msg: Message, now: float) -> None:
        if (
            "no_hello_ack" in self.faults
            and isinstance(msg, Ack)
            and self._hello_in is not None
            and msg.ref_seq == self._hello_in
        ):
            return
        super()._send_now(msg, now)

    def _send_err(self, ref_seq: int, code: str, text: str, now: float) -> None:
        if "wrong_err_code" in self.faults and code == ERR_UNKNOWN:
            code = ERR_BADMSG
        super()._send_err(ref_seq, code, text, now)

    def data_to_send(self) -> bytes:
        data = super().data_to_send()
        if "bad_crc" not in self.faults or b",HB," not in data:
            return data
        out = bytearray()
        for line in data.splitlines(keepends=True):
            if b",HB," in line:
                self._hb_count += 1
                if self._hb_count % 3 == 0:
                    line = _wrong_crc(line)
            out += line
        return bytes(out)


def _wrong_crc(line: bytes) -> bytes:
    """The frame on ``line`` with a CRC that is well-formed (upper-case hex) but wrong."""
    items = Decoder().feed(line)
    if len(items) != 1 or not isinstance(items[0], Frame):
        return line
    body = line[1 : line.rindex(b"*")]
    return b"$%s*%04X\r\n" % (body, crc16(body) ^ 0x5A5A)
