"""Call recording: while a call is connected the input device goes to a WAV file per call.

`start_recording`, `mark_transmission` and `stop_recording` are called on the loop thread and do
no file I/O beyond choosing the name: the writer thread makes the files. The PortAudio callback
only hands its buffer to the writer's queue (or counts an overrun when too many are waiting).

If the input device is missing when the call connects, or vanishes during it, the call goes on:
the host reports the fault, and when the device is back the recording continues in the same file
with a `resume` mark where the join is. Offsets are frames into the file; a buffer lost to an
overrun is written as silence, so later offsets stay true to the audio around them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from hw.audio.host import AudioHost, StreamSlot
from hw.audio.marks import MarkKind, RecordingInfo, Transmission, receptions, resumes, transmissions
from hw.audio.naming import WAV_SUFFIX, recording_stem
from hw.audio.recordings import enforce_retention
from hw.audio.wavfile import WavFormat
from hw.audio.writer import RecordingWriter

log = logging.getLogger(__name__)

FRAMES_PER_BUFFER = 320  # 20 ms at 16 kHz
QUEUE_SECONDS = 3.0  # how far the writer may fall behind before buffers are dropped


class _Current:
    """The recording in progress (loop thread)."""

    def __init__(
        self, generation: int, call_id: int, path: Path, overruns_at: int, started: datetime
    ) -> None:
        self.generation = generation
        self.call_id = call_id
        self.path = path
        self.overruns_at = overruns_at
        self.started = started
        self.marks: list[tuple[MarkKind, int]] = []


@dataclass(frozen=True, slots=True)
class RecordingState:
    """The current recording (`live`) or the last one, as far as the loop thread knows it: what
    instant recall draws on, with no file I/O."""

    call_id: int
    path: Path
    started: datetime  # UTC, at frame 0
    rate: int
    frames: int
    receptions: tuple[Transmission, ...]
    live: bool


class CallRecorder:
    """Records the input device to one WAV per call; see the module docstring."""

    def __init__(
        self,
        host: AudioHost,
        device: str | int,
        rate: int,
        *,
        frames_per_buffer: int = FRAMES_PER_BUFFER,
        queue_blocks: int | None = None,
        max_bytes: int | None = None,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.host = host
        self.rate = rate
        self.max_bytes = max_bytes
        self.utcnow = utcnow
        self.queue_blocks = queue_blocks or max(1, round(QUEUE_SECONDS * rate / frames_per_buffer))
        self.writer = RecordingWriter(
            WavFormat(rate), on_fault=lambda text: host.report("recording", text)
        )
        self.slot = host.add(
            StreamSlot(
                "microphone", "input", device, rate, frames_per_buffer,
                process=self._process, wanted=self._wanted, on_open=self._on_open,
            )
        )  # fmt: skip
        self._generations = 0
        self._current: _Current | None = None
        self._last: RecordingState | None = None
        self._live: int | None = None  # generation the callback records (loop writes it)
        # written only by the PortAudio thread:
        self._progress: tuple[int, int] = (0, 0)  # (generation, frames counted)
        self._gap = 0
        self._sent = 0
        self.overruns = 0

    # --- the loop thread ---

    @property
    def recording(self) -> Path | None:
        """The file being recorded, if any."""
        return self._current.path if self._current is not None else None

    @property
    def frames(self) -> int:
        """Frames of the current recording so far (buffers lost to overruns included); 0 if idle."""
        current = self._current
        return self._frames(current.generation) if current is not None else 0

    def start_recording(self, call_id: int, directory: Path) -> Path:
        """Record call `call_id` into a new WAV in `directory`; returns its path."""
        if self._current is not None:
            log.warning("call %d still recording; closing it first", self._current.call_id)
            self.stop_recording()
        started = self.utcnow()
        path = self._free_path(call_id, directory, started)
        self._generations += 1
        generation = self._generations
        self._current = _Current(generation, call_id, path, self.overruns, started)
        self.writer.open(generation, path)
        self._live = generation
        self.host.wake()
        return path

    def mark_transmission(self, edge: Literal["start", "end"]) -> int | None:
        """Note that a transmission started or ended now; its frame offset, or None if idle."""
        current = self._current
        if current is None:
            return None
        return self._mark(current, "tx_start" if edge == "start" else "tx_end")

    def mark_reception(self, edge: Literal["start", "end"]) -> int | None:
        """Note that the far end started or stopped transmitting (RX) now; its frame offset, or
        None if idle."""
        current = self._current
        if current is None:
            return None
        return self._mark(current, "rx_start" if edge == "start" else "rx_end")

    def state(self) -> RecordingState | None:
        """The recording in progress, or else the last one finished (None before the first)."""
        current = self._current
        if current is None:
            return self._last
        return self._state(current, self._frames(current.generation), live=True)

    def _state(self, current: _Current, frames: int, *, live: bool) -> RecordingState:
        return RecordingState(
            current.call_id, current.path, current.started, self.rate, frames,
            receptions(current.marks), live,
        )  # fmt: skip

    def stop_recording(self, open_calls: Collection[int] = ()) -> RecordingInfo | None:
        """End the recording; its path, length and marks (None if none was running).

        The file is finished on the writer thread; with `max_bytes` set, retention runs there
        afterwards, sparing `open_calls`.
        """
        current = self._current
        if current is None:
            return None
        self._live = None
        self._current = None
        frames = self._frames(current.generation)
        after = None
        if self.max_bytes is not None:
            directory, cap, spare = current.path.parent, self.max_bytes, set(open_calls)
            after = lambda: self._retain(directory, cap, spare)  # noqa: E731
        self.writer.close(current.generation, frames, after)
        self.host.wake()
        self._last = self._state(current, frames, live=False)
        return RecordingInfo(
            current.path,
            frames,
            self.rate,
            transmissions(current.marks),
            resumes(current.marks),
            self.overruns - current.overruns_at,
            receptions(current.marks),
        )

    def close(self, timeout_s: float = 5.0) -> bool:
        """Finish any recording and stop the writer thread."""
        self.stop_recording()
        return self.writer.stop(timeout_s)

    def _free_path(self, call_id: int, directory: Path, started: datetime) -> Path:
        repeat = 1
        while True:
            path = directory / (recording_stem(call_id, started, repeat) + WAV_SUFFIX)
            if not path.exists():
                return path
            repeat += 1

    def _frames(self, generation: int) -> int:
        seen, frames = self._progress
        return frames if seen == generation else 0

    def _mark(self, current: _Current, kind: MarkKind) -> int:
        frame = self._frames(current.generation)
        current.marks.append((kind, frame))
        self.writer.mark(current.generation, kind, frame)
        return frame

    def _retain(self, directory: Path, cap: int, spare: set[int]) -> None:
        current = self._current
        if current is not None:
            spare = spare | {current.call_id}
        enforce_retention(directory, cap, spare)

    # --- the supervisor thread ---

    def _wanted(self) -> bool:
        return self._live is not None

    def _on_open(self) -> None:
        current = self._current
        if current is None:
            return
        frame = self._frames(current.generation)
        if frame > 0 and (not current.marks or current.marks[-1] != ("resume", frame)):
            self._mark(current, "resume")
            log.warning("recording of call %d resumed at %.1f s", current.call_id,
                        frame / self.rate)  # fmt: skip

    # --- the PortAudio thread ---

    def _process(self, data: bytes | None, frames: int) -> None:
        generation = self._live
        if generation is None or data is None:
            return None
        seen, counted = self._progress
        if seen != generation:
            counted, self._gap = 0, 0
        if self._sent - self.writer.taken >= self.queue_blocks:
            self.overruns += 1
            self._gap += frames
        else:
            self.writer.put_data(generation, self._gap, data)
            self._sent += 1
            self._gap = 0
        self._progress = (generation, counted + frames)
        return None


class NullRecorder:
    """No recording (audio disabled): the calls go on, nothing is written."""

    recording: Path | None = None

    def start_recording(self, call_id: int, directory: Path) -> Path | None:
        """Nothing is recorded."""
        return None

    def mark_transmission(self, edge: Literal["start", "end"]) -> int | None:
        """Nothing is marked."""
        return None

    def mark_reception(self, edge: Literal["start", "end"]) -> int | None:
        """Nothing is marked."""
        return None

    def state(self) -> RecordingState | None:
        """Nothing is recorded."""
        return None

    def stop_recording(self, open_calls: Collection[int] = ()) -> RecordingInfo | None:
        """Nothing was recorded."""
        return None

    def close(self, timeout_s: float = 5.0) -> bool:
        """Nothing to close."""
        return True
