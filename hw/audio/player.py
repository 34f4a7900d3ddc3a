"""The tone player the engine drives: `play(name)` and `stop(name)` from the loop thread.

`recall(pcm)` plays a stretch of a call recording through the same stream (instant recall).
None of these calls touches PortAudio: they update the mixer's requests and wake the supervisor,
which opens the output stream while a tone or a recall is due and closes it `linger_s` after the
last one fell silent. `NullTonePlayer` stands in when audio is disabled: it remembers what was
asked, no more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from hw.audio.host import AudioHost, StreamSlot

log = logging.getLogger(__name__)

FRAMES_PER_BUFFER = 320  # 20 ms at 16 kHz


class PortAudioTonePlayer:
    """Tones on the configured output device, through the host's supervisor."""

    def __init__(
        self,
        host: AudioHost,
        device: str | int,
        rate: int,
        volumes: Mapping[str, float],
        *,
        frames_per_buffer: int = FRAMES_PER_BUFFER,
        linger_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.linger_s = linger_s
        self.clock = clock
        # The mixer (NumPy) only when audio is on: a desk without audio never loads it.
        from hw.audio.mixer import ToneMixer, render_tones

        self.mixer = ToneMixer(render_tones(rate, volumes), clock=clock)
        self.slot = host.add(
            StreamSlot(
                "speaker", "output", device, rate, frames_per_buffer,
                process=self._process, wanted=self._wanted,
            )
        )  # fmt: skip

    def play(self, name: str) -> None:
        """Start tone `name` (a continuous tone loops until `stop`, a cue plays once)."""
        try:
            self.mixer.request(name)
        except KeyError:
            log.warning("no such tone %r; not played", name)
            return
        self.host.wake()

    def stop(self, name: str) -> None:
        """Stop tone `name`."""
        self.mixer.cancel(name)

    def recall(self, pcm: bytes) -> None:
        """Play a stretch of a call recording once to the output device (any thread)."""
        self.mixer.recall(pcm)
        self.host.wake()

    def stop_recall(self) -> None:
        """Silence the recall at once."""
        self.mixer.cancel_recall()

    @property
    def sounding(self) -> str | None:
        """The tone the speaker is playing now, if any."""
        return self.mixer.current if self.slot.running else None

    def _process(self, _in: bytes | None, frames: int) -> bytes:
        return self.mixer.render(frames)

    def _wanted(self) -> bool:
        return self.mixer.busy() or self.clock() - self.mixer.last_sound < self.linger_s


class NullTonePlayer:
    """No sound: the LEDs and the console carry the ring and the alerts alone."""

    def __init__(self) -> None:
        self.requested: set[str] = set()

    def play(self, name: str) -> None:
        """Note that `name` was asked for."""
        self.requested.add(name)

    def stop(self, name: str) -> None:
        """Note that `name` was stopped."""
        self.requested.discard(name)
