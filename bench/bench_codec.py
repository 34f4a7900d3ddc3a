"""Wire codec throughput on one core, against the frame rate of a saturated 115200-baud line.

Decoding feeds a long stream of identical frames in 4096-byte reads, as a serial port hands them
over; encoding builds each frame's bytes from a Frame. Best of several runs, so the figure is what
the code can do rather than what a busy machine let it do. Goal: at least 100x the line's rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from bench.report import Figure
from hw.wire.codec import Decoder, Frame, encode
from hw.wire.messages import (
    Alert,
    AlertKind,
    Key,
    Severity,
    TrackState,
    decode_message,
    message_frame,
)

BAUD = 115200
BITS_PER_BYTE = 10  # start + 8 data + stop
LINE_BYTES_PER_S = BAUD / BITS_PER_BYTE
GOAL_RATIO = 100.0
GOAL = f">= {GOAL_RATIO:g}x line rate"
READ_SIZE = 4096
STREAM_FRAMES = 20_000
RUNS = 5
SEQ = 12345  # a five-digit seq: the longer, more typical case


def widest_alert() -> Alert:
    """A full-size ALERT: every field at its widest (294 bytes on the wire with seq 65535)."""
    track = TrackState("A" * 24, -89.999999, -179.999999, -1999, -1999.9, -1999.9, -1999.9)
    return Alert(
        2**32 - 1, "P" * 32, AlertKind.TRACK, Severity.CRITICAL,
        datetime(2025, 3, 1, 12, 0, 5, 123000, tzinfo=UTC), track, track,
        1_000_000.0, 101_999, 86_399.9, 1_000_000.0,
    )  # fmt: skip


def _best_rate(work: Callable[[], int]) -> float:
    """Items per second of ``work`` (which returns how many it did), best of RUNS."""
    best = 0.0
    for _ in range(RUNS):
        start = time.perf_counter()
        done = work()
        elapsed = time.perf_counter() - start
        best = max(best, done / elapsed)
    return best


def _decode_rate(data: bytes) -> float:
    stream = data * STREAM_FRAMES
    chunks = [stream[i : i + READ_SIZE] for i in range(0, len(stream), READ_SIZE)]

    def work() -> int:
        decoder = Decoder()
        count = 0
        for chunk in chunks:
            count += len(decoder.feed(chunk))
        if count != STREAM_FRAMES or decoder.stats["frames"] != STREAM_FRAMES:
            raise RuntimeError(f"decoded {count} frames of {STREAM_FRAMES}")
        return count

    return _best_rate(work)


def _encode_rate(frame: Frame, n: int) -> float:
    def work() -> int:
        for _ in range(n):
            encode(frame)
        return n

    return _best_rate(work)


def _message_rate(frame: Frame, n: int) -> float:
    """Frame to typed message and back to bytes: the whole per-message cost above the codec."""
    msg = decode_message(frame)
    seq = frame.seq

    def work() -> int:
        for _ in range(n):
            decode_message(frame)
            message_frame(seq, msg)
        return n

    return _best_rate(work)


def _figure(name: str, rate: float, size: int, goal: str = GOAL) -> Figure:
    line_rate = LINE_BYTES_PER_S / size
    return Figure(
        name,
        round(rate),
        "frames/s",
        goal,
        ratio=round(rate / line_rate, 1),
        ratio_of=f"line rate ({line_rate:.0f} frames/s of {size} bytes at {BAUD} baud)",
    )


def run() -> list[Figure]:
    """Decode and encode rates of KA, KEY and a full-size ALERT."""
    cases = {
        "ka": Frame(SEQ, "KA"),
        "key": message_frame(SEQ, Key(1500)),
        "alert": message_frame(65535, widest_alert()),
    }
    figures = []
    for label, frame in cases.items():
        data = encode(frame)
        figures.append(_figure(f"codec_decode_{label}", _decode_rate(data), len(data)))
    for label, frame in cases.items():
        data = encode(frame)
        figures.append(_figure(f"codec_encode_{label}", _encode_rate(frame, 20_000), len(data)))
    alert = cases["alert"]
    figures.append(
        _figure(
            "message_decode_encode_alert",
            _message_rate(alert, 2_000),
            len(encode(alert)),
            goal="- (typed message layer, for information)",
        )
    )
    return figures
