"""Line framing shared by both serial links: bytes in -> frames out, frames in -> bytes out.

A frame is one printable line, ``$<seq>,<TYPE>[,<field>...]*<CRC>\\r\\n``, where CRC is
CRC-16/CCITT-FALSE of the bytes strictly between ``$`` and ``*`` as four hex digits.
See docs/protocol.md for the full rules; this module owns no port, thread or clock.
"""

from __future__ import annotations

import re
from binascii import crc_hqx
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "ERROR_KINDS",
    "MAX_FIELDS",
    "MAX_FRAME_BYTES",
    "MAX_SEQ",
    "Decoder",
    "Frame",
    "FrameError",
    "crc16",
    "encode",
]

MAX_FRAME_BYTES = 512
"""Longest frame on the wire, from ``$`` to the final LF inclusive."""
MAX_FIELDS = 40
"""Most fields after the TYPE."""
MAX_SEQ = 0xFFFF
"""Sequence numbers run 0..MAX_SEQ and wrap."""
ERROR_KINDS = ("garbage", "too_long", "bad_crc", "bad_syntax", "truncated")
"""Every ``FrameError.kind`` the decoder reports."""

_GARBAGE_PREVIEW = 16
# Field characters: printable ASCII except '$' (0x24), '*' (0x2A) and ',' (0x2C).
_FIELD_CLASS = r"[\x20-\x23\x25-\x29\x2B\x2D-\x7E]"
_BODY_RE = re.compile(rf"(?:0|[1-9][0-9]{{0,4}}),[A-Z0-9]{{1,8}}(?:,{_FIELD_CLASS}*)*")
_SEQ_RE = re.compile(r"0|[1-9][0-9]{0,4}")
_TYPE_RE = re.compile(r"[A-Z0-9]{1,8}")
_FIELD_RE = re.compile(rf"{_FIELD_CLASS}*")
_HEX4_RE = re.compile(rb"[0-9A-Fa-f]{4}")
_BODY_MATCH = _BODY_RE.fullmatch
_HEX2 = [b"%02X" % i for i in range(256)]


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout)."""
    return crc_hqx(data, 0xFFFF)


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded (or to-be-encoded) frame: sequence number, message type, text fields."""

    seq: int
    type: str
    fields: tuple[str, ...] = ()


# The decoder builds frames through the slot descriptors: same object, half the cost of
# the frozen dataclass __init__ (measured by bench/bench_codec.py).
_new_frame = object.__new__
_set_seq = vars(Frame)["seq"].__set__
_set_type = vars(Frame)["type"].__set__
_set_fields = vars(Frame)["fields"].__set__


