"""The WAV header of a recording, and how to mend one a crash left behind (no I/O).

A recording is a canonical 44-byte PCM header followed by the samples, nothing after them. The
header is written first with a zero length and rewritten as the file grows and when it closes, so
a file cut short by a crash or a power loss is mended from its size alone: the data is everything
after byte 44, rounded down to whole frames.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER_SIZE = 44
MAX_DATA = 0xFFFFFFFF - 36
_LAYOUT = struct.Struct("<4sI4s4sIHHIIHH4sI")


class WavError(ValueError):
    """The bytes are not a header this package writes."""


@dataclass(frozen=True, slots=True)
class WavFormat:
    """Sample format of a recording: PCM, little-endian."""

    rate: int
    channels: int = 1
    bits: int = 16

    @property
    def block_align(self) -> int:
        """Bytes per frame."""
        return self.channels * self.bits // 8

    @property
    def byte_rate(self) -> int:
        """Bytes per second."""
        return self.rate * self.block_align


@dataclass(frozen=True, slots=True)
class Repair:
    """What to do to a damaged file: cut it to `truncate_to` bytes, write `header` at 0."""

    header: bytes
    truncate_to: int
    frames: int
    rebuilt: bool  # the header itself was lost and was rebuilt from the fallback format


def header(fmt: WavFormat, data_bytes: int) -> bytes:
    """The 44-byte header for `data_bytes` bytes of samples."""
    data_bytes = min(max(data_bytes, 0), MAX_DATA)
    return _LAYOUT.pack(
        b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, fmt.channels, fmt.rate,
        fmt.byte_rate, fmt.block_align, fmt.bits, b"data", data_bytes,
    )  # fmt: skip


def parse_header(head: bytes) -> tuple[WavFormat, int]:
    """The format and declared data length of a header this package wrote."""
    if len(head) < HEADER_SIZE:
        raise WavError(f"header is {len(head)} bytes, needs {HEADER_SIZE}")
    riff, _size, wave, fmt_id, fmt_len, codec, channels, rate, _br, align, bits, data_id, size = (
        _LAYOUT.unpack(head[:HEADER_SIZE])
    )
    if (riff, wave, fmt_id, data_id) != (b"RIFF", b"WAVE", b"fmt ", b"data"):
        raise WavError("not a canonical RIFF/WAVE header")
    fmt = WavFormat(rate, channels, bits)
    if fmt_len != 16 or codec != 1 or rate <= 0 or channels <= 0 or bits % 8 or bits <= 0:
        raise WavError("not a plain PCM format chunk")
    if align != fmt.block_align:
        raise WavError("block align does not match channels and bits")
    return fmt, size


def repair_plan(head: bytes, file_size: int, fallback: WavFormat) -> Repair | None:
    """How to make a file whose first bytes are `head` and size `file_size` a valid WAV holding
    every whole frame it has; None if it already is one.

    A header that never reached the disk (a short file, or zeros after a power loss) is rebuilt
    with `fallback`. A file whose header is neither ours nor blank raises WavError: not ours to cut.
    """
    try:
        fmt, declared = parse_header(head)
        rebuilt = False
    except WavError:
        blank = not head[:HEADER_SIZE].strip(b"\0")
        if not blank and file_size >= HEADER_SIZE:
            raise
        fmt, declared, rebuilt = fallback, -1, True
    data = max(file_size - HEADER_SIZE, 0)
    data -= data % fmt.block_align
    data = min(data, MAX_DATA)
    fixed = header(fmt, data)
    whole = file_size == HEADER_SIZE + data
    if not rebuilt and declared == data and head[:HEADER_SIZE] == fixed and whole:
        return None
    return Repair(fixed, HEADER_SIZE + data, data // fmt.block_align, rebuilt)
