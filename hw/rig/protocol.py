"""rigctld's Extended Response protocol, sans I/O: commands out, replies in.

Every command is sent with the `+` prefix, so every reply is a block that ends with the line
`RPRT n` (0 = done, a negative Hamlib error code otherwise), whatever the command. A get
command's values come as `Key: value` lines between the echoed command line and `RPRT n`:

    +T 1          ->  set_ptt: 1 / RPRT 0
    +t            ->  get_ptt: / PTT: 1 / RPRT 0
    +\\get_dcd    ->  get_dcd: / DCD: 0 / RPRT 0
    +f            ->  get_freq: / Frequency: 145000000 / RPRT 0
    +m            ->  get_mode: / Mode: FM / Passband: 15000 / RPRT 0
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SET_PTT_ON = "+T 1"
SET_PTT_OFF = "+T 0"
GET_PTT = "+t"
GET_DCD = "+\\get_dcd"
GET_FREQ = "+f"
GET_MODE = "+m"

MAX_LINE = 4096
"""A longer reply line is not rigctld's: the connection is dropped."""

HAMLIB_ERRORS: dict[int, str] = {
    0: "OK",
    -1: "invalid parameter",
    -2: "invalid configuration",
    -3: "memory shortage",
    -4: "feature not implemented",
    -5: "communication timed out",
    -6: "I/O error",
    -7: "internal Hamlib error",
    -8: "protocol error",
    -9: "command rejected by the rig",
    -10: "argument truncated",
    -11: "feature not available",
    -12: "target VFO unaccessible",
    -13: "communication bus error",
    -14: "communication bus collision",
    -15: "NULL rig handle or invalid pointer",
    -16: "invalid VFO",
    -17: "argument out of domain",
    -18: "function deprecated",
    -19: "security error",
    -20: "rig is not powered on",
}
"""Hamlib's error codes (enum rig_errcode_e), as rigctld returns them in `RPRT n`."""

_RPRT = re.compile(r"RPRT (-?\d{1,6})")
_VALUE = re.compile(r"([^:]{1,64}):[ \t]?(.*)")


class ProtocolFault(Exception):
    """The peer said something rigctld never says; the connection should be dropped."""


def error_text(code: int) -> str:
    """`RPRT -9` as words: "RPRT -9 (command rejected by the rig)"."""
    return f"RPRT {code} ({HAMLIB_ERRORS.get(code, 'unknown Hamlib error')})"


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply block: its `Key: value` lines and its `RPRT` code."""

    code: int
    values: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """`RPRT 0`."""
        return self.code == 0

    def flag(self, key: str) -> bool:
        """A 0/1 value such as `PTT` or `DCD`; ProtocolFault when missing or not a number."""
        raw = self.values.get(key)
        try:
            return int(raw or "") != 0
        except ValueError:
            raise ProtocolFault(f"{key} is {raw!r}, not a number") from None


class ReplyParser:
    """Splits the byte stream from rigctld into reply blocks."""

    def __init__(self) -> None:
        self._buffer = b""
        self._values: dict[str, str] = {}
        self._header = True

    def feed(self, data: bytes) -> list[Reply]:
        """The replies completed by `data` (ProtocolFault on a line rigctld never sends)."""
        self._buffer += data
        replies: list[Reply] = []
        while b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
            reply = self._line(raw.rstrip(b"\r").decode("utf-8", "replace"))
            if reply is not None:
                replies.append(reply)
        if len(self._buffer) > MAX_LINE:
            raise ProtocolFault(f"a reply line longer than {MAX_LINE} bytes")
        return replies

    def _line(self, line: str) -> Reply | None:
        end = _RPRT.fullmatch(line.strip())
        if end is not None:
            reply = Reply(int(end[1]), self._values)
            self._values, self._header = {}, True
            return reply
        if self._header:  # the echoed command, "set_ptt: 1" or "get_ptt:"
            self._header = False
            return None
        value = _VALUE.fullmatch(line)
        if value is None:
            raise ProtocolFault(f"not a 'Key: value' line: {line[:60]!r}")
        self._values[value[1].strip()] = value[2].strip()
        return None


def channel_text(freq: Reply | None, mode: Reply | None) -> str:
    """The channel for the console, e.g. "145.000000 MHz FM" ("" when unknown)."""
    parts = []
    if freq is not None and freq.ok:
        try:
            hz = float(freq.values.get("Frequency", ""))
            parts.append(f"{hz / 1e6:.6f} MHz")
        except ValueError:
            pass
    if mode is not None and mode.ok and mode.values.get("Mode"):
        parts.append(mode.values["Mode"])
    return " ".join(parts)
