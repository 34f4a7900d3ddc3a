"""Names of recording files: `call-<id>-<UTC start>.wav` and its `.marks` beside it (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

WAV_SUFFIX = ".wav"
MARKS_SUFFIX = ".marks"
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^call-(\d+)-(\d{8}T\d{6}Z)(?:-(\d+))?$")


@dataclass(frozen=True, slots=True, order=True)
class RecordingName:
    """A recording's stem, parsed: ordered by start time, then call id, then repeat."""

    started: str
    call_id: int
    repeat: int
    stem: str


def recording_stem(call_id: int, started: datetime, repeat: int = 1) -> str:
    """`call-000042-20250301T120005Z` (with `-2`, `-3` ... for a second recording that second)."""
    if call_id < 0:
        raise ValueError(f"call id must not be negative, got {call_id}")
    stamp = started.astimezone(UTC).strftime(_STAMP)
    suffix = f"-{repeat}" if repeat > 1 else ""
    return f"call-{call_id:06d}-{stamp}{suffix}"


def parse_stem(stem: str) -> RecordingName | None:
    """The parts of a recording's stem; None for a name this package did not make."""
    match = _NAME.match(stem)
    if match is None:
        return None
    call_id, started, repeat = match.groups()
    return RecordingName(started, int(call_id), int(repeat or 1), stem)
