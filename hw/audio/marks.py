"""What a recording holds besides samples: its transmissions and resumptions (no I/O).

The recorder appends one line per mark to `<stem>.marks` as it happens (`tx_start 16000`,
`tx_end 48000`, `rx_start 60000`, `rx_end 90000`, `resume 52000`: a frame offset into the WAV), so
the marks survive a crash with the samples. `tx_*` are the operator's own transmissions, `rx_*` the
far end's (the bridge's RX reports). Readers skip kinds they do not know, so a file from an older
desk (no `rx_*`) reads as a recording with no receptions marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MarkKind = Literal["tx_start", "tx_end", "rx_start", "rx_end", "resume"]
MARK_KINDS: tuple[MarkKind, ...] = ("tx_start", "tx_end", "rx_start", "rx_end", "resume")


@dataclass(frozen=True, slots=True)
class Transmission:
    """One transmission within a recording, as frame offsets; `end` None if it never ended."""

    start: int
    end: int | None


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """A finished (or repaired) recording: file, length in frames, marks, lost buffers; `receptions`
    are the far end's transmissions (RX), `transmissions` the operator's own."""

    path: Path
    frames: int
    rate: int
    transmissions: tuple[Transmission, ...] = ()
    resumes: tuple[int, ...] = ()
    overruns: int = 0
    receptions: tuple[Transmission, ...] = ()

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return self.frames / self.rate if self.rate else 0.0


def mark_line(kind: MarkKind, frame: int) -> str:
    """One line of a marks file."""
    return f"{kind} {frame}\n"


def parse_marks(text: str) -> list[tuple[MarkKind, int]]:
    """The marks in a marks file, skipping lines it cannot read and a last line with no newline
    (torn by a crash: `tx_end 12` may have been `tx_end 1234`)."""
    marks: list[tuple[MarkKind, int]] = []
    lines = text.split("\n")[:-1]  # the piece after the last newline is torn or empty
    for line in lines:
        parts = line.split()
        if len(parts) != 2 or parts[0] not in MARK_KINDS or not parts[1].isdigit():
            continue
        marks.append((parts[0], int(parts[1])))
    return marks


def transmissions(marks: Iterable[tuple[MarkKind, int]]) -> tuple[Transmission, ...]:
    """The operator's own transmissions: starts paired with ends; an end with no start is
    ignored, a start with no end stays open."""
    return _pairs(marks, "tx_start", "tx_end")


def receptions(marks: Iterable[tuple[MarkKind, int]]) -> tuple[Transmission, ...]:
    """The far end's transmissions (RX), paired as `transmissions` pairs the operator's."""
    return _pairs(marks, "rx_start", "rx_end")


def _pairs(
    marks: Iterable[tuple[MarkKind, int]], start: MarkKind, end: MarkKind
) -> tuple[Transmission, ...]:
    done: list[Transmission] = []
    open_at: int | None = None
    for kind, frame in marks:
        if kind == start:
            if open_at is not None:
                done.append(Transmission(open_at, None))
            open_at = frame
        elif kind == end and open_at is not None:
            done.append(Transmission(open_at, frame))
            open_at = None
    if open_at is not None:
        done.append(Transmission(open_at, None))
    return tuple(done)


def resumes(marks: Iterable[tuple[MarkKind, int]]) -> tuple[int, ...]:
    """Where the input device came back after a loss."""
    return tuple(frame for kind, frame in marks if kind == "resume")
