"""The message catalogue of both links: typed frozen dataclasses over frame fields.

Each message class has TYPE (the frame type), NEEDS_ACK, SENT_BY (roles allowed to send it)
and SPECS (its fields in wire order). ``decode_message`` turns a Frame into a message and
``message_frame`` does the reverse. docs/protocol.md describes every message in words.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from hw.wire.codec import MAX_SEQ, Frame
from hw.wire.fields import (
    BoolCodec,
    Codec,
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

PROTOCOL_VERSION = 1
"""The protocol major version carried in HELLO; peers with another version do not link."""


class Role(StrEnum):
    """What a peer is."""

    TERMINAL = "TERMINAL"
    BRIDGE = "BRIDGE"
    COPROC = "COPROC"


class UnkeyReason(StrEnum):
    """Why the terminal asks the bridge to unkey."""

    PTT = "PTT"  # operator released the PTT button
    TOT = "TOT"  # the terminal's time-out timer ran out
    EXIT = "EXIT"  # the terminal is shutting down
    LINK = "LINK"  # link trouble (sent when the link returns)
    FORCE = "FORCE"  # the technician's `hotline unkey`
    LOCKOUT = "LOCKOUT"  # transmission not allowed now (e.g. far end transmitting)
    HANGUP = "HANGUP"  # the call ended (either side hung up) while keyed


class TxReason(StrEnum):
    """Why the bridge's transmitter changed state."""

    KEY = "KEY"  # keyed on our KEY
    UNKEY = "UNKEY"  # unkeyed on our UNKEY
    KEEPALIVE = "KEEPALIVE"  # unkeyed by itself: no KA/KEY within keepalive_ms
    TOT = "TOT"  # unkeyed by the bridge's own time-out timer
    FORCE = "FORCE"  # unkeyed by a local control on the bridge
    LINK = "LINK"  # unkeyed because the link went down


class AlertKind(StrEnum):
    """What the second member of an alert pair is."""

    TRACK = "TRACK"
    LINE = "LINE"


class Severity(StrEnum):
    """How urgent an alert is, least to most."""

    ADVISORY = "ADVISORY"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


# ERR codes used by this code base; the field is open-ended (WordCodec).
ERR_VERSION = "VERSION"  # HELLO with another protocol version
ERR_UNKNOWN = "UNKNOWN"  # unknown message type
ERR_BADMSG = "BADMSG"  # fields do not match the message's definition
ERR_BADDIR = "BADDIR"  # a message the sender's role must not send
ERR_BADSTATE = "BADSTATE"  # not possible in the receiver's current state
ERR_LOCKOUT = "LOCKOUT"  # transmission refused (e.g. channel busy, inhibited)
ERR_ROLE = "ROLE"  # HELLO from a role this port does not expect

ALL_ROLES = frozenset(Role)
_T = frozenset({Role.TERMINAL})
_B = frozenset({Role.BRIDGE})
_C = frozenset({Role.COPROC})


class MessageError(ValueError):
    """A frame that is not a valid message: ``type`` is the frame type, ``detail`` says why."""

    def __init__(self, type: str, detail: str) -> None:
        super().__init__(f"{type}: {detail}")
        self.type = type
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Spec:
    """One field of a message: its name, codec, unit and meaning (the docs are built on it)."""

    name: str
    codec: Codec[Any]
    unit: str = ""


SEQ = IntCodec(0, MAX_SEQ)


class Message:
    """Base of every message: field order in SPECS, values in dataclass attributes."""

    __slots__ = ()
    TYPE: ClassVar[str]
    NEEDS_ACK: ClassVar[bool]
    SENT_BY: ClassVar[frozenset[Role]]
    SPECS: ClassVar[tuple[Spec, ...]] = ()

    def values(self) -> tuple[Any, ...]:
        """Attribute values in SPECS order."""
        return tuple(getattr(self, spec.name) for spec in self.SPECS)

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> Self:
        """Build from values in SPECS order."""
        return cls(*values)

    def check(self) -> None:
        """Cross-field rules beyond each field's own range; ValueError when broken."""

    def to_fields(self) -> tuple[str, ...]:
        """The frame fields of this message; MessageError (a ValueError) if unencodable."""
        out: list[str] = []
        for spec, value in zip(self.SPECS, self.values(), strict=True):
            try:
                out.append(spec.codec.encode(value))
            except ValueError as exc:
                raise MessageError(self.TYPE, f"field {spec.name} {exc}") from None
        try:
            self.check()
        except ValueError as exc:
            raise MessageError(self.TYPE, str(exc)) from None
        return tuple(out)

    @classmethod
    def from_fields(cls, fields: Sequence[str]) -> Self:
        """The message held in ``fields``; MessageError naming the first bad field."""
        if len(fields) != len(cls.SPECS):
            names = " ".join(spec.name for spec in cls.SPECS) or "none"
            raise MessageError(
                cls.TYPE, f"expected {len(cls.SPECS)} field(s) ({names}) but got {len(fields)}"
            )
        values: list[Any] = []
        for i, (spec, text) in enumerate(zip(cls.SPECS, fields, strict=True)):
            try:
                values.append(spec.codec.decode(text))
            except ValueError as exc:
                raise MessageError(cls.TYPE, f"field {i + 1} {spec.name} {exc}") from None
        msg = cls.from_values(values)
        try:
            msg.check()
        except ValueError as exc:
            raise MessageError(cls.TYPE, str(exc)) from None
        return msg


