"""Link fuzz targets over raw bytes: the frame decoder and the desk's two link sessions.

Each check takes one input of plain bytes (what a coverage-guided engine such as atheris
mutates) and raises AssertionError when a property breaks; any other exception out of the code
under test is a crash too. They are engine-agnostic: bench/fuzzing/atheris_main.py runs them
under libFuzzer, tests/fuzz replays saved inputs through them, and `seeds()` writes the seed
corpus (valid frames of every message type in the catalogue) they start from.

Input formats (chosen so that a seed is mostly wire bytes, which the mutator then damages):

* ``link_codec``: byte 0 ``h``; ``h & 15`` chunk sizes follow (each 1..256); the rest is the
  noise. A valid frame is spliced in at ``(h >> 4) / 16`` of its length and another appended;
  that stream is fed in those chunks (cycled) and, if chunked, decoded whole to compare.
* ``link_session_bridge`` / ``link_session_coproc`` (the desk's session towards the radio
  bridge, and towards the co-processor with deferred ALERT/CLEAR ACKs): byte 0 is a step
  control byte, the rest is wire bytes; a 0xFF byte (never in a valid frame) starts a new step
  and is followed by its control byte. Control ``c``: the fake clock advances ``(c & 15) * 0.1``
  s; ``c >> 4`` picks what the desk does before the step's bytes are received (8, 9:
  acknowledge the oldest / every deferred message; 10, 11: send / send urgently; 12: cancel;
  13: reset the port; 14: poll first; else nothing); then ``poll``.
"""

from __future__ import annotations

import re
from binascii import crc_hqx
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from bench.fuzzing.codec import SENTINEL, _check_consistent
from hw.wire.codec import ERROR_KINDS, MAX_FRAME_BYTES, MAX_SEQ, Decoder, Frame, FrameError, encode
from hw.wire.messages import (
    MESSAGE_TYPES,
    Ack,
    Alert,
    AlertKind,
    Answer,
    Answered,
    Call,
    Clear,
    Err,
    Feed,
    Hangup,
    Hb,
    Hello,
    Ka,
    Key,
    LineMsg,
    LineUse,
    Message,
    Reject,
    Ring,
    Role,
    Rx,
    Severity,
    TrackState,
    Tx,
    TxReason,
    Unkey,
    UnkeyReason,
    message_frame,
)
from hw.wire.session import (
    Delivered,
    Event,
    LinkSession,
    MessageReceived,
    PeerHello,
    Refused,
    SendFailed,
)

STEP = 0xFF
"""Starts a new step in a session input (0xFF is never part of a valid frame)."""
DT = 0.1
"""Seconds per unit of a step's clock advance (0..1.5 s a step)."""
MAX_STEPS = 400
TIMING = dict(heartbeat_s=1.0, link_timeout_s=3.5, ack_timeout_s=0.3, max_retries=2)
DESK_BOOT = "0000000A"

# -- one valid message of every type in the catalogue -------------------------------------

_T0 = datetime(2026, 12, 1, 12, 0, 5, 123000, tzinfo=UTC)
_A = TrackState("RAF123", 51.501234, -0.141234, 12000, 150.2, -20.5, 0.0)
_B = TrackState("4CA2F1", 51.6, -0.2, 12500, -140.0, 10.0, -5.1)
_LINE = TrackState("LINE", 51.55, -0.17, 0, 0.0, 0.0, 0.0)


def examples() -> list[Message]:
    """At least one valid message of every type (and every enum value that matters)."""
    out: list[Message] = [
        Hello(1, Role.BRIDGE, "B0070001", "bridge"), Hello(1, Role.COPROC, "0000C0DE", "coproc"),
        Hello(1, Role.TERMINAL, DESK_BOOT, "desk"), Hello(2, Role.BRIDGE, "B0070001", "v2"),
        Ack(0), Ack(1), Err(0, "BADSTATE", "not now"), Hb(1000),
        Call(), Answer(), Reject(), Hangup(), Key(5000), Ka(),
        *(Unkey(r) for r in UnkeyReason),
        Ring(), Answered(), Rx(True), Rx(False),
        *(Tx(r is TxReason.KEY, r) for r in TxReason),
        Alert(17, "RAF123/4CA2F1", AlertKind.TRACK, Severity.WARNING, _T0, _A, _B,
              9260.0, 500, 42.5, 1200.0),
        Alert(18, "RAF123/LINE", AlertKind.LINE, Severity.CRITICAL, _T0, _A, _LINE,
              300.0, 0, 10.0, 0.0),
        Clear("RAF123/4CA2F1"),
        Feed("SBS", True, 250, 12.5, 7, 0, "sbs://127.0.0.1:30003", ""),
        LineMsg(2, "LINE", _T0, ((51.5185, -0.2), (51.5185, -0.08))),
        LineUse(2, "LINE", _T0),
    ]  # fmt: skip
    assert {m.TYPE for m in out} == set(MESSAGE_TYPES), "a message type has no example"
    return out


