"""Which recordings to remove to bring the directory under its size cap (no I/O).

Oldest first by start time (from the file name); never a recording of a call that is still open;
files whose names this package did not make are neither counted nor touched.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from hw.audio.naming import RecordingName


@dataclass(frozen=True, slots=True)
class Stored:
    """One recording on disk: its parsed name and the bytes of its WAV and marks together."""

    name: RecordingName
    size: int


def plan_removals(
    stored: Iterable[Stored], max_bytes: int, open_calls: Collection[int] = ()
) -> list[Stored]:
    """The recordings to delete, oldest first, so the rest total at most `max_bytes`.

    If the open calls alone exceed the cap, every closed recording goes and the open ones stay.
    """
    ordered = sorted(stored, key=lambda s: s.name)
    total = sum(s.size for s in ordered)
    removals: list[Stored] = []
    for item in ordered:
        if total <= max_bytes:
            break
        if item.name.call_id in open_calls:
            continue
        removals.append(item)
        total -= item.size
    return removals
