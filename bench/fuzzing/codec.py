"""Codec fuzzing: mutated valid frames into the Decoder, hostile frames into a LinkSession.

What tests/wire already covers (random bytes, chunking, garbage then a frame) is not repeated:
here the input is made of *valid* frames damaged the way a line damages them — bit flips,
truncations, splices, deleted or doubled spans, edited CRC digits, stray `$` and LF — and the
session is fed frames that pass the codec but carry wrong, missing or surplus fields.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import strategies as st

from bench.fuzzing import Target
from hw.wire.codec import ERROR_KINDS, MAX_FIELDS, MAX_FRAME_BYTES, Decoder, Frame, encode
from hw.wire.messages import (
    MESSAGE_TYPES,
    Ack,
    Answered,
    Err,
    Hb,
    Hello,
    Message,
    Ring,
    Role,
    Rx,
    Tx,
    TxReason,
    Unkey,
    UnkeyReason,
    message_frame,
)
from hw.wire.session import Event, LinkSession, MessageReceived

FIELD_ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "$,*")
SENTINEL = Frame(4242, "SENTINEL", ("end",))

field_texts = st.text(FIELD_ALPHABET, max_size=12)
frames = st.builds(
    Frame,
    st.integers(0, 0xFFFF),
    st.from_regex(r"\A[A-Z0-9]{1,8}\Z"),
    st.lists(field_texts, max_size=MAX_FIELDS).map(tuple),
)

# -- mutations of a valid stream -------------------------------------------------------------


@st.composite
def mutated_stream(draw: st.DrawFn) -> bytes:
    """Valid frames, then a handful of line-noise edits anywhere in them."""
    data = bytearray(b"".join(encode(f) for f in draw(st.lists(frames, min_size=1, max_size=6))))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            data += encode(draw(frames))
        pos = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(
            ["flip", "cut", "splice", "delete", "double", "crc", "dollar", "lf", "cr", "long"]
        ))  # fmt: skip
        if edit == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[pos:]
        elif edit == "splice":
            data[pos:pos] = draw(st.one_of(st.binary(max_size=40), frames.map(encode)))
        elif edit == "delete":
            del data[pos : pos + draw(st.integers(1, 20))]
        elif edit == "double":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 60))]
        elif edit == "crc":
            star = data.rfind(b"*", 0, pos + 1)
            if star >= 0:
                hexes = draw(st.text("0123456789ABCDEFabcdefG ", min_size=0, max_size=6))
                data[star + 1 : star + 5] = hexes.encode()
        elif edit == "long":
            data[pos:pos] = b"x" * draw(st.integers(MAX_FRAME_BYTES - 20, MAX_FRAME_BYTES + 20))
        else:
            data.insert(pos, {"dollar": 0x24, "lf": 0x0A, "cr": 0x0D}[edit])
    return bytes(data)


def _tally(items: list[Any]) -> Counter[str]:
    return Counter(i.kind if not isinstance(i, Frame) else "frames" for i in items)


def check_decoder(case: tuple[bytes, list[int]]) -> None:
    """Mutated frames, fed in chunks, then a valid frame: never raises, the next frame is never
    lost, every accepted frame is a valid one, counters match what was reported, the buffer
    stays bounded, and the chunking does not change the result."""
    stream, sizes = case
    decoder = Decoder()
    items: list[Any] = []
    pos = 0
    for size in [*sizes, len(stream)]:
        items += decoder.feed(stream[pos : pos + size])
        assert len(decoder._buf) < MAX_FRAME_BYTES, "decoder buffer grew past a frame"
        pos += size
    tail = decoder.feed(encode(SENTINEL))
    assert tail and tail[-1] == SENTINEL, f"valid frame after the noise lost: {tail!r}"
    items += tail
    tally = _tally(items)
    stats = decoder.stats
    assert stats["bytes"] == len(stream) + len(encode(SENTINEL)), "byte counter off"
    assert stats["frames"] == tally["frames"], "frame counter off"
    for kind in ERROR_KINDS:
        assert stats[kind] == tally[kind], f"{kind} counter {stats[kind]} != {tally[kind]} reported"
    garbage = sum(int(i.detail.split()[0]) for i in items if getattr(i, "kind", "") == "garbage")
    assert stats["garbage_bytes"] == garbage, "garbage byte counter off"
    assert set(stats) <= {"bytes", "frames", "garbage_bytes", *ERROR_KINDS}, f"counters: {stats}"
    for item in items:
        if isinstance(item, Frame):
            assert Decoder().feed(encode(item)) == [item], f"accepted an invalid frame {item!r}"
        else:
            assert item.kind in ERROR_KINDS and item.detail
    whole = Decoder().feed(stream + encode(SENTINEL))
    assert whole == items, "chunking changed the result"


# -- the session fed hostile frames ----------------------------------------------------------

BOOT = "B0070001"
_VALID: list[Message] = [
    Hello(1, Role.BRIDGE, BOOT, "bridge"), Ring(), Answered(), Rx(True), Rx(False),
    Tx(True, TxReason.KEY), Tx(False, TxReason.UNKEY), Hb(1000), Ack(0), Ack(1),
    Err(0, "BADSTATE", "no"), Unkey(UnkeyReason.PTT), Hello(2, Role.BRIDGE, BOOT, "v2"),
    Hello(1, Role.COPROC, "0000C0DE", "coproc"), Hello(1, Role.BRIDGE, "B0070002", "reboot"),
]  # fmt: skip
_TYPES = sorted(MESSAGE_TYPES)


@st.composite
def hostile_frame(draw: st.DrawFn) -> Frame:
    """A frame that passes the codec: a valid message, or one with its fields tampered with."""
    base = message_frame(draw(st.integers(0, 0xFFFF)), draw(st.sampled_from(_VALID)))
    fields = list(base.fields)
    how = draw(st.sampled_from(["keep", "keep", "field", "drop", "add", "type", "random"]))
    if how == "field" and fields:
        fields[draw(st.integers(0, len(fields) - 1))] = draw(field_texts)
    elif how == "drop" and fields:
        fields.pop()
    elif how == "add":
        fields.append(draw(field_texts))
    elif how == "type":
        return Frame(base.seq, draw(st.sampled_from(_TYPES)), tuple(fields))
    elif how == "random":
        return draw(frames)
    return Frame(base.seq, base.type, tuple(fields))


session_steps = st.lists(
    st.tuples(
        st.one_of(hostile_frame().map(encode), mutated_stream(), st.just(b"")),
        st.floats(0.0, 2.0),
    ),
    min_size=1,
    max_size=25,
)


def _check_consistent(s: LinkSession) -> None:
    in_flight = sum(1 for p in s._pending.values() if p.due is not None)
    assert s._in_flight == in_flight, f"in-flight count {s._in_flight} != {in_flight}"
    assert s._hello_seq is None or s._hello_seq in s._pending, "HELLO lost from pending"
    assert len(s._seen) == len(s._seen_order) <= s.window, "dedupe window inconsistent"
    assert not s.is_up or s.peer is not None, "up without a peer"
    assert s.next_deadline() is not None


def _sent_frames(s: LinkSession) -> list[Frame]:
    items = Decoder().feed(s.data_to_send())
    assert all(isinstance(i, Frame) for i in items), f"session sent a bad frame: {items!r}"
    return [i for i in items if isinstance(i, Frame)]


def check_session(steps: list[tuple[bytes, float]]) -> None:
    """Whatever frames arrive, the session never raises, keeps its books consistent, sends only
    valid frames, and afterwards still links up with a well-behaved bridge and delivers."""
    term = LinkSession(Role.TERMINAL, "desk", "0000000A", heartbeat_s=1.0, link_timeout_s=3.5,
                       ack_timeout_s=0.3, max_retries=2, peer_roles={Role.BRIDGE})  # fmt: skip
    now = 0.0
    term.start(now)
    term.send(Unkey(UnkeyReason.PTT), now)
    for data, dt in steps:
        now += dt
        events: list[Event] = term.receive(data, now) + term.poll(now)
        assert all(type(e).__module__ == "hw.wire.session" for e in events)
        _check_consistent(term)
        _sent_frames(term)
    # A real bridge (new boot) on a clean wire: the link comes up and a RING is delivered once.
    bridge = LinkSession(Role.BRIDGE, "bridge", "B0070009", heartbeat_s=1.0, link_timeout_s=3.5,
                         ack_timeout_s=0.3, max_retries=2)  # fmt: skip
    bridge.start(now)
    bridge.send(Ring(), now)
    got: list[Event] = []
    for _ in range(200):
        now += 0.1
        got += term.receive(bridge.data_to_send(), now) + term.poll(now)
        bridge.receive(term.data_to_send(), now)
        bridge.poll(now)
        if term.is_up and bridge.is_up and not bridge.pending():
            break
    _check_consistent(term)
    rings = [e for e in got if isinstance(e, MessageReceived) and isinstance(e.msg, Ring)]
    assert term.is_up and bridge.is_up, "link does not come up after the hostile input"
    assert len(rings) == 1, f"RING delivered {len(rings)} times"


TARGETS = [
    Target(
        "codec_mutated_frames",
        st.tuples(mutated_stream(), st.lists(st.integers(1, 80), max_size=20)),
        check_decoder,
    ),
    Target("session_hostile_frames", session_steps, check_session),
]