_SENTINEL_BYTES = encode(SENTINEL)


def wire(seq: int, msg: Message) -> bytes:
    return encode(message_frame(seq, msg))


# -- codec ----------------------------------------------------------------------------------


def split_codec(data: bytes) -> tuple[bytes, list[int], float]:
    """(stream, chunk sizes, where to splice a valid frame) from a codec input."""
    if not data:
        return b"", [], 0.0
    h = data[0]
    n = h & 15
    sizes = [b + 1 for b in data[1 : 1 + n]]
    return data[1 + n :], sizes, (h >> 4) / 16


def check_codec(data: bytes) -> None:
    """The decoder on any bytes: never raises; a valid frame spliced in anywhere, and one after
    the noise, are decoded (resync); chunking changes nothing; the buffer stays under one frame;
    the counters add up; only valid frames are accepted. The properties of `check_decoder`,
    in two decoding passes (one in chunks, one whole) to keep it fast."""
    noise, sizes, where = split_codec(data)
    cut = int(len(noise) * where)
    stream = noise[:cut] + _SENTINEL_BYTES + noise[cut:] + _SENTINEL_BYTES
    decoder = Decoder()
    items: list[Frame | FrameError] = []
    if sizes:
        pos = 0
        n = 0
        while pos < len(stream):
            size = sizes[n % len(sizes)]
            items += decoder.feed(stream[pos : pos + size])
            assert len(decoder._buf) < MAX_FRAME_BYTES, "decoder buffer grew past a frame"
            pos += size
            n += 1
    else:
        items = decoder.feed(stream)
        assert not decoder._buf, "a terminated stream left bytes in the buffer"
    assert items and items[-1] == SENTINEL, f"valid frame after the noise lost: {items[-3:]!r}"
    frames = [i for i in items if isinstance(i, Frame)]
    assert frames.count(SENTINEL) >= 2, f"valid frame spliced in at byte {cut} lost"
    stats = decoder.stats
    assert stats["bytes"] == len(stream), "byte counter off"
    assert stats["frames"] == len(frames), "frame counter off"
    errors = Counter(i.kind for i in items if isinstance(i, FrameError))
    garbage = 0
    for item in items:
        if isinstance(item, Frame):
            encode(item)  # ValueError if the decoder accepted what is not a valid frame
        else:
            assert item.kind in ERROR_KINDS and item.detail, f"bad error {item!r}"
            if item.kind == "garbage":
                garbage += int(item.detail.split()[0])
    for kind in ERROR_KINDS:
        assert stats[kind] == errors[kind], f"{kind} counter {stats[kind]} != {errors[kind]}"
    assert stats["garbage_bytes"] == garbage, "garbage byte counter off"
    if sizes:
        assert Decoder().feed(stream) == items, "chunking changed the result"


def codec_seeds() -> Iterator[bytes]:
    """Valid frames of every type, one by one and in pairs, whole and in chunks (seeds stay
    short: a mutated input costs in proportion to its length)."""
    frames = [wire(i * 997 % 65536, m) for i, m in enumerate(examples())]
    for n, f in enumerate(frames):
        yield b"\x00" + f
        yield b"\x82\x00\x06" + f + frames[n - 1]  # chunks of 1 and 7, splice in the middle
    yield b"\x41\x00" + b"noise\r\n$" + frames[0]  # byte by byte after garbage
    yield b"\x00" + b"$" + b"x" * 520 + b"\r\n" + frames[1]  # an over-long frame, then one


