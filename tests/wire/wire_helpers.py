"""Shared test helpers for the wire protocol: hypothesis strategies and a back-to-back link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from hw.wire.codec import MAX_FIELDS, MAX_SEQ, Decoder, Frame
from hw.wire.fields import (
    BoolCodec,
    EnumCodec,
    FloatCodec,
    Hex8Codec,
    IdentCodec,
    IntCodec,
    PointsCodec,
    TextCodec,
    UtcMillisCodec,
    WordCodec,
)
from hw.wire.messages import MESSAGE_TYPES, Alert, AlertKind, Message, Tx, TxReason
from hw.wire.session import Event, LinkSession

FIELD_ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "$,*")
IDENT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/"

seqs = st.integers(0, MAX_SEQ)
types = st.from_regex(r"\A[A-Z0-9]{1,8}\Z")
field_texts = st.text(FIELD_ALPHABET, max_size=12)
frames = st.builds(Frame, seqs, types, st.lists(field_texts, max_size=MAX_FIELDS).map(tuple))


def codec_values(codec: Any) -> st.SearchStrategy[Any]:
    """Valid values of one field codec, at the precision the codec writes."""
    if isinstance(codec, IntCodec):
        return st.integers(codec.lo, codec.hi)
    if isinstance(codec, FloatCodec):
        scale = 10**codec.places
        lo, hi = round(codec.lo * scale), round(codec.hi * scale)
        return st.integers(lo, hi).map(lambda i: i / scale)
    if isinstance(codec, BoolCodec):
        return st.booleans()
    if isinstance(codec, EnumCodec):
        return st.sampled_from(list(codec.enum))
    if isinstance(codec, TextCodec):
        return st.text(FIELD_ALPHABET, min_size=codec.lo, max_size=codec.hi)
    if isinstance(codec, IdentCodec):
        return st.text(IDENT_ALPHABET, min_size=1, max_size=codec.hi)
    if isinstance(codec, WordCodec):
        return st.from_regex(r"\A[A-Z][A-Z0-9_]{0,15}\Z")
    if isinstance(codec, Hex8Codec):
        return st.from_regex(r"\A[0-9A-F]{8}\Z")
    if isinstance(codec, UtcMillisCodec):
        return st.datetimes(
            min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
    if isinstance(codec, PointsCodec):
        point = st.tuples(codec_values(FloatCodec(6, -90.0, 90.0)),
                          codec_values(FloatCodec(6, -180.0, 180.0)))  # fmt: skip
        return st.lists(point, min_size=codec.lo, max_size=codec.hi).map(tuple)
    raise AssertionError(f"no strategy for {codec!r}")


def _fix(cls: type[Message], values: list[Any]) -> Message:
    if cls is Alert and values[2] is AlertKind.LINE:
        values[15:19] = [0, 0.0, 0.0, 0.0]  # a line's point: no altitude, at rest
    if cls is Tx:
        values[0] = values[1] is TxReason.KEY  # keyed only by KEY
    return cls.from_values(values)


def messages_of(cls: type[Message]) -> st.SearchStrategy[Message]:
    """Valid messages of one class."""
    parts = [codec_values(spec.codec) for spec in cls.SPECS]
    return st.tuples(*parts).map(lambda vals: _fix(cls, list(vals)))


any_message = st.sampled_from(sorted(MESSAGE_TYPES)).flatmap(
    lambda t: messages_of(MESSAGE_TYPES[t])
)


def frames_in(data: bytes) -> list[Frame]:
    """The valid frames in ``data`` (for looking at what a session sent)."""
    return [f for f in Decoder().feed(data) if isinstance(f, Frame)]


Drop = Callable[[Frame], bool]


def _never(frame: Frame) -> bool:
    return False


@dataclass
class Link:
    """Two sessions wired back to back through a wire that can lose frames; fake clock."""

    a: LinkSession
    b: LinkSession
    now: float = 0.0
    drop_ab: Drop = _never
    drop_ba: Drop = _never
    events_a: list[Event] = field(default_factory=list)
    events_b: list[Event] = field(default_factory=list)
    wire_ab: list[Frame] = field(default_factory=list)
    wire_ba: list[Frame] = field(default_factory=list)

    def start(self) -> None:
        self.a.start(self.now)
        self.b.start(self.now)
        self.pump()

    def _carry(self, src: LinkSession, dst: LinkSession, drop: Drop, log: list[Frame]) -> bool:
        data = src.data_to_send()
        if not data:
            return False
        kept = bytearray()
        for line in data.splitlines(keepends=True):
            frame = frames_in(line)[0]
            log.append(frame)
            if not drop(frame):
                kept += line
        if kept:
            events = dst.receive(bytes(kept), self.now)
            (self.events_b if dst is self.b else self.events_a).extend(events)
        return True

    def pump(self) -> None:
        """Carry bytes both ways until both sides are quiet."""
        for _ in range(1000):
            moved = self._carry(self.a, self.b, self.drop_ab, self.wire_ab)
            moved |= self._carry(self.b, self.a, self.drop_ba, self.wire_ba)
            if not moved:
                return
        raise AssertionError("the two sessions never went quiet")

    def poll(self) -> None:
        self.events_a.extend(self.a.poll(self.now))
        self.events_b.extend(self.b.poll(self.now))
        self.pump()

    def advance(self, seconds: float, step: float = 0.05) -> None:
        """Move the clock forward in steps, polling both sides and carrying bytes."""
        end = self.now + seconds
        while self.now < end - 1e-9:
            self.now = min(end, self.now + step)
            self.poll()

    def of(self, side: str, kind: type) -> list[Any]:
        events = self.events_a if side == "a" else self.events_b
        return [e for e in events if isinstance(e, kind)]
