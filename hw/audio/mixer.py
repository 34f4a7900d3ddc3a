"""Which tone sounds now, and its next samples: requests from the loop, rendering for PortAudio.

Two threads meet here without a lock. The loop thread (`request`, `cancel`) replaces an immutable
mapping of requests; the PortAudio callback thread (`render`) reads that mapping once per buffer
and keeps its own play positions. A burst of requests costs the callback nothing extra: it only
ever sees the latest mapping.

Priorities: only the highest-priority requested tone is heard (tones are never mixed, so each
stays recognisable). A masked continuous tone keeps its cadence running, so it comes back in step
when the louder one stops; a masked cue runs on unheard and is not replayed. A cue that could not
start within `cue_expiry_s` of its request (no device) is dropped rather than played late.

Instant recall (a stretch of a call recording, `recall(pcm)`) plays beside the tones: a tone that
sounds meanwhile is mixed over it (summed, clipped to full scale), so the ring and the alerts are
always heard. One recall at a time; a new one replaces the last, `cancel_recall` silences it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from hw.audio.tones import TONES, ToneSpec, synthesise, volume_of

BYTES_PER_FRAME = 2  # mono, 16-bit


@dataclass(frozen=True, slots=True)
class Rendered:
    """A tone ready to play: its samples as little-endian 16-bit bytes, and how it loops."""

    spec: ToneSpec
    pcm: bytes

    @property
    def frames(self) -> int:
        """Length of one cycle in frames."""
        return len(self.pcm) // BYTES_PER_FRAME


def render_tones(rate: int, volumes: Mapping[str, float]) -> dict[str, Rendered]:
    """Every tone synthesised at `rate` with its configured volume."""
    return {
        name: Rendered(spec, synthesise(spec, rate, volume_of(spec, dict(volumes))).tobytes())
        for name, spec in TONES.items()
    }


@dataclass(frozen=True, slots=True)
class _Request:
    generation: int
    at: float


@dataclass(slots=True)
class _Voice:
    generation: int
    pos: int = 0
    done: bool = False


class ToneMixer:
    """Tone requests in, one buffer of samples at a time out."""

    def __init__(
        self,
        tones: Mapping[str, Rendered],
        *,
        cue_expiry_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tones = dict(tones)
        self.cue_expiry_s = cue_expiry_s
        self.clock = clock
        self._generation = 0
        self._requests: Mapping[str, _Request] = MappingProxyType({})
        self._voices: dict[str, _Voice] = {}  # the callback thread's own
        self._silence = b""
        self.current: str | None = None  # what the last buffer sounded (callback thread)
        self.last_sound = float("-inf")  # when a buffer last held a tone (callback thread)
        self._recall: tuple[int, bytes] | None = None  # (generation, pcm): set by other threads
        self._recall_generation = 0
        self._recall_playing = 0  # the callback thread's: generation it plays, its position
        self._recall_pos = 0
        self._recall_done = 0  # the last generation played to its end (callback thread)
        self.recall_started = 0  # generation whose first samples went out (callback thread)

    # --- the loop thread ---

    def request(self, name: str) -> None:
        """Start `name` from the top of its cadence (again, if it is playing)."""
        if name not in self.tones:
            raise KeyError(name)
        self._generation += 1
        changed = dict(self._requests)
        changed[name] = _Request(self._generation, self.clock())
        self._requests = MappingProxyType(changed)

    def cancel(self, name: str) -> None:
        """Stop `name` (no effect if it is not requested)."""
        if name in self._requests:
            changed = dict(self._requests)
            del changed[name]
            self._requests = MappingProxyType(changed)

    def recall(self, pcm: bytes) -> int:
        """Play `pcm` (16-bit mono at the mixer's rate) once, beside the tones; its generation."""
        self._recall_generation += 1
        self._recall = (self._recall_generation, pcm)
        return self._recall_generation

    def cancel_recall(self) -> None:
        """Silence the recall (from the next buffer on)."""
        self._recall = None

    def recalling(self) -> bool:
        """A recall is set and has not played to its end (any thread)."""
        recall = self._recall
        return recall is not None and recall[0] != self._recall_done

    def requested(self) -> frozenset[str]:
        """The tones requested and not cancelled (finished cues included)."""
        return frozenset(self._requests)

    def busy(self) -> bool:
        """True while a continuous tone is requested or a cue has yet to finish (any thread)."""
        now = self.clock()
        if self.recalling():
            return True
        for name, req in self._requests.items():
            spec = self.tones[name].spec
            if spec.continuous:
                return True
            voice = self._voices.get(name)
            started = voice is not None and voice.generation == req.generation
            if started and voice is not None and not voice.done:
                return True
            if not started and now - req.at <= self.cue_expiry_s:
                return True
        return False

    # --- the PortAudio callback thread ---

    def render(self, frames: int) -> bytes:
        """The next `frames` frames: the winning tone's samples, or silence."""
        requests = self._requests  # read once: the loop may replace it meanwhile
        voices = self._voices
        for gone in [name for name in voices if name not in requests]:
            del voices[gone]
        now = self.clock()
        best: str | None = None
        best_priority = -1
        for name, req in requests.items():
            voice = voices.get(name)
            if voice is None or voice.generation != req.generation:
                voice = _Voice(req.generation)
                spec = self.tones[name].spec
                voice.done = not spec.continuous and now - req.at > self.cue_expiry_s
                voices[name] = voice
            if voice.done:
                continue
            priority = self.tones[name].spec.priority
            if priority > best_priority:
                best, best_priority = name, priority
        out = self._take(best, frames) if best is not None else self._quiet(frames)
        for name in requests:
            self._advance(name, voices[name], frames)
        self.current = best
        recalled = self._recall_chunk(frames)
        if recalled is not None:
            out = recalled if best is None else _mix(out, recalled)
        if best is not None or recalled is not None:
            self.last_sound = now
        return out

    def _recall_chunk(self, frames: int) -> bytes | None:
        """The recall's next `frames` frames (zero-padded at its end), or None if none plays."""
        recall = self._recall  # read once
        if recall is None:
            return None
        generation, pcm = recall
        if generation == self._recall_done:
            return None
        if generation != self._recall_playing:
            self._recall_playing, self._recall_pos = generation, 0
        start = self._recall_pos * BYTES_PER_FRAME
        size = frames * BYTES_PER_FRAME
        chunk = pcm[start : start + size]
        self._recall_pos += frames
        if start + size >= len(pcm):
            self._recall_done = generation
        self.recall_started = generation
        return chunk + bytes(size - len(chunk)) if len(chunk) < size else chunk

    def _quiet(self, frames: int) -> bytes:
        size = frames * BYTES_PER_FRAME
        if len(self._silence) != size:
            self._silence = bytes(size)
        return self._silence

    def _take(self, name: str, frames: int) -> bytes:
        tone = self.tones[name]
        pcm = tone.pcm
        start = self._voices[name].pos * BYTES_PER_FRAME
        size = frames * BYTES_PER_FRAME
        chunk = pcm[start : start + size]
        if not pcm:
            return self._quiet(frames)
        while len(chunk) < size:
            if not tone.spec.continuous:
                return chunk + bytes(size - len(chunk))
            chunk += pcm[: size - len(chunk)]
        return chunk

    def _advance(self, name: str, voice: _Voice, frames: int) -> None:
        if voice.done:
            return
        length = self.tones[name].frames
        voice.pos += frames
        if voice.pos >= length:
            if self.tones[name].spec.continuous:
                voice.pos %= length
            else:
                voice.done = True


def _mix(a: bytes, b: bytes) -> bytes:
    """Two buffers of 16-bit samples summed, clipped to full scale."""
    total = np.frombuffer(a, dtype="<i2").astype(np.int32) + np.frombuffer(b, dtype="<i2")
    out: bytes = np.clip(total, -32768, 32767).astype("<i2").tobytes()
    return out