@dataclass(frozen=True, slots=True)
class FrameError:
    """Something on the line that is not a valid frame; ``kind`` is one of ERROR_KINDS."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _frame_problem(frame: Frame) -> str | None:
    """Why ``frame`` cannot be encoded, or None when it can."""
    seq = frame.seq
    if type(seq) is not int or not 0 <= seq <= MAX_SEQ:
        return f"seq must be an int 0..{MAX_SEQ}, got {seq!r}"
    if not isinstance(frame.type, str) or not _TYPE_RE.fullmatch(frame.type):
        return f"type must be 1-8 characters A-Z 0-9, got {frame.type!r}"
    if len(frame.fields) > MAX_FIELDS:
        return f"at most {MAX_FIELDS} fields, got {len(frame.fields)}"
    for i, field in enumerate(frame.fields):
        if not isinstance(field, str) or not _FIELD_RE.fullmatch(field):
            return f"field {i} must be printable ASCII without '$', ',' or '*', got {field!r}"
    return None


def encode(frame: Frame) -> bytes:
    """The wire bytes of ``frame``, CRLF included; ValueError if it cannot be encoded."""
    if frame.fields:
        text = f"{frame.seq},{frame.type},{','.join(frame.fields)}"
    else:
        text = f"{frame.seq},{frame.type}"
    # One regex over the whole body checks seq, type and every field at C speed; the
    # comma count catches a field that contains a comma. Explain only on failure.
    if (
        type(frame.seq) is not int
        or frame.seq > MAX_SEQ
        or len(frame.fields) > MAX_FIELDS
        or not _BODY_RE.fullmatch(text)
        or text.count(",") != len(frame.fields) + 1
    ):
        raise ValueError(f"cannot encode {frame!r}: {_frame_problem(frame) or 'bad frame'}")
    body = text.encode("ascii")
    data = b"$%s*%04X\r\n" % (body, crc_hqx(body, 0xFFFF))
    if len(data) > MAX_FRAME_BYTES:
        raise ValueError(f"cannot encode {frame.type} frame: {len(data)} bytes > {MAX_FRAME_BYTES}")
    return data


def _preview(data: bytes) -> str:
    return repr(data[:_GARBAGE_PREVIEW])


def _syntax_detail(text: str) -> str:
    """Explain why a CRC-valid body failed the syntax check (slow path only)."""
    parts = text.split(",")
    if len(parts) < 2:
        return f"expected '<seq>,<TYPE>' in {text[:40]!r}"
    seq, type_, fields = parts[0], parts[1], parts[2:]
    if not _SEQ_RE.fullmatch(seq) or int(seq) > MAX_SEQ:
        return f"seq must be decimal 0..{MAX_SEQ} without leading zeros, got {seq!r}"
    if not _TYPE_RE.fullmatch(type_):
        return f"type must be 1-8 characters A-Z 0-9, got {type_!r}"
    for i, field in enumerate(fields):
        if not _FIELD_RE.fullmatch(field):
            return f"{type_} field {i} has a character outside 0x20..0x7E or '*': {field!r}"
    return f"malformed body {text[:40]!r}"


class Decoder:
    """Incremental frame decoder: feed it bytes as they arrive, get frames and errors back.

    Never raises, never holds more than MAX_FRAME_BYTES, resynchronises at the next '$'.
    Errors are reported at the same point whatever the chunking of the input.
    """

    __slots__ = ("_buf", "_dirty", "_discard", "_g_count", "_g_head", "_g_reported", "stats")

    def __init__(self) -> None:
        self.stats: Counter[str] = Counter()
        self.reset()

    def reset(self) -> None:
        """Forget any partial frame (statistics are kept)."""
        self._buf = b""  # a partial frame: empty, or starts with b"$", < MAX_FRAME_BYTES
        self._discard = False  # skipping the rest of a too-long frame
        self._g_count = 0  # garbage bytes (CR excluded) in the current run, not yet reported
        self._g_head = b""  # the first bytes of the current garbage run
        self._g_reported = False  # part of the current run was already reported
        self._dirty = False  # any of the three above is set: the fast path must not run

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Decode ``data``; return frames and errors in arrival order."""
        out: list[Frame | FrameError] = []
        if not data:
            return out
        self.stats["bytes"] += len(data)
        if self._buf:
            data = self._buf + data
            self._buf = b""
        lines = data.split(b"\n")
        tail = lines.pop()
        append = out.append
        frames = 0
        for line in lines:
            # Fast path: a clean line holding one valid frame. Anything else, including every
            # error, takes the slow path, which explains it.
            if line[:1] == b"$" and not self._dirty:
                frame = line[:-1] if line[-1:] == b"\r" else line
                if frame[-5:-4] == b"*" and len(line) < MAX_FRAME_BYTES:
                    body = frame[1:-5]
                    crc = crc_hqx(body, 0xFFFF)
                    if frame[-4:] == _HEX2[crc >> 8] + _HEX2[crc & 0xFF]:
                        text = body.decode("latin-1")
                        if text.count(",") <= MAX_FIELDS + 1 and _BODY_MATCH(text):
                            parts = text.split(",")
                            seq = int(parts[0])
                            if seq <= MAX_SEQ:
                                new = _new_frame(Frame)
                                _set_seq(new, seq)
                                _set_type(new, parts[1])
                                _set_fields(new, tuple(parts[2:]))
                                append(new)
                                frames += 1
                                continue
            self._segment(line, True, out)
        if tail:
            self._segment(tail, False, out)
        if frames:
            self.stats["frames"] += frames
        return out

    # -- slow path: garbage, several '$' on a line, partial frames -----------------------

    def _segment(self, seg: bytes, terminated: bool, out: list[Frame | FrameError]) -> None:
        start = seg.find(b"$")
        outside = seg if start < 0 else seg[:start]
        if outside and not self._discard:
            self._garbage(outside, out)
        if start < 0:
            if terminated:
                self._end_run(out)
            return
        self._end_run(out)
        parts = seg[start + 1 :].split(b"$")
        last = parts.pop()
        for part in parts:
            if 1 + len(part) >= MAX_FRAME_BYTES:
                out.append(self._error("too_long", f"no terminator in {MAX_FRAME_BYTES} bytes"))
            else:
                out.append(
                    self._error("truncated", f"new '$' after {1 + len(part)} bytes of a frame")
                )
        if terminated:
            out.append(self._parse(b"$" + last))
        elif 1 + len(last) >= MAX_FRAME_BYTES:
            out.append(self._error("too_long", f"no terminator in {MAX_FRAME_BYTES} bytes"))
            self._discard = self._dirty = True
        else:
            self._buf = b"$" + last

    def _garbage(self, seg: bytes, out: list[Frame | FrameError]) -> None:
        """Count bytes outside any frame; CR is tolerated there and not counted."""
        self._dirty = True
        if len(self._g_head) < _GARBAGE_PREVIEW:
            self._g_head += seg[: _GARBAGE_PREVIEW - len(self._g_head)]
        self._g_count += len(seg) - seg.count(b"\r")
        while self._g_count >= MAX_FRAME_BYTES:
            self._g_count -= MAX_FRAME_BYTES
            out.append(self._garbage_error(MAX_FRAME_BYTES))

    def _end_run(self, out: list[Frame | FrameError]) -> None:
        """A '$' or LF ends a run of bytes outside frames: report what is left of it."""
        if self._g_count:
            out.append(self._garbage_error(self._g_count))
            self._g_count = 0
        self._g_head = b""
        self._g_reported = False
        self._discard = self._dirty = False

    def _garbage_error(self, count: int) -> FrameError:
        self.stats["garbage_bytes"] += count  # bytes discarded, beside the runs reported
        where = "more " if self._g_reported else ""
        self._g_reported = True
        head = _preview(self._g_head)
        return self._error("garbage", f"{count} {where}byte(s) outside frames, from {head}")

    def _error(self, kind: str, detail: str) -> FrameError:
        self.stats[kind] += 1
        return FrameError(kind, detail)

    def _parse(self, line: bytes) -> Frame | FrameError:
        """Parse one terminated candidate: ``$`` ... ``*HHHH`` [CR], LF already removed."""
        if len(line) >= MAX_FRAME_BYTES:
            # The same words as when the frame arrives in pieces: chunking must not show.
            return self._error("too_long", f"no terminator in {MAX_FRAME_BYTES} bytes")
        if line[-1:] == b"\r":
            line = line[:-1]
        if len(line) < 6 or line[-5] != 0x2A:
            return self._error("bad_syntax", f"no '*' and 4 CRC digits at end of {_preview(line)}")
        body = line[1:-5]
        crc = line[-4:]
        if crc != b"%04X" % crc_hqx(body, 0xFFFF):
            if not _HEX4_RE.fullmatch(crc):
                return self._error("bad_syntax", f"CRC must be 4 hex digits, got {crc!r}")
            if crc.upper() != b"%04X" % crc_hqx(body, 0xFFFF):
                return self._error(
                    "bad_crc",
                    f"CRC {crc.decode()} != computed {crc_hqx(body, 0xFFFF):04X} "
                    f"in {_preview(line)}",
                )
        text = body.decode("latin-1")
        if text.count(",") > MAX_FIELDS + 1:
            return self._error(
                "bad_syntax", f"{text.count(',') - 1} fields > {MAX_FIELDS} in {_preview(line)}"
            )
        if not _BODY_RE.fullmatch(text):
            return self._error("bad_syntax", _syntax_detail(text))
        parts = text.split(",")
        seq = int(parts[0])
        if seq > MAX_SEQ:
            return self._error("bad_syntax", f"seq must be 0..{MAX_SEQ}, got {seq}")
        self.stats["frames"] += 1
        return Frame(seq, parts[1], tuple(parts[2:]))