# -- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionKind:
    """How the desk's session for one link is configured, and a well-behaved peer for it."""

    name: str
    peer_role: Role
    deferred: tuple[type[Message], ...]
    local_sends: tuple[Message, ...]  # what the desk sends on this link (action 10/11)
    peer_message: Message  # what the well-behaved peer delivers in the closing check
    peer_sends: tuple[Message, ...]  # the peer's traffic in the seeds

    def desk(self) -> LinkSession:
        return LinkSession(Role.TERMINAL, "desk", DESK_BOOT, peer_roles={self.peer_role},
                           deferred_acks=self.deferred, **TIMING)  # type: ignore[arg-type]  # fmt: skip


BRIDGE = SessionKind(
    "bridge", Role.BRIDGE, (), (Unkey(UnkeyReason.PTT), Key(5000), Call(), Answer(), Hangup()),
    Ring(), (Ring(), Answered(), Rx(True), Rx(False), Tx(True, TxReason.KEY),
             Tx(False, TxReason.KEEPALIVE), Hangup(), Hb(1200)),
)  # fmt: skip
COPROC = SessionKind(
    "coproc", Role.COPROC, (Alert, Clear), (), Clear("P1"),
    (*(m for m in examples() if isinstance(m, Alert | Clear)), Hb(1200)),
)
KINDS = {k.name: k for k in (BRIDGE, COPROC)}


