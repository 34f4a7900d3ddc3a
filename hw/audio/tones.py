"""The desk's tones: what each one sounds like, and its synthesis into 16-bit samples (no I/O).

Every tone is synthesised at start-up, so the package ships no sound files. A tone is one cadence
cycle of `Burst`s; a continuous tone repeats its cycle until stopped, a cue plays its cycle once.
The choices and their sources are tabled in docs/audio.md; `TONES` is the one definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

VolumeKey = Literal["ring_volume", "ringback_volume", "warning_volume", "alert_volume"]
Samples = npt.NDArray[np.int16]

FULL_SCALE = 32767
HEADROOM = 0.9  # peak at volume 1.0, as a fraction of full scale
RAMP_S = 0.005  # raised-cosine rise and fall at each sounding stretch, so no bursts click


@dataclass(frozen=True, slots=True)
class Burst:
    """A stretch of a cadence: `seconds` long, sounding `freqs` (Hz) together; none is silence."""

    seconds: float
    freqs: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ToneSpec:
    """One tone: its cadence cycle, whether it loops, its priority and its volume setting."""

    name: str
    bursts: tuple[Burst, ...]
    continuous: bool
    priority: int
    volume: VolumeKey
    basis: str

    @property
    def cycle_s(self) -> float:
        """Length of one cadence cycle in seconds."""
        return sum(b.seconds for b in self.bursts)

    @property
    def freqs(self) -> tuple[float, ...]:
        """Every frequency the tone sounds, in order of first use."""
        seen: dict[float, None] = {}
        for burst in self.bursts:
            seen.update(dict.fromkeys(burst.freqs))
        return tuple(seen)


def _off(seconds: float) -> Burst:
    return Burst(seconds)


def _on(seconds: float, *freqs: float) -> Burst:
    return Burst(seconds, tuple(freqs))


def warble(seconds: float, low: float, high: float, step_s: float) -> tuple[Burst, ...]:
    """`seconds` of a trill alternating `low` and `high` every `step_s` (an electronic ringer)."""
    steps = round(seconds / step_s)
    return tuple(_on(step_s, low if i % 2 == 0 else high) for i in range(steps))


def pulses(count: int, on_s: float, gap_s: float, freq: float) -> tuple[Burst, ...]:
    """`count` pulses of `freq`, `gap_s` apart (no gap after the last)."""
    out: list[Burst] = []
    for i in range(count):
        if i:
            out.append(_off(gap_s))
        out.append(_on(on_s, freq))
    return tuple(out)


RING_STEP_S = 0.04  # whole cycles of both notes per step: the trill keeps its phase
_RING_BURST = warble(0.4, 1000.0, 1250.0, RING_STEP_S)
_CRITICAL_3 = pulses(3, 0.15, 0.1, 1100.0)
_CRITICAL_2 = pulses(2, 0.15, 0.1, 1100.0)

TONES: dict[str, ToneSpec] = {
    spec.name: spec
    for spec in (
        ToneSpec(
            "tot_warning",
            (*pulses(3, 0.2, 0.2, 1400.0), _off(0.2)),
            continuous=False, priority=70, volume="warning_volume",
            basis="three 1400 Hz pips (ITU-T E.180 warning-tone frequency)",
        ),
        ToneSpec(
            "denied",
            (_on(0.2, 950.0), _on(0.2, 1400.0), _on(0.2, 1800.0), _off(0.1)),
            continuous=False, priority=60, volume="warning_volume",
            basis="special information tone 950/1400/1800 Hz (ITU-T E.180), 200 ms steps",
        ),
        ToneSpec(
            "alert_critical",
            (*_CRITICAL_3, _off(0.35), *_CRITICAL_2, _off(0.6),
             *_CRITICAL_3, _off(0.35), *_CRITICAL_2, _off(1.0)),
            continuous=True, priority=50, volume="alert_volume",
            basis="IEC 60601-1-8 high-priority burst: 10 pulses (3+2, 3+2) of 1100 Hz",
        ),
        ToneSpec(
            "ring",
            (*_RING_BURST, _off(0.2), *_RING_BURST, _off(2.0)),
            continuous=True, priority=40, volume="ring_volume",
            basis="UK double ring 0.4/0.2/0.4/2.0 s; 1000/1250 Hz trill, 40 ms a note",
        ),
        ToneSpec(
            "alert_warning",
            (*pulses(3, 0.2, 0.15, 880.0), _off(3.1)),
            continuous=True, priority=30, volume="alert_volume",
            basis="IEC 60601-1-8 medium-priority burst: 3 pulses of 880 Hz every 4 s",
        ),
        ToneSpec(
            "ringback",
            (_on(1.0, 425.0), _off(4.0)),
            continuous=True, priority=20, volume="ringback_volume",
            basis="425 Hz, 1 s on 4 s off (ITU-T E.180 / ETSI ES 201 970 ringing tone)",
        ),
        ToneSpec(
            "alert_advisory",
            (_on(0.25, 587.0), _on(0.25, 784.0), _off(9.5)),
            continuous=True, priority=10, volume="alert_volume",
            basis="two-note chime 587 then 784 Hz every 10 s (IEC 60601-1-8 low-priority style)",
        ),
    )
}  # fmt: skip
"""Every tone, highest priority first."""

CORE_TONES = ("ring", "ringback", "tot_warning", "denied")
ALERT_TONES = {
    "advisory": "alert_advisory",
    "warning": "alert_warning",
    "critical": "alert_critical",
}


def alert_tone(severity: str) -> str:
    """The tone name for an alert severity (advisory, warning, critical)."""
    return ALERT_TONES[severity]


def boundaries(bursts: Iterable[Burst], rate: int) -> list[int]:
    """Sample index where each burst starts, then the cycle length (rounded cumulatively)."""
    edges = [0]
    total = 0.0
    for burst in bursts:
        total += burst.seconds
        edges.append(round(total * rate))
    return edges


def schedule(spec: ToneSpec, rate: int) -> list[tuple[int, int, bool]]:
    """The cadence as `(start, end, sounding)` sample ranges, adjacent stretches merged."""
    edges = boundaries(spec.bursts, rate)
    runs: list[tuple[int, int, bool]] = []
    for i, burst in enumerate(spec.bursts):
        start, end, sounding = edges[i], edges[i + 1], bool(burst.freqs)
        if runs and runs[-1][2] == sounding:
            runs[-1] = (runs[-1][0], end, sounding)
        else:
            runs.append((start, end, sounding))
    return runs


def _ramp(length: int, rate: int) -> npt.NDArray[np.float64]:
    """An envelope of `length` samples with raised-cosine ends of RAMP_S (shorter if need be)."""
    envelope = np.ones(length)
    edge = min(round(RAMP_S * rate), length // 2)
    if edge > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(edge) + 0.5) / edge)
        envelope[:edge] = rise
        envelope[length - edge :] = rise[::-1]
    return envelope


def synthesise(spec: ToneSpec, rate: int, volume: float) -> Samples:
    """One cadence cycle of `spec` at `rate` Hz and `volume` (0..1) as mono 16-bit samples.

    Each voice keeps its phase across the bursts of a sounding stretch (a trill has no clicks);
    each stretch rises and falls over RAMP_S.
    """
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, got {rate}")
    edges = boundaries(spec.bursts, rate)
    out = np.zeros(edges[-1])
    voices = max((len(b.freqs) for b in spec.bursts), default=1) or 1
    peak = min(max(volume, 0.0), 1.0) * HEADROOM * FULL_SCALE / voices
    phases = np.zeros(voices)
    for i, burst in enumerate(spec.bursts):
        start, end = edges[i], edges[i + 1]
        if not burst.freqs:
            phases[:] = 0.0
            continue
        steps = np.arange(end - start)
        for v, freq in enumerate(burst.freqs):
            omega = 2.0 * np.pi * freq / rate
            out[start:end] += peak * np.sin(phases[v] + omega * steps)
            phases[v] = (phases[v] + omega * (end - start)) % (2.0 * np.pi)
    for start, end, sounding in schedule(spec, rate):
        if sounding:
            out[start:end] *= _ramp(end - start, rate)
    return np.round(out).astype(np.int16)


def volume_of(spec: ToneSpec, volumes: dict[str, float]) -> float:
    """The configured volume for `spec` (1.0 if the setting is absent)."""
    return float(volumes.get(spec.volume, 1.0))
