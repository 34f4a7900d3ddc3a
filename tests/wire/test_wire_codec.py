"""Frame codec: encoding, decoding, resync, limits and error kinds."""

from __future__ import annotations

from binascii import crc_hqx

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wire_helpers import FIELD_ALPHABET, frames

from hw.wire.codec import (
    ERROR_KINDS,
    MAX_FIELDS,
    MAX_FRAME_BYTES,
    Decoder,
    Frame,
    FrameError,
    crc16,
    encode,
)


def raw(body: bytes, crc: int | None = None) -> bytes:
    """A frame around ``body`` with its real CRC (or the one given)."""
    value = crc16(body) if crc is None else crc
    return b"$%s*%04X\r\n" % (body, value)


def kinds(items: list[Frame | FrameError]) -> list[str]:
    return [i.kind if isinstance(i, FrameError) else "frame" for i in items]


def test_crc_parameters_match_the_standard_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1
    assert crc16(b"") == 0xFFFF


def test_encode_known_frames() -> None:
    assert encode(Frame(12, "KEY", ("1500",))) == b"$12,KEY,1500*EAEF\r\n"
    assert encode(Frame(0, "KA")) == raw(b"0,KA")
    assert encode(Frame(5, "X", ("",))) == raw(b"5,X,")
    assert encode(Frame(5, "X", ("", ""))) == raw(b"5,X,,")


@pytest.mark.parametrize(
    "frame",
    [
        Frame(-1, "KA"),
        Frame(65536, "KA"),
        Frame(True, "KA"),
        Frame(1, ""),
        Frame(1, "TOOLONGTYPE"),
        Frame(1, "ka"),
        Frame(1, "KA", ("a,b",)),
        Frame(1, "KA", ("a*b",)),
        Frame(1, "KA", ("a$b",)),
        Frame(1, "KA", ("tab\there",)),
        Frame(1, "KA", ("\u00e9",)),
        Frame(1, "KA", ("",) * (MAX_FIELDS + 1)),
        Frame(1, "KA", ("x" * 600,)),
    ],
)
def test_encode_refuses_unencodable_frames(frame: Frame) -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        encode(frame)


def test_largest_frame_fits_exactly() -> None:
    overhead = len(encode(Frame(65535, "ABCDEFGH", ("",))))
    fits = Frame(65535, "ABCDEFGH", ("x" * (MAX_FRAME_BYTES - overhead),))
    assert len(encode(fits)) == MAX_FRAME_BYTES
    assert Decoder().feed(encode(fits)) == [fits]
    with pytest.raises(ValueError):
        encode(Frame(65535, "ABCDEFGH", ("x" * (MAX_FRAME_BYTES - overhead + 1),)))


def test_decoder_accepts_lf_alone_and_lowercase_crc() -> None:
    frame = Frame(7, "RX", ("1",))
    data = encode(frame)
    assert Decoder().feed(data[:-2] + b"\n") == [frame]
    assert Decoder().feed(data[:-6] + data[-6:-2].lower() + b"\r\n") == [frame]