# -- both links, both directions ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hello(Message):
    """First message after a port opens: who I am and which protocol I speak."""

    TYPE: ClassVar[str] = "HELLO"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = ALL_ROLES
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("version", IntCodec(1, 999)),
        Spec("role", EnumCodec(Role)),
        Spec("boot_id", Hex8Codec()),
        Spec("name", TextCodec(0, 32)),
    )
    version: int
    role: Role
    boot_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Ack(Message):
    """The message with sequence number ref_seq arrived (sent for duplicates too)."""

    TYPE: ClassVar[str] = "ACK"
    NEEDS_ACK: ClassVar[bool] = False
    SENT_BY: ClassVar[frozenset[Role]] = ALL_ROLES
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("ref_seq", SEQ),)
    ref_seq: int


@dataclass(frozen=True, slots=True)
class Err(Message):
    """The receiver refuses the message ref_seq: a code word and a human-readable text."""

    TYPE: ClassVar[str] = "ERR"
    NEEDS_ACK: ClassVar[bool] = False
    SENT_BY: ClassVar[frozenset[Role]] = ALL_ROLES
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("ref_seq", SEQ),
        Spec("code", WordCodec()),
        Spec("text", TextCodec(0, 120)),
    )
    ref_seq: int
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Hb(Message):
    """Heartbeat: I am alive; sent when nothing else was sent for heartbeat_s."""

    TYPE: ClassVar[str] = "HB"
    NEEDS_ACK: ClassVar[bool] = False
    SENT_BY: ClassVar[frozenset[Role]] = ALL_ROLES
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("uptime_ms", IntCodec(0, 10**15), "ms"),)
    uptime_ms: int


# -- terminal -> radio bridge --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call(Message):
    """Call the far end."""

    TYPE: ClassVar[str] = "CALL"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T


@dataclass(frozen=True, slots=True)
class Answer(Message):
    """Answer the far end's ringing call."""

    TYPE: ClassVar[str] = "ANSWER"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T


@dataclass(frozen=True, slots=True)
class Reject(Message):
    """Refuse the far end's ringing call."""

    TYPE: ClassVar[str] = "REJECT"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T


@dataclass(frozen=True, slots=True)
class Hangup(Message):
    """End the call (terminal -> bridge), or the far end ended it (bridge -> terminal)."""

    TYPE: ClassVar[str] = "HANGUP"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = frozenset({Role.TERMINAL, Role.BRIDGE})


@dataclass(frozen=True, slots=True)
class Key(Message):
    """Key the transmitter; unkey by yourself if no KA or KEY arrives within keepalive_ms."""

    TYPE: ClassVar[str] = "KEY"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("keepalive_ms", IntCodec(100, 60_000), "ms"),)
    keepalive_ms: int


@dataclass(frozen=True, slots=True)
class Unkey(Message):
    """Unkey the transmitter, with the reason."""

    TYPE: ClassVar[str] = "UNKEY"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("reason", EnumCodec(UnkeyReason)),)
    reason: UnkeyReason


@dataclass(frozen=True, slots=True)
class Ka(Message):
    """Keepalive while keyed: restarts the bridge's keepalive_ms timer."""

    TYPE: ClassVar[str] = "KA"
    NEEDS_ACK: ClassVar[bool] = False
    SENT_BY: ClassVar[frozenset[Role]] = _T


# -- radio bridge -> terminal --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ring(Message):
    """The far end is calling."""

    TYPE: ClassVar[str] = "RING"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _B


@dataclass(frozen=True, slots=True)
class Answered(Message):
    """The far end picked up our call."""

    TYPE: ClassVar[str] = "ANSWERED"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _B


@dataclass(frozen=True, slots=True)
class Rx(Message):
    """The far end started (active) or stopped transmitting."""

    TYPE: ClassVar[str] = "RX"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _B
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("active", BoolCodec()),)
    active: bool


