"""WAV headers and their repair from the file size, checked with the standard `wave` module."""

from __future__ import annotations

import io
import wave

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hw.audio.wavfile import HEADER_SIZE, WavError, WavFormat, header, parse_header, repair_plan

FMT = WavFormat(16000)


def read_with_wave(data: bytes) -> tuple[int, int, int, int, bytes]:
    with wave.open(io.BytesIO(data)) as w:
        frames = w.readframes(w.getnframes())
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes(), frames


def apply(data: bytes, fallback: WavFormat = FMT) -> bytes:
    plan = repair_plan(data[:HEADER_SIZE], len(data), fallback)
    if plan is None:
        return data
    return plan.header + data[HEADER_SIZE : plan.truncate_to]


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_the_header_is_what_wave_reads(rate: int) -> None:
    samples = bytes(range(200))
    data = header(WavFormat(rate), len(samples)) + samples
    assert read_with_wave(data) == (1, 2, rate, 100, samples)
    assert parse_header(data) == (WavFormat(rate), 200)


def test_a_whole_file_needs_no_repair() -> None:
    data = header(FMT, 6) + b"abcdef"
    assert repair_plan(data[:HEADER_SIZE], len(data), FMT) is None


@given(st.binary(max_size=3000), st.integers(0, 100))
def test_a_file_cut_anywhere_is_mended_to_its_whole_frames(samples: bytes, declared: int) -> None:
    """The header said `declared` bytes (0 when the crash came before the first update)."""
    data = header(FMT, declared) + samples
    mended = apply(data)
    channels, width, rate, frames, body = read_with_wave(mended)
    assert (channels, width, rate) == (1, 2, 16000)
    assert frames == len(samples) // 2
    assert body == samples[: frames * 2]
    assert apply(mended) == mended  # mending twice changes nothing


@given(st.integers(0, HEADER_SIZE - 1))
def test_a_header_that_never_reached_the_disk_is_rebuilt(size: int) -> None:
    data = header(FMT, 0)[:size]
    plan = repair_plan(data, size, WavFormat(8000))
    assert plan is not None and plan.rebuilt and plan.frames == 0
    assert read_with_wave(plan.header)[2:4] == (8000, 0)


def test_a_zeroed_header_after_power_loss_is_rebuilt_keeping_the_data() -> None:
    data = bytes(HEADER_SIZE) + b"\x01\x02\x03\x04\x05"
    plan = repair_plan(data[:HEADER_SIZE], len(data), FMT)
    assert plan is not None and plan.rebuilt and plan.frames == 2
    assert read_with_wave(apply(data))[4] == b"\x01\x02\x03\x04"


def test_a_foreign_file_is_left_alone() -> None:
    data = b"ID3\x03" + bytes(100)
    with pytest.raises(WavError):
        repair_plan(data[:HEADER_SIZE], len(data), FMT)


@pytest.mark.parametrize(
    ("offset", "value"),
    [(0, b"RIFX"), (20, b"\x03\x00"), (22, b"\x00\x00"), (32, b"\x07\x00")],
)
def test_headers_we_did_not_write_are_refused(offset: int, value: bytes) -> None:
    data = bytearray(header(FMT, 0))
    data[offset : offset + len(value)] = value
    with pytest.raises(WavError):
        parse_header(bytes(data))


def test_a_stereo_file_is_cut_to_whole_frames() -> None:
    fmt = WavFormat(16000, channels=2)
    data = header(fmt, 0) + bytes(11)
    plan = repair_plan(data[:HEADER_SIZE], len(data), FMT)
    assert plan is not None and plan.frames == 2 and plan.truncate_to == HEADER_SIZE + 8
