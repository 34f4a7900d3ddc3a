"""Helpers shared by the audio tests: spectra and PCM bytes as arrays."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from hw.audio.host import AudioHost
from hw.audio.sandbox import PacedMic, PacedSpeaker, Sandbox

Samples = npt.NDArray[np.int16]


@dataclass
class Paced:
    """A paced sandbox and the threads that feed and drain it."""

    box: Sandbox
    mic: PacedMic
    speaker: PacedSpeaker


def as_samples(data: bytes) -> Samples:
    """Little-endian 16-bit bytes as samples."""
    return np.frombuffer(data, dtype="<i2")


def peak_freqs(samples: npt.ArrayLike, rate: int, count: int = 1) -> list[float]:
    """The `count` strongest frequencies (Hz), strongest first, to a tenth of a bin.

    Hann window, zero-padded to 8x, peaks taken as local maxima at least 50 Hz apart.
    """
    x = np.asarray(samples, dtype=float)
    n = len(x)
    size = 8 * int(2 ** np.ceil(np.log2(n)))
    spectrum = np.abs(np.fft.rfft(x * np.hanning(n), size))
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    found: list[float] = []
    for index in np.argsort(spectrum)[::-1]:
        f = float(freqs[index])
        if all(abs(f - g) >= 50.0 for g in found):
            found.append(f)
        if len(found) == count:
            break
    return found


def runs(samples: Samples, rate: int, threshold: int = 200) -> list[tuple[int, int, bool]]:
    """Sounding and silent stretches as (start, end, sounding). Zero crossings, and the quiet
    first and last milliseconds of a ramp, do not count: a stretch shorter than 3 ms joins its
    neighbour."""
    loud = np.abs(samples.astype(int)) > threshold
    width = max(2, rate // 1000)  # bridge the gaps between peaks within a sounding stretch
    near = np.convolve(loud.astype(int), np.ones(width, dtype=int), mode="same") > 0
    raw: list[list[int]] = []
    start = 0
    for i in range(1, len(near) + 1):
        if i == len(near) or near[i] != near[start]:
            raw.append([start, i, int(near[start])])
            start = i
    shortest = 3 * rate // 1000
    out: list[list[int]] = []
    for piece in raw:
        if out and (piece[1] - piece[0] < shortest or out[-1][2] == piece[2]):
            out[-1][1] = piece[1]
        elif not out and piece[1] - piece[0] < shortest:
            out.append([piece[0], piece[1], 1 - piece[2]])
        else:
            out.append(piece)
    merged: list[tuple[int, int, bool]] = []
    for a, b, sounding in out:
        if merged and merged[-1][2] == bool(sounding):
            merged[-1] = (merged[-1][0], b, bool(sounding))
        else:
            merged.append((a, b, bool(sounding)))
    return merged


def wait_for(condition: Callable[[], object], timeout_s: float = 10.0, what: str = "") -> None:
    """Poll `condition` every millisecond until it holds; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what or condition}")
        time.sleep(0.001)


def size_of(path: Path) -> int:
    """The file's size, 0 while it does not exist yet."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def after_priming(data: bytes, pcm: bytes) -> bytes:
    """`data` from where `pcm` starts in it; PortAudio primes an output with silence first, and
    nothing else may come before the tone."""
    at = data.find(pcm[:1600])
    assert at >= 0 and at % 2 == 0, "the tone is not in what was played"
    assert data[:at] == bytes(at), "something other than silence came before the tone"
    return data[at:]


Hosts = Callable[..., AudioHost]
"""The `hosts` fixture: makes AudioHosts that are closed after the test."""