def test_limits_too_many_fields_and_too_long() -> None:
    decoder = Decoder()
    body = b"1,T" + b"," * (MAX_FIELDS + 1)
    assert kinds(decoder.feed(raw(body))) == ["bad_syntax"]
    ok = b"1,T" + b"," * MAX_FIELDS
    assert kinds(decoder.feed(raw(ok))) == ["frame"]
    long_body = b"1,T," + b"x" * MAX_FRAME_BYTES
    assert kinds(decoder.feed(raw(long_body) + raw(ok))) == ["too_long", "frame"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"hello\r\n", "garbage"),
        (raw(b"1,KA", 0x1234), "bad_crc"),
        (raw(b"01,KA"), "bad_syntax"),
        (raw(b"65536,KA"), "bad_syntax"),
        (raw(b"1,ka"), "bad_syntax"),
        (raw(b"1,TOOLONGTY"), "bad_syntax"),
        (raw(b"1"), "bad_syntax"),
        (raw(b"1,KA,a*b"), "bad_syntax"),
        (raw(b"1,KA,\x01"), "bad_syntax"),
        (raw(b"1,KA,\xe9"), "bad_syntax"),
        (b"$1,KA*12G4\r\n", "bad_syntax"),
        (b"$1,KA\r\n", "bad_syntax"),
        (b"$\r\n", "bad_syntax"),
        (b"$1,KA*" + b"x" * MAX_FRAME_BYTES + b"\r\n", "too_long"),
        (b"$1,KA" + raw(b"2,KA"), "truncated"),
    ],
)
def test_every_error_kind_is_reported_and_counted(data: bytes, kind: str) -> None:
    decoder = Decoder()
    items = decoder.feed(data)
    assert kind in kinds(items)
    bad = next(i for i in items if isinstance(i, FrameError))
    assert bad.kind == kind and bad.detail
    assert decoder.stats[kind] == 1
    assert set(ERROR_KINDS) >= {i.kind for i in items if isinstance(i, FrameError)}


def test_truncated_frame_does_not_hide_the_next() -> None:
    decoder = Decoder()
    good = Frame(2, "KA")
    assert decoder.feed(b"$1,KEY,15" + encode(good)) == [
        FrameError("truncated", "new '$' after 9 bytes of a frame"),
        good,
    ]
    assert decoder.stats["truncated"] == 1
    assert decoder.stats["frames"] == 1


def test_blank_lines_and_stray_cr_are_not_garbage() -> None:
    decoder = Decoder()
    frame = Frame(3, "HB", ("10",))
    assert decoder.feed(b"\r\n\n\r" + encode(frame) + b"\n") == [frame]
    assert decoder.stats["garbage"] == 0


def test_endless_garbage_is_reported_in_bounded_runs() -> None:
    decoder = Decoder()
    items = decoder.feed(b"\x00" * (3 * MAX_FRAME_BYTES + 5))
    assert kinds(items) == ["garbage"] * 3
    assert kinds(decoder.feed(b"\n")) == ["garbage"]
    assert decoder.stats["garbage"] == 4
    assert decoder.stats["garbage_bytes"] == 3 * MAX_FRAME_BYTES + 5, "every byte discarded"


def test_partial_frame_waits_for_more_bytes_and_reset_drops_it() -> None:
    decoder = Decoder()
    data = encode(Frame(9, "CALL"))
    assert decoder.feed(data[:5]) == []
    decoder.reset()
    assert kinds(decoder.feed(data[5:])) == ["garbage"]


def test_long_partial_frame_is_dropped_without_growing_the_buffer() -> None:
    decoder = Decoder()
    items = decoder.feed(b"$1,KA," + b"x" * 2000)
    assert kinds(items) == ["too_long"]
    assert len(decoder._buf) < MAX_FRAME_BYTES
    # The rest of the over-long frame is not garbage; the next frame is decoded.
    assert decoder.feed(b"yyyy" + encode(Frame(2, "KA"))) == [Frame(2, "KA")]
    assert decoder.stats["garbage"] == 0


@given(frames)
def test_round_trip(frame: Frame) -> None:
    data = encode(frame)
    assert len(data) <= MAX_FRAME_BYTES
    assert data.endswith(b"\r\n") and data.count(b"$") == 1
    assert all(0x20 <= c < 0x7F for c in data[:-2])
    assert Decoder().feed(data) == [frame]


@given(st.lists(frames, min_size=1, max_size=5), st.data())
def test_split_at_every_byte_boundary_decodes_the_same(frames_: list[Frame], data) -> None:
    stream = b"".join(encode(f) for f in frames_)
    cut = data.draw(st.integers(0, len(stream)))
    decoder = Decoder()
    assert decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) == frames_


