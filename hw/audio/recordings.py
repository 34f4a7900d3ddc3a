"""The recordings directory on disk: mend recordings a crash cut short, keep it under its cap.

Both run at start-up, before the first call is recorded (`repair_recordings` must not be pointed at
a recording still being written); retention runs again after each recording closes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from pathlib import Path

from hw.audio.marks import RecordingInfo, parse_marks, receptions, resumes, transmissions
from hw.audio.naming import MARKS_SUFFIX, WAV_SUFFIX, parse_stem
from hw.audio.retention import Stored, plan_removals
from hw.audio.wavfile import HEADER_SIZE, WavError, WavFormat, parse_header, repair_plan

log = logging.getLogger(__name__)

RECORDINGS_DIR = "recordings"


def recordings_dir(log_directory: Path) -> Path:
    """Where recordings go: `recordings/` beside the log."""
    return log_directory / RECORDINGS_DIR


def _wavs(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir()
        if p.suffix == WAV_SUFFIX and parse_stem(p.stem) is not None and p.is_file()
    )  # fmt: skip


def read_recording(wav: Path) -> RecordingInfo:
    """A recording's length (from its header) and marks (from its marks file)."""
    with wav.open("rb") as f:
        fmt, data = parse_header(f.read(HEADER_SIZE))
    marks = parse_marks(_read_marks_text(wav))
    return RecordingInfo(
        wav, data // fmt.block_align, fmt.rate, transmissions(marks), resumes(marks),
        receptions=receptions(marks),
    )  # fmt: skip


def _read_marks_text(wav: Path) -> str:
    try:
        return wav.with_suffix(MARKS_SUFFIX).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def repair_recording(wav: Path, fallback_rate: int) -> RecordingInfo | None:
    """Mend one recording in place; its info if it needed mending, None if it was whole."""
    with wav.open("r+b") as f:
        head = f.read(HEADER_SIZE)
        size = os.fstat(f.fileno()).st_size
        plan = repair_plan(head, size, WavFormat(fallback_rate))
        if plan is None:
            return None
        f.truncate(plan.truncate_to)
        f.seek(0)
        f.write(plan.header)
        f.flush()
        os.fsync(f.fileno())
    fmt, _ = parse_header(plan.header)
    marks = parse_marks(_read_marks_text(wav))
    return RecordingInfo(
        wav, plan.frames, fmt.rate, transmissions(marks), resumes(marks),
        receptions=receptions(marks),
    )  # fmt: skip


def repair_recordings(directory: Path, fallback_rate: int = 16000) -> list[RecordingInfo]:
    """Mend every recording in `directory` a crash or power loss left without a valid header.

    Each becomes a valid WAV of every whole frame that reached the disk; its marks are kept.
    `fallback_rate` is used only where the header itself was lost. Returns what was mended.
    """
    mended: list[RecordingInfo] = []
    for wav in _wavs(directory):
        try:
            info = repair_recording(wav, fallback_rate)
        except (OSError, WavError) as exc:
            log.error("recording %s could not be repaired: %s", wav.name, exc)
            continue
        if info is not None:
            log.warning("recording %s was cut short; repaired: %.1f s", wav.name, info.seconds)
            mended.append(info)
    return mended


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def enforce_retention(
    directory: Path, max_bytes: int, open_calls: Collection[int] = ()
) -> list[Path]:
    """Delete the oldest recordings (WAV and marks) until the directory is within `max_bytes`,
    never one of `open_calls`. Returns the WAVs deleted."""
    stored = []
    for wav in _wavs(directory):
        name = parse_stem(wav.stem)
        if name is not None:
            stored.append(Stored(name, _size(wav) + _size(wav.with_suffix(MARKS_SUFFIX))))
    removed: list[Path] = []
    for item in plan_removals(stored, max_bytes, open_calls):
        wav = directory / (item.name.stem + WAV_SUFFIX)
        try:
            wav.unlink(missing_ok=True)
            wav.with_suffix(MARKS_SUFFIX).unlink(missing_ok=True)
        except OSError as exc:
            log.error("could not remove recording %s: %s", wav.name, exc)
            continue
        removed.append(wav)
    if removed:
        log.info("recordings over %d MB: removed %d oldest", max_bytes >> 20, len(removed))
    return removed