@dataclass(frozen=True, slots=True)
class Tx(Message):
    """The bridge's transmitter state after every change, and why it changed."""

    TYPE: ClassVar[str] = "TX"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _B
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("keyed", BoolCodec()),
        Spec("reason", EnumCodec(TxReason)),
    )
    keyed: bool
    reason: TxReason

    def check(self) -> None:
        """Keyed only for reason KEY; unkeyed for any other reason."""
        if self.keyed != (self.reason is TxReason.KEY):
            raise ValueError(f"keyed={int(self.keyed)} does not go with reason {self.reason}")


# -- co-processor -> terminal --------------------------------------------------------------

PAIR_ID = IdentCodec(32)
TRACK_ID = IdentCodec(24)
LAT = FloatCodec(6, -90.0, 90.0)
LON = FloatCodec(6, -180.0, 180.0)
ALT_FT = IntCodec(-2_000, 99_999)
SPEED = FloatCodec(1, -2_000.0, 2_000.0)
DIST_M = FloatCodec(1, 0.0, 1_000_000.0)
LINE_VERSION = IntCodec(0, 999_999)
"""A line version: 1, 2, ... as the desk numbers them; 0 is a co-processor's own start-up line."""
LINE_MAX_POINTS = 16
"""Points in one LINE message (the 512-byte frame, docs/protocol.md 5.5)."""
ALERT_FIELDS_V0 = 23
"""An ALERT from a co-processor built before LINE: no `line_version` field."""


@dataclass(frozen=True, slots=True)
class TrackState:
    """One member of an alert pair at computed_at (for a line: its closest point, at rest)."""

    id: str
    lat: float
    lon: float
    alt_ft: int
    vn_ms: float
    ve_ms: float
    vu_ms: float


def _track_specs(prefix: str) -> tuple[Spec, ...]:
    return (
        Spec(f"{prefix}_id", TRACK_ID),
        Spec(f"{prefix}_lat", LAT, "deg"),
        Spec(f"{prefix}_lon", LON, "deg"),
        Spec(f"{prefix}_alt_ft", ALT_FT, "ft"),
        Spec(f"{prefix}_vn", SPEED, "m/s"),
        Spec(f"{prefix}_ve", SPEED, "m/s"),
        Spec(f"{prefix}_vu", SPEED, "m/s"),
    )


def _track_values(track: TrackState) -> tuple[Any, ...]:
    return (track.id, track.lat, track.lon, track.alt_ft, track.vn_ms, track.ve_ms, track.vu_ms)


@dataclass(frozen=True, slots=True)
class Alert(Message):
    """A proximity alert for a pair: two tracks, or a track and the deconfliction line."""

    TYPE: ClassVar[str] = "ALERT"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _C
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("alert_seq", IntCodec(0, 2**32 - 1)),
        Spec("pair_id", PAIR_ID),
        Spec("kind", EnumCodec(AlertKind)),
        Spec("severity", EnumCodec(Severity)),
        Spec("computed_at", UtcMillisCodec(), "UTC"),
        *_track_specs("a"),
        *_track_specs("b"),
        Spec("hsep_m", DIST_M, "m"),
        Spec("vsep_ft", IntCodec(0, 101_999), "ft"),
        Spec("tcpa_s", FloatCodec(1, 0.0, 86_400.0), "s"),
        Spec("miss_m", DIST_M, "m"),
        Spec("line_version", LINE_VERSION),
    )
    alert_seq: int
    pair_id: str
    kind: AlertKind
    severity: Severity
    computed_at: datetime
    a: TrackState
    b: TrackState
    hsep_m: float
    vsep_ft: int
    tcpa_s: float
    miss_m: float
    line_version: int | None = None
    """The line version the co-processor used (for LINE: the one this alert was computed
    against); None from a co-processor built before LINE, whose ALERT has 23 fields."""

    def values(self) -> tuple[Any, ...]:
        """Attribute values in SPECS order, the two track states flattened."""
        head = (self.alert_seq, self.pair_id, self.kind, self.severity, self.computed_at)
        tail = (self.hsep_m, self.vsep_ft, self.tcpa_s, self.miss_m)
        version = () if self.line_version is None else (self.line_version,)
        return (*head, *_track_values(self.a), *_track_values(self.b), *tail, *version)

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> Self:
        """Build from flat values in SPECS order (23 of them: no line version)."""
        seq, pair_id, kind, severity, computed_at = values[:5]
        hsep_m, vsep_ft, tcpa_s, miss_m = values[19:23]
        version = values[23] if len(values) > ALERT_FIELDS_V0 else None
        return cls(
            seq, pair_id, kind, severity, computed_at,
            TrackState(*values[5:12]), TrackState(*values[12:19]),
            hsep_m, vsep_ft, tcpa_s, miss_m, version,
        )  # fmt: skip

    def to_fields(self) -> tuple[str, ...]:
        """24 fields; 23 (as before LINE) when there is no line version."""
        if self.line_version is not None:
            return Message.to_fields(self)
        full = replace(self, line_version=0)
        return Message.to_fields(full)[:ALERT_FIELDS_V0]

    @classmethod
    def from_fields(cls, fields: Sequence[str]) -> Self:
        """24 fields, or the 23 of a co-processor built before LINE (no line version)."""
        base = Message.from_fields.__func__  # type: ignore[attr-defined]
        if len(fields) == ALERT_FIELDS_V0:
            old: Self = base(cls, [*fields, "0"])
            return replace(old, line_version=None)
        if len(fields) != len(cls.SPECS):
            raise MessageError(
                cls.TYPE, f"expected 24 field(s) (23 without line_version) but got {len(fields)}"
            )
        msg: Self = base(cls, fields)
        return msg

    def check(self) -> None:
        """A LINE's second member is a point at rest on the ground: zero altitude and speed."""
        b = self.b
        if self.kind is AlertKind.LINE and (b.alt_ft, b.vn_ms, b.ve_ms, b.vu_ms) != (0, 0, 0, 0):
            raise ValueError("for kind LINE b_alt_ft b_vn b_ve and b_vu must be 0")


