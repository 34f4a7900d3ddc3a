"""The recording writer: a thread that turns queued buffers into a WAV file and a marks file.

The PortAudio callback hands buffers over with `put_data`, which never blocks: the queue is a
`SimpleQueue` bounded by the recorder, which counts what it sent against `taken` here (each counter
has one writing thread, so no lock is needed) and drops a buffer — an overrun — when too many are
waiting. A dropped buffer becomes the same length of silence (`gap`), so the marks stay in step.

The header is rewritten about once a second of audio and the file flushed to the OS, so a crash
loses at most that much and `repair_recordings` mends the rest; closing rewrites it, fsyncs, and
runs the `after` hook (retention) on this thread.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from hw.audio.marks import MarkKind, mark_line
from hw.audio.naming import MARKS_SUFFIX
from hw.audio.wavfile import HEADER_SIZE, WavFormat, header

log = logging.getLogger(__name__)

OVERRUN_LOG_EVERY_S = 5.0


class _Open:
    """The recording being written (writer thread only)."""

    def __init__(self, generation: int, path: Path, wav: IO[bytes]) -> None:
        self.generation = generation
        self.path = path
        self.wav = wav
        self.marks: IO[str] | None = None
        self.written = 0  # frames
        self.header_at = 0
        self.gaps = 0


class RecordingWriter:
    """Writes one recording at a time on its own thread."""

    def __init__(
        self,
        fmt: WavFormat,
        *,
        on_fault: Callable[[str | None], None] | None = None,
        header_every_frames: int | None = None,
    ) -> None:
        self.fmt = fmt
        self.on_fault = on_fault
        self.header_every = header_every_frames or fmt.rate
        self.taken = 0  # data items taken off the queue (writer thread)
        self.discarded = 0  # buffers for no open recording (writer thread)
        self._queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._open: _Open | None = None
        self._faulted = False
        self._gap_logged_at = float("-inf")
        self._gap_frames_unlogged = 0
        self._thread = threading.Thread(target=self._run, name="audio-recording", daemon=True)
        self._thread.start()

    # --- producers (any thread; put never blocks) ---

    def put_data(self, generation: int, gap: int, data: bytes) -> None:
        """A buffer for recording `generation`, after `gap` frames lost before it."""
        self._queue.put(("data", generation, gap, data))

    def open(self, generation: int, path: Path) -> None:
        """Start writing recording `generation` to `path` (a new file)."""
        self._queue.put(("open", generation, path))

    def mark(self, generation: int, kind: MarkKind, frame: int) -> None:
        """Append a mark to the recording's marks file."""
        self._queue.put(("mark", generation, kind, frame))

    def close(self, generation: int, frames: int, after: Callable[[], None] | None = None) -> None:
        """Finish recording `generation` at exactly `frames` frames, then run `after`."""
        self._queue.put(("close", generation, frames, after))

    def sync(self, timeout_s: float = 5.0) -> bool:
        """Wait until everything queued so far is on disk; False on timeout."""
        done = threading.Event()
        self._queue.put(("sync", done))
        return done.wait(timeout_s)

    def flush(self, timeout_s: float = 1.0) -> bool:
        """Wait until everything queued so far is written out to the OS (the header is left as
        it is: a reader takes the frames from the file's length); False on timeout. Instant
        recall reads a live recording after this, without disturbing the writer."""
        done = threading.Event()
        self._queue.put(("flush", done))
        return done.wait(timeout_s)

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Finish what is queued and end the thread; False if it did not end in time."""
        self._queue.put(("stop",))
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    # --- the writer thread ---

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            kind = item[0]
            try:
                if kind == "data":
                    self.taken += 1
                    self._data(item[1], item[2], item[3])
                elif kind == "open":
                    self._start(item[1], item[2])
                elif kind == "mark":
                    self._mark(item[1], item[2], item[3])
                elif kind == "close":
                    self._finish(item[1], item[2], item[3])
                elif kind == "sync":
                    item[1].set()
                elif kind == "flush":
                    self._flush(item[1])
                elif kind == "stop":
                    if self._open is not None:
                        self._finish(self._open.generation, self._open.written, None)
                    return
            except OSError as exc:
                self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        current = self._open
        where = current.path.name if current is not None else "recording"
        text = f"recording failed: {where}: {exc.strerror or exc}"
        log.error("%s", text)
        if current is not None:
            self._open = None
            try:
                current.wav.close()
                if current.marks is not None:
                    current.marks.close()
            except OSError:
                pass
        self._faulted = True
        if self.on_fault is not None:
            self.on_fault(text)

    def _start(self, generation: int, path: Path) -> None:
        if self._open is not None:
            log.warning("recording %s was not closed; closing it now", self._open.path.name)
            self._finish(self._open.generation, self._open.written, None)
        path.parent.mkdir(parents=True, exist_ok=True)
        wav = path.open("xb")
        wav.write(header(self.fmt, 0))
        wav.flush()
        self._open = _Open(generation, path, wav)
        if self._faulted:
            self._faulted = False
            if self.on_fault is not None:
                self.on_fault(None)

    def _data(self, generation: int, gap: int, data: bytes) -> None:
        current = self._open
        if current is None or current.generation != generation:
            self.discarded += 1
            return
        if gap:
            current.gaps += gap
            self._note_gap(gap, current.path)
            current.wav.write(bytes(gap * self.fmt.block_align))
        current.wav.write(data)
        current.written += gap + len(data) // self.fmt.block_align
        if current.written - current.header_at >= self.header_every:
            self._write_header(current)

    def _note_gap(self, frames: int, path: Path) -> None:
        self._gap_frames_unlogged += frames
        now = time.monotonic()
        if now - self._gap_logged_at >= OVERRUN_LOG_EVERY_S:
            log.warning(
                "recording overrun: %.2f s of %s lost to a full queue (filled with silence)",
                self._gap_frames_unlogged / self.fmt.rate, path.name,
            )  # fmt: skip
            self._gap_logged_at = now
            self._gap_frames_unlogged = 0

    def _flush(self, done: threading.Event) -> None:
        try:
            if self._open is not None:
                self._open.wav.flush()
        finally:
            done.set()

    def _write_header(self, current: _Open) -> None:
        current.wav.flush()
        os.pwrite(current.wav.fileno(), header(self.fmt, current.written * self.fmt.block_align), 0)
        current.header_at = current.written

    def _mark(self, generation: int, kind: MarkKind, frame: int) -> None:
        current = self._open
        if current is None or current.generation != generation:
            return
        if current.marks is None:
            current.marks = current.path.with_suffix(MARKS_SUFFIX).open("a", encoding="utf-8")
        current.marks.write(mark_line(kind, frame))
        current.marks.flush()

    def _finish(self, generation: int, frames: int, after: Callable[[], None] | None) -> None:
        current = self._open
        if current is not None and current.generation == generation:
            self._open = None
            wav = current.wav
            if current.written > frames:
                wav.flush()
                wav.truncate(HEADER_SIZE + frames * self.fmt.block_align)
                wav.seek(0, os.SEEK_END)
            elif current.written < frames:
                missing = frames - current.written
                self._note_gap(missing, current.path)
                wav.write(bytes(missing * self.fmt.block_align))
            current.written = frames
            self._write_header(current)
            os.fsync(wav.fileno())
            wav.close()
            if current.marks is not None:
                os.fsync(current.marks.fileno())
                current.marks.close()
        if after is not None:
            try:
                after()
            except Exception:
                log.exception("after closing a recording")
