"""An ALSA whose sound devices are files: tests, benchmarks and demos on a machine with no card.

`write_config(directory)` writes `asound.conf` with three PCMs that PortAudio lists as devices:

- `deskspeaker`: playback; what is played lands in `speaker.raw`, byte for byte (16-bit mono);
- `deskmic`: capture; what is recorded is read from `mic.raw` (make it longer than the read —
  past its end ALSA hands over whatever is in its buffer);
- `default`: `deskspeaker` for playback and `deskmic` for capture (the null device when one of
  them is left out).

Point ALSA_CONFIG_PATH at the file before PortAudio is initialised (`PyAudio()`); ALSA reads it
in place of its own configuration, and again whenever the variable or the file changes.

The null device under each PCM runs as fast as the CPU allows: a second of audio passes in
microseconds. With `paced=True` the files are FIFOs instead, and `PacedMic` / `PacedSpeaker`
threads feed and drain them at the sample rate, as a sound card would; `PacedSpeaker.cut()` closes
its end mid-stream, which PortAudio sees as a playback device failing.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV = "ALSA_CONFIG_PATH"
SPEAKER = "deskspeaker"
MIC = "deskmic"
CHUNK_S = 0.02

_PCM = """pcm.{name} {{
    type file
    slave.pcm {{ type null }}
    file "{file}"
{infile}    format "raw"
}}
"""
_DEFAULT = """pcm.!default {{
    type asym
    playback.pcm "{speaker}"
    capture.pcm "{mic}"
}}
"""


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Where a sandbox's configuration and device files are."""

    config: Path
    speaker: Path
    mic: Path

    def write(self, *, speaker: bool = True, mic: bool = True) -> None:
        """(Re)write the configuration, leaving out the devices set False (to unplug them)."""
        parts = []
        if speaker:
            parts.append(_PCM.format(name=SPEAKER, file=self.speaker, infile=""))
        if mic:
            infile = f'    infile "{self.mic}"\n'
            parts.append(_PCM.format(name=MIC, file="/dev/null", infile=infile))
        if speaker and mic:
            parts.append(_DEFAULT.format(speaker=SPEAKER, mic=MIC))
        else:  # PortAudio 19.6 aborts (an assertion) on an ALSA with no default PCM
            parts.append("pcm.!default { type null }\n")
        self.config.write_text("".join(parts), encoding="utf-8")


@contextlib.contextmanager
def sandbox_environment(config: Path | str) -> Iterator[None]:
    """PortAudio (through ALSA) pointed at the sandbox's `config`, JACK never started; the
    environment as it was afterwards."""
    saved = {k: os.environ.get(k) for k in (ENV, "JACK_NO_START_SERVER")}
    os.environ[ENV] = str(config)
    os.environ["JACK_NO_START_SERVER"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def write_config(directory: Path, *, paced: bool = False) -> Sandbox:
    """Write a sandbox into `directory` (FIFOs for the devices if `paced`)."""
    directory.mkdir(parents=True, exist_ok=True)
    ext = "fifo" if paced else "raw"
    box = Sandbox(directory / "asound.conf", directory / f"speaker.{ext}", directory / f"mic.{ext}")
    if paced:
        for fifo in (box.speaker, box.mic):
            if not fifo.exists():
                os.mkfifo(fifo)
    else:
        box.mic.touch()
    box.write()
    return box


def sine(freq: float, rate: int, amplitude: float = 0.5) -> Callable[[int, int], bytes]:
    """A signal for `PacedMic`: `freq` Hz, sample `start` onwards, `count` samples."""

    def signal(start: int, count: int) -> bytes:
        n = np.arange(start, start + count)
        wave = amplitude * 32767 * np.sin(2 * math.pi * freq * n / rate)
        return np.round(wave).astype("<i2").tobytes()

    return signal


def _unblock(fifo: Path) -> None:
    """Release a thread stuck opening `fifo` (an O_RDWR open never blocks on Linux)."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))


class PacedMic(threading.Thread):
    """Feeds a FIFO microphone `signal(start, count)` at `rate` samples a second."""

    def __init__(self, fifo: Path, rate: int, signal: Callable[[int, int], bytes]) -> None:
        super().__init__(name="paced-mic", daemon=True)
        self.fifo, self.rate, self.signal = fifo, rate, signal
        self.sent = 0  # samples written
        self._halt = threading.Event()

    def run(self) -> None:
        chunk = round(self.rate * CHUNK_S)
        while not self._halt.is_set():
            fd = os.open(self.fifo, os.O_WRONLY)
            try:
                due = time.monotonic()
                while not self._halt.is_set():
                    os.write(fd, self.signal(self.sent, chunk))
                    self.sent += chunk
                    due = max(due + CHUNK_S, time.monotonic() - 1.0)
                    self._halt.wait(max(0.0, due - time.monotonic()))
            except OSError:  # the reader closed (the stream ended): wait for the next
                pass
            finally:
                os.close(fd)

    def stop(self) -> None:
        """End the thread."""
        self._halt.set()
        _unblock(self.fifo)
        self.join(2.0)


class PacedSpeaker(threading.Thread):
    """Drains a FIFO speaker at `rate` samples a second, keeping what was played in `played`."""

    def __init__(self, fifo: Path, rate: int, pipe_bytes: int | None = None) -> None:
        super().__init__(name="paced-speaker", daemon=True)
        self.fifo, self.rate = fifo, rate
        self.pipe_bytes = pipe_bytes  # shrink the FIFO's buffer (64 KiB: 2 s at 16 kHz) to this
        self.played = bytearray()
        self.cuts = 0
        self.cut_s = 0.2
        self._halt = threading.Event()
        self._cut = threading.Event()

    def run(self) -> None:
        size = 2 * round(self.rate * CHUNK_S)
        while not self._halt.is_set():
            fd = os.open(self.fifo, os.O_RDONLY)
            if self.pipe_bytes is not None:
                with contextlib.suppress(OSError):  # EBUSY: more is already waiting in it
                    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, self.pipe_bytes)
            try:
                due = time.monotonic()
                while not self._halt.is_set() and not self._cut.is_set():
                    data = os.read(fd, size)
                    if not data:
                        break
                    self.played += data
                    due = max(due + len(data) / (2 * self.rate), time.monotonic() - 1.0)
                    self._halt.wait(max(0.0, due - time.monotonic()))
            finally:
                os.close(fd)
            if self._cut.is_set():
                self._cut.clear()
                self.cuts += 1
                self._halt.wait(self.cut_s)  # long enough for the writer to notice

    def cut(self) -> None:
        """Close the speaker's end now (the writer fails); open it again `cut_s` later."""
        self._cut.set()

    def stop(self) -> None:
        """End the thread."""
        self._halt.set()
        _unblock(self.fifo)
        self.join(2.0)