def test_one_frame_split_at_every_boundary() -> None:
    frame = Frame(65535, "ALERT", tuple(f"f{i}" for i in range(MAX_FIELDS)))
    data = encode(frame)
    for cut in range(len(data) + 1):
        decoder = Decoder()
        assert decoder.feed(data[:cut]) + decoder.feed(data[cut:]) == [frame], cut
    decoder = Decoder()
    assert [x for b in data for x in decoder.feed(bytes([b]))] == [frame]


@given(st.binary(max_size=2000), frames)
def test_garbage_never_raises_nor_hides_the_next_frame(junk: bytes, frame: Frame) -> None:
    decoder = Decoder()
    items = decoder.feed(junk)
    items += decoder.feed(b"\n" if junk.count(b"$") else b"")  # an open '$' needs ending
    assert len(decoder._buf) < MAX_FRAME_BYTES
    after = decoder.feed(encode(frame))
    assert after[-1] == frame


@given(st.binary(max_size=1500), frames)
def test_garbage_then_dollar_resyncs_without_a_newline(junk: bytes, frame: Frame) -> None:
    decoder = Decoder()
    items = decoder.feed(junk + encode(frame))
    assert items[-1] == frame
    assert all(isinstance(i, FrameError) for i in items[:-1])


@given(st.binary(max_size=3000), st.lists(st.integers(1, 64), max_size=50))
def test_chunking_never_changes_the_result(stream: bytes, sizes: list[int]) -> None:
    whole = Decoder()
    expected = whole.feed(stream)
    chunked = Decoder()
    got: list[Frame | FrameError] = []
    pos = 0
    for size in [*sizes, len(stream)]:
        got += chunked.feed(stream[pos : pos + size])
        assert len(chunked._buf) < MAX_FRAME_BYTES
        pos += size
    assert got == expected
    assert chunked.stats == whole.stats


@given(st.lists(st.sampled_from([b"$", b"*", b",", b"\r", b"\n", b"1", b"A", b"0,KA"])))
def test_frame_like_noise_never_raises(parts: list[bytes]) -> None:
    decoder = Decoder()
    for item in decoder.feed(b"".join(parts)):
        assert isinstance(item, Frame | FrameError)


@given(st.text(FIELD_ALPHABET, max_size=50))
def test_crc_is_crc_hqx_over_the_body(text: str) -> None:
    body = f"1,T,{text}".encode()
    data = encode(Frame(1, "T", (text,)))
    assert data == b"$" + body + b"*%04X\r\n" % crc_hqx(body, 0xFFFF)


def test_single_bit_errors_are_caught() -> None:
    data = bytearray(encode(Frame(42, "UNKEY", ("PTT",))))
    for i in range(1, len(data) - 2):
        for bit in range(7):
            corrupt = bytearray(data)
            corrupt[i] ^= 1 << bit
            if corrupt[i] in b"$\r\n":
                continue
            items = Decoder().feed(bytes(corrupt))
            decoded = [x for x in items if isinstance(x, Frame)]
            if i >= len(data) - 6:
                # In the CRC digits only a letter's case flip passes, with the same frame.
                assert decoded in ([], [Frame(42, "UNKEY", ("PTT",))]), (i, bit)
                assert decoded == [] or bit == 5
            else:
                assert decoded == [], (i, bit)


@pytest.mark.parametrize("length", [510, 511, 512, 513])
def test_length_limit_is_exact_whatever_the_chunking(length: int) -> None:
    # ``length`` bytes from '$' up to, not including, the LF; the frame is length + 1 bytes.
    prefix = b"1,T,"
    field = b"x" * (length - len(prefix) - 6 - 1)
    frame = b"$" + prefix + field + b"*%04X" % crc16(prefix + field) + b"\r"
    assert len(frame) == length
    expected = ["frame"] if length + 1 <= MAX_FRAME_BYTES else ["too_long"]
    assert kinds(Decoder().feed(frame + b"\n")) == expected
    decoder = Decoder()
    items = [x for b in frame + b"\n" for x in decoder.feed(bytes([b]))]
    assert kinds(items) == expected
    assert len(decoder._buf) < MAX_FRAME_BYTES