def steps(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(control byte, wire bytes) for each step of a session input."""
    parts = data.split(bytes([STEP]))
    for n, part in enumerate(parts[:MAX_STEPS]):
        if n == 0:
            yield (part[0], part[1:]) if part else (0, b"")
        elif part:
            yield part[0], part[1:]
        else:
            yield 0, b""


@dataclass
class _Books:
    """What the harness expects of the desk's session, kept beside it."""

    pending: set[int] = field(default_factory=set)  # our acked messages not yet settled
    owed: dict[int, tuple[int, int]] = field(default_factory=dict)  # seq -> deferred ack_ref


_FIELD = rb"[\x20-\x23\x25-\x29\x2B\x2D-\x7E]*"
_OUT_LINE = re.compile(
    rb"\$((0|[1-9][0-9]{0,4}),([A-Z0-9]{1,8})((?:," + _FIELD + rb")*))\*([0-9A-F]{4})\r"
)
_HELLO_SEQ = re.compile(rb"\$([0-9]{1,5}),HELLO[,*]")


def _ours(s: LinkSession) -> list[tuple[int, str, list[bytes]]]:
    """The frames the desk wrote since last asked, (seq, type, fields), each checked to be a
    valid frame of a type a desk sends with the right number of fields. (Parsed here, not by
    the Decoder under test: an independent oracle, and no coverage credit for the harness.)"""
    data = s.data_to_send()
    if not data:
        return []
    lines = data.split(b"\n")
    assert lines.pop() == b"", f"desk output does not end with a line end: {data[-20:]!r}"
    out = []
    for line in lines:
        m = _OUT_LINE.fullmatch(line)
        assert m, f"desk sent a bad frame: {line!r}"
        assert crc_hqx(m[1], 0xFFFF) == int(m[5], 16), f"desk sent a bad CRC: {line!r}"
        assert len(line) + 1 <= MAX_FRAME_BYTES, f"desk sent {len(line) + 1} bytes"
        seq, type_ = int(m[2]), m[3].decode()
        assert seq <= MAX_SEQ, f"desk sent seq {seq}"
        cls = MESSAGE_TYPES.get(type_)
        assert cls is not None and Role.TERMINAL in cls.SENT_BY, f"desk sent a {type_}"
        fields = m[4].split(b",")[1:]
        assert len(fields) == len(cls.SPECS), f"desk sent {type_} with {len(fields)} fields"
        out.append((seq, type_, fields))
    return out


def _hello_seqs(data: bytes) -> set[int]:
    """Sequence numbers of what may be HELLOs in ``data`` (the desk ACKs a HELLO at once)."""
    return {int(m) for m in _HELLO_SEQ.findall(data)}


def _settle(books: _Books, events: list[Event], s: LinkSession) -> None:
    for e in events:
        if isinstance(e, Delivered | SendFailed):
            assert e.seq in books.pending, f"{type(e).__name__} for {e.seq}, never sent or settled"
            books.pending.discard(e.seq)
        elif isinstance(e, Refused):
            books.pending.discard(e.seq)
        elif isinstance(e, PeerHello) and e.restarted:
            books.owed.clear()
        elif isinstance(e, MessageReceived):
            if e.ack_ref is not None:
                assert type(e.msg) in s.deferred_acks, f"{e.msg.TYPE} given an ack_ref"
                assert e.ack_ref == (s._peer_generation, e.seq), f"stale ack_ref {e.ack_ref}"
                books.owed[e.seq] = e.ack_ref
            else:
                assert type(e.msg) not in s.deferred_acks or not e.msg.NEEDS_ACK


def _check_step(s: LinkSession, books: _Books, received: bytes, acked_now: set[int]) -> None:
    sent = _ours(s)
    hellos = _hello_seqs(received)
    for seq in _acks(sent):
        if seq in books.owed and seq not in acked_now and seq not in hellos:
            raise AssertionError(f"ACK {seq} sent for a deferred message before acknowledge")
    # The session may forget a debt only when the peer restarted or the seq left the window.
    gen = s._peer_generation
    for seq, (generation, _) in list(books.owed.items()):
        if generation != gen or seq not in s._seen:
            del books.owed[seq]
        else:
            assert seq in s._ack_owed, f"deferred message {seq} no longer owed an ACK"
    _check_consistent(s)
    assert 0 <= s._in_flight <= len(s._pending), f"in-flight {s._in_flight} of {len(s._pending)}"
    mine = {seq for seq, _ in s.pending()}
    assert mine == books.pending, f"pending {sorted(mine)} != sent and unsettled {books.pending}"


def check_session(data: bytes, kind: SessionKind) -> None:
    """The desk's session on any bytes and any timing: `receive` and `poll` never raise; it sends
    only valid desk messages; it never ACKs a deferred message before `acknowledge`; its books
    stay consistent (in-flight count, HELLO, dedupe window, pending == sent minus settled); and
    afterwards a well-behaved peer (new boot) links up and delivers its message exactly once."""
    s = kind.desk()
    books = _Books()
    now = 0.0
    s.start(now)
    if kind.local_sends:
        books.pending.add(s.send(kind.local_sends[0], now))
    _ours(s)
    for control, chunk in steps(data):
        now += (control & 15) * DT
        action = control >> 4
        acked_now: set[int] = set()
        events: list[Event] = []
        if action == 8 or action == 9:  # acknowledge the oldest / every deferred message
            for seq, ref in sorted(books.owed.items())[: 1 if action == 8 else None]:
                assert s.acknowledge(ref, now), f"acknowledge({ref}) refused while owed"
                assert not s.acknowledge(ref, now), f"acknowledge({ref}) accepted twice"
                del books.owed[seq]
                acked_now.add(seq)
        elif action in (10, 11) and kind.local_sends:
            msg = kind.local_sends[control % len(kind.local_sends)]
            send: Callable[[Message, float], int] = s.send if action == 10 else s.send_urgent
            books.pending.add(send(msg, now))
        elif action == 12 and books.pending:
            seq = min(books.pending)
            assert s.cancel(seq), f"cancel({seq}) of a pending message refused"
            books.pending.discard(seq)
        elif action == 13:
            events += s.reset(now)
        elif action == 14:
            events += s.poll(now)
        events += s.receive(chunk, now)
        events += s.poll(now)
        _settle(books, events, s)
        _check_step(s, books, chunk, acked_now)
    _closing_check(s, books, kind, now)


def _closing_check(s: LinkSession, books: _Books, kind: SessionKind, now: float) -> None:
    """A real peer, rebooted, on a clean wire: its HELLO brings the link up and is ACKed; its
    message is delivered once and ACKed (at `acknowledge` if deferred); a retransmission of it
    is not delivered again but ACKed again. (A scripted peer: a second session would cost more
    than the rest of the input.)"""
    boot = "B0070009" if s.peer is None or s.peer.boot_id != "B0070009" else "B007000A"
    hello = Hello(1, kind.peer_role, boot, "peer")
    events = s.receive(_wire_once(0, hello), now + 0.1)
    _settle(books, events, s)
    assert s.is_up, "link does not come up on a compatible HELLO after the hostile input"
    assert any(isinstance(e, PeerHello) and e.hello == hello for e in events), "HELLO not seen"
    assert 0 in _acks(_ours(s)), "the peer's HELLO is not acknowledged"
    message = _wire_once(1, kind.peer_message)
    got = s.receive(message, now + 0.2)
    _settle(books, got, s)
    delivered = [e for e in got if isinstance(e, MessageReceived) and e.msg == kind.peer_message]
    assert len(delivered) == 1, f"{kind.peer_message.TYPE} delivered {len(delivered)} times"
    sent = _acks(_ours(s))
    if delivered[0].ack_ref is not None:
        assert 1 not in sent, f"deferred {kind.peer_message.TYPE} ACKed before acknowledge"
        assert s.acknowledge(delivered[0].ack_ref, now + 0.2), "acknowledge refused"
        sent = _acks(_ours(s))
    assert 1 in sent, f"{kind.peer_message.TYPE} not acknowledged"
    again = s.receive(message, now + 0.3)
    assert not any(isinstance(e, MessageReceived) for e in again), "retransmission redelivered"
    assert 1 in _acks(_ours(s)), "retransmission not acknowledged again"
    _check_consistent(s)


@cache
def _wire_once(seq: int, msg: Message) -> bytes:
    """`wire`, kept: the closing check's peer frames are the same few every input, and encoding
    them runs instrumented codec code (about a third of an input's cost under atheris)."""
    return wire(seq, msg)


def _acks(frames: list[tuple[int, str, list[bytes]]]) -> set[int]:
    return {int(fields[0]) for _, type_, fields in frames if type_ == "ACK"}


def session_seeds(kind: SessionKind) -> Iterator[bytes]:
    """A peer that says HELLO and ACKs the desk's HELLO (seq 0) and first message (1), then sends
    one of its messages; the same with the desk acknowledging, sending, resetting; and a frame
    of every type after the HELLO. Short, as a mutated input costs with its length."""
    hello = next(m for m in examples() if isinstance(m, Hello) and m.role is kind.peer_role)
    start = wire(100, hello) + wire(101, Ack(0)) + wire(102, Ack(1))
    yield b"\x00" + start
    for i, m in enumerate(kind.peer_sends):
        yield b"\x00" + start + bytes([STEP, 0x03]) + wire(103 + i, m)
        yield b"\x00" + start + bytes([STEP, 0x93]) + wire(103 + i, m) + bytes([STEP, 0x84])
    for i, m in enumerate(examples()):
        yield b"\x00" + wire(100, hello) + bytes([STEP, 0x01]) + wire(200 + i, m)
    yield b"\x00" + start + bytes([STEP, 0xA3, STEP, 0xB5, STEP, 0xC5, STEP, 0x2F, STEP, 0x2F])
    yield b"\x00" + start + bytes([STEP, 0xD2]) + start
    yield b"\x00" + wire(7, hello) + wire(7, hello) + bytes([STEP, 0x3F, STEP, 0x3F])


# -- the targets, by name --------------------------------------------------------------------

CHECKS: dict[str, Callable[[bytes], None]] = {
    "link_codec": check_codec,
    "link_session_bridge": lambda data: check_session(data, BRIDGE),
    "link_session_coproc": lambda data: check_session(data, COPROC),
}
"""The link targets: name -> check of one input."""


def seeds(name: str) -> list[bytes]:
    """The seed corpus of target ``name``."""
    if name == "link_codec":
        return list(codec_seeds())
    return list(session_seeds(KINDS[name.removeprefix("link_session_")]))


def dictionary() -> list[bytes]:
    """Tokens for the mutator: framing bytes, every message type, enum words, field values."""
    words = {b"$", b"*", b"\r\n", b",", b"\n", b"$0,", b"*0000\r\n", b"0,HELLO,1,"}
    words |= {t.encode() for t in MESSAGE_TYPES}
    words |= {r.value.encode() for e in (Role, UnkeyReason, TxReason, AlertKind, Severity)
              for r in e}  # fmt: skip
    words |= {b"0000C0DE", b"B0070001", b"65535", b"65536", b"99999"}
    return sorted(words)