@dataclass(frozen=True, slots=True)
class Clear(Message):
    """The pair's alert is resolved."""

    TYPE: ClassVar[str] = "CLEAR"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _C
    SPECS: ClassVar[tuple[Spec, ...]] = (Spec("pair_id", PAIR_ID),)
    pair_id: str


@dataclass(frozen=True, slots=True)
class Feed(Message):
    """The co-processor's track feed, now: connected, how fresh, how busy, what went wrong.

    Not acked; sent every few seconds and when ``connected`` changes (docs/protocol.md 5.4)."""

    TYPE: ClassVar[str] = "FEED"
    NEEDS_ACK: ClassVar[bool] = False
    SENT_BY: ClassVar[frozenset[Role]] = _C
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("kind", WordCodec()),
        Spec("connected", BoolCodec()),
        Spec("age_ms", IntCodec(-1, 10**12), "ms"),
        Spec("rate", FloatCodec(1, 0.0, 1_000_000.0), "1/s"),
        Spec("tracks", IntCodec(0, 1_000_000)),
        Spec("decode_errors", IntCodec(0, 10**15)),
        Spec("source", TextCodec(0, 64)),
        Spec("error", TextCodec(0, 80)),
    )
    kind: str
    connected: bool
    age_ms: int
    rate: float
    tracks: int
    decode_errors: int
    source: str
    error: str


# -- terminal <-> co-processor: the deconfliction line -------------------------------------


@dataclass(frozen=True, slots=True)
class LineMsg(Message):
    """A version of the deconfliction line, to be used from ``effective_from`` (5.5)."""

    TYPE: ClassVar[str] = "LINE"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _T
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("version", IntCodec(1, 999_999)),
        Spec("name", IdentCodec(32)),
        Spec("effective_from", UtcMillisCodec(), "UTC"),
        Spec("points", PointsCodec(2, LINE_MAX_POINTS), "deg"),
    )
    version: int
    name: str
    effective_from: datetime
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class LineUse(Message):
    """The line the co-processor uses now: its version (0: its own start-up line; with an empty
    name, none at all), and since when (5.5)."""

    TYPE: ClassVar[str] = "LINEUSE"
    NEEDS_ACK: ClassVar[bool] = True
    SENT_BY: ClassVar[frozenset[Role]] = _C
    SPECS: ClassVar[tuple[Spec, ...]] = (
        Spec("version", LINE_VERSION),
        Spec("name", TextCodec(0, 32)),
        Spec("since", UtcMillisCodec(), "UTC"),
    )
    version: int
    name: str
    since: datetime


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        Hello, Ack, Err, Hb, Call, Answer, Reject, Hangup, Key, Unkey, Ka,
        Ring, Answered, Rx, Tx, Alert, Clear, Feed, LineMsg, LineUse,
    )
}  # fmt: skip
"""Every message class by frame type."""


def decode_message(frame: Frame) -> Message:
    """The message in ``frame``; MessageError for an unknown type or a bad field."""
    cls = MESSAGE_TYPES.get(frame.type)
    if cls is None:
        raise MessageError(frame.type, f"unknown message type; known: {' '.join(MESSAGE_TYPES)}")
    return cls.from_fields(frame.fields)


def message_frame(seq: int, msg: Message) -> Frame:
    """The frame carrying ``msg`` with sequence number ``seq``."""
    return Frame(seq, msg.TYPE, msg.to_fields())


def random_boot_id() -> str:
    """A fresh boot id (8 upper-case hex digits) for a process that just started."""
    return secrets.token_hex(4).upper()
