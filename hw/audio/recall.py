"""Instant recall on the headset: a received transmission read back from the call recording and
played on the output device through the tone player's stream — never towards the radio.

`source()` (loop thread, no I/O) describes the current recording, still being written, or the last
one, from what the recorder knows in memory: its received transmissions (`rx_start` / `rx_end`
marks). `play(...)` hands the stretch to the `audio-recall` thread, which asks the recording writer
to flush what it has queued (a command in its own queue: the writer is not disturbed), reads the
frames by the file's byte length (the header of a live recording is not final), and gives them to
the player. `stop()` silences it at once; a read still under way is then dropped.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from pathlib import Path

from hw.audio.player import PortAudioTonePlayer
from hw.audio.recorder import CallRecorder
from hw.audio.wavfile import HEADER_SIZE, WavError, parse_header
from terminal.core.recall import Play, RecallSource, Stretch

log = logging.getLogger(__name__)

FLUSH_TIMEOUT_S = 0.5


def read_frames(path: Path, start: int, end: int, rate: int) -> bytes:
    """Frames `start` to `end` of a recording, as far as they are on disk (16-bit mono at `rate`).

    The frames are counted from the file's length, not its header, so a recording still being
    written reads as far as it has been flushed. Raises WavError if the file is not a recording at
    `rate`, OSError if it cannot be read.
    """
    with path.open("rb") as f:
        head = f.read(HEADER_SIZE)
        fmt, _ = parse_header(head)  # a live header's length may be stale; its format is not
        if fmt.rate != rate or fmt.channels != 1 or fmt.bits != 16:
            raise WavError(f"{path.name}: {fmt.rate} Hz, {fmt.channels} ch, {fmt.bits} bit; "
                           f"recall plays 16-bit mono at {rate} Hz")  # fmt: skip
        size = os.fstat(f.fileno()).st_size
        available = max(0, (size - HEADER_SIZE) // fmt.block_align)
        end = min(end, available)
        if end <= start:
            return b""
        f.seek(HEADER_SIZE + start * fmt.block_align)
        return f.read((end - start) * fmt.block_align)


class HeadsetRecall:
    """Recall through `player` (the output device) from `recorder`'s recordings."""

    def __init__(self, recorder: CallRecorder, player: PortAudioTonePlayer) -> None:
        self.recorder = recorder
        self.player = player
        self.failures = 0  # recalls that could not be read (audio-recall thread)
        self.played = 0  # recalls handed to the player (audio-recall thread)
        self._generation = 0
        self._jobs: queue.SimpleQueue[tuple[int, Play] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audio-recall", daemon=True)
        self._thread.start()

    # --- the loop thread ---

    def source(self) -> RecallSource | None:
        """The current (live) or last recording as recall sees it; None before the first."""
        state = self.recorder.state()
        if state is None:
            return None
        return RecallSource(
            call_id=state.call_id,
            path=str(state.path),
            started_ms=int(state.started.timestamp() * 1000),
            rate=state.rate,
            frames=state.frames,
            received=tuple(Stretch(r.start, r.end) for r in state.receptions),
            live=state.live,
        )

    def play(self, play: Play) -> None:
        """Read `play.item` from its recording and play it (replacing any recall playing)."""
        self._generation += 1
        self._jobs.put((self._generation, play))

    def stop(self) -> None:
        """Silence the recall now; a read under way is dropped."""
        self._generation += 1
        self.player.stop_recall()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the recall thread."""
        self.stop()
        self._jobs.put(None)
        self._thread.join(timeout_s)

    # --- the audio-recall thread ---

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            generation, play = job
            if generation != self._generation:
                continue  # stopped or replaced before it was read
            try:
                self._load(generation, play)
            except (OSError, WavError) as exc:
                self.failures += 1
                log.error("recall of %s failed: %s", Path(play.source.path).name, exc)

    def _load(self, generation: int, play: Play) -> None:
        path = Path(play.source.path)
        live = play.source.live and self.recorder.recording == path
        if live and not self.recorder.writer.flush(FLUSH_TIMEOUT_S):
            log.warning("recall: the recording writer did not flush in time; playing what is "
                        "on disk")  # fmt: skip
        pcm = read_frames(path, play.item.start, play.item.end, play.source.rate)
        if generation != self._generation:
            return
        self.player.recall(pcm)
        self.played += 1
        if generation != self._generation:  # stopped while it was handed over
            self.player.stop_recall()


class NullRecall:
    """No audio: nothing to recall."""

    def source(self) -> RecallSource | None:
        """No recordings."""
        return None

    def play(self, play: Play) -> None:
        """Nothing plays."""

    def stop(self) -> None:
        """Nothing plays."""

    def close(self, timeout_s: float = 2.0) -> None:
        """Nothing to close."""
