"""Fuzz: damaged valid frames into the decoder, hostile frames into a link session."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from bench.fuzzing.codec import TARGETS, check_decoder
from hw.wire.codec import Decoder, Frame, encode

SUITE = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
BY_NAME = {t.name: t for t in TARGETS}


@SUITE
@given(BY_NAME["codec_mutated_frames"].strategy)
def test_mutated_frames_never_hide_the_next_and_counters_add_up(case: Any) -> None:
    check_decoder(case)


@settings(SUITE, max_examples=25)
@given(BY_NAME["session_hostile_frames"].strategy)
def test_hostile_frames_leave_the_session_consistent_and_able_to_link(steps: Any) -> None:
    BY_NAME["session_hostile_frames"].check(steps)


def test_too_long_frame_reads_the_same_whole_or_in_pieces() -> None:
    # Found by `make fuzz`: a terminated 513-byte frame said "513 bytes > 512" when read whole
    # and "no terminator in 512 bytes" when read a byte at a time.
    data = b"$" + b"x" * 502 + b"0,0*7CE1\r\n"
    stream = data + encode(Frame(1, "KA"))
    whole = Decoder().feed(stream)
    pieces = Decoder()
    bytewise = [item for b in stream for item in pieces.feed(bytes([b]))]
    assert whole == bytewise
    assert [type(i).__name__ for i in whole] == ["FrameError", "Frame"]

