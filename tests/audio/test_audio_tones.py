"""Tone synthesis: each tone's frequencies (measured by FFT), cadence, level and priorities."""

from __future__ import annotations

import numpy as np
import pytest
from audio_helpers import peak_freqs, runs

from hw.audio.tones import (
    ALERT_TONES,
    CORE_TONES,
    FULL_SCALE,
    HEADROOM,
    TONES,
    Burst,
    ToneSpec,
    boundaries,
    schedule,
    synthesise,
)

RATES = (8000, 16000, 48000)

# The spec, written out independently of hw/audio/tones.py (docs/audio.md tables the same).
SPEC = {
    "ring": ((1000.0, 1250.0), [0.4, 0.2, 0.4, 2.0], True),
    "ringback": ((425.0,), [1.0, 4.0], True),
    "tot_warning": ((1400.0,), [0.2, 0.2, 0.2, 0.2, 0.2, 0.2], False),
    "denied": ((950.0, 1400.0, 1800.0), [0.6, 0.1], False),
    "alert_advisory": ((587.0, 784.0), [0.5, 9.5], True),
    "alert_warning": ((880.0,), [0.2, 0.15, 0.2, 0.15, 0.2, 3.1], True),
    "alert_critical": (
        (1100.0,),
        [0.15, 0.1, 0.15, 0.1, 0.15, 0.35, 0.15, 0.1, 0.15, 0.6,
         0.15, 0.1, 0.15, 0.1, 0.15, 0.35, 0.15, 0.1, 0.15, 1.0],
        True,
    ),
}  # fmt: skip


def test_every_tone_the_engine_and_alerts_name_is_defined() -> None:
    assert set(TONES) == set(CORE_TONES) | set(ALERT_TONES.values()) == set(SPEC)


@pytest.mark.parametrize("name", sorted(SPEC))
@pytest.mark.parametrize("rate", RATES)
def test_cadence_matches_the_spec(name: str, rate: int) -> None:
    _, stretches, _ = SPEC[name]
    spec = TONES[name]
    plan = schedule(spec, rate)
    assert [round((end - start) / rate, 3) for start, end, _ in plan] == stretches
    assert [sounding for _, _, sounding in plan] == [i % 2 == 0 for i in range(len(stretches))]
    samples = synthesise(spec, rate, 1.0)
    assert len(samples) == round(sum(stretches) * rate)
    measured = runs(samples, rate)
    assert len(measured) == len(plan)
    for (start, end, sounding), (m_start, m_end, m_sounding) in zip(plan, measured, strict=True):
        assert sounding == m_sounding
        assert abs(start - m_start) <= 0.01 * rate and abs(end - m_end) <= 0.01 * rate


@pytest.mark.parametrize("name", sorted(SPEC))
@pytest.mark.parametrize("rate", RATES)
def test_each_burst_sounds_its_frequencies(name: str, rate: int) -> None:
    spec = TONES[name]
    samples = synthesise(spec, rate, 1.0)
    edges = boundaries(spec.bursts, rate)
    heard: list[float] = []
    # measure note by note: a trill's notes, a chime's two notes, each pulse
    for i, burst in enumerate(spec.bursts):
        if burst.freqs:
            piece = samples[edges[i] : edges[i + 1]]
            (f,) = peak_freqs(piece, rate, 1)
            assert f == pytest.approx(burst.freqs[0], abs=max(2.0, rate / len(piece) / 4))
            heard.append(burst.freqs[0])
    assert sorted(set(heard)) == sorted(SPEC[name][0])


def test_the_ring_trill_holds_both_notes_over_a_burst() -> None:
    rate = 16000
    samples = synthesise(TONES["ring"], rate, 1.0)
    first_burst = samples[: round(0.4 * rate)]
    assert sorted(peak_freqs(first_burst, rate, 2)) == pytest.approx([1000.0, 1250.0], abs=1.0)


@pytest.mark.parametrize("volume", [0.0, 0.25, 0.5, 1.0])
def test_level_follows_the_volume(volume: float) -> None:
    for spec in TONES.values():
        samples = synthesise(spec, 16000, volume)
        peak = int(np.abs(samples.astype(int)).max())
        assert peak == pytest.approx(volume * HEADROOM * FULL_SCALE, abs=2), spec.name


def test_volume_is_clamped_and_nothing_clips() -> None:
    loud = synthesise(TONES["ring"], 16000, 7.0)
    assert np.array_equal(loud, synthesise(TONES["ring"], 16000, 1.0))
    assert np.array_equal(synthesise(TONES["ring"], 16000, -1.0), np.zeros_like(loud))


def test_bursts_rise_and_fall_without_a_click() -> None:
    rate = 16000
    for spec in TONES.values():
        samples = synthesise(spec, rate, 1.0).astype(int)
        for start, end, sounding in schedule(spec, rate):
            if sounding:
                assert abs(samples[start]) < 0.01 * FULL_SCALE, spec.name
                assert abs(samples[end - 1]) < 0.01 * FULL_SCALE, spec.name
        # within a stretch no sample jumps by more than the steepest sine can
        steepest = 2 * np.pi * max(spec.freqs) / rate * FULL_SCALE
        assert np.abs(np.diff(samples)).max() <= steepest, spec.name


def test_a_chord_shares_the_headroom() -> None:
    spec = ToneSpec("chord", (Burst(0.5, (400.0, 450.0)),), True, 1, "ring_volume", "")
    samples = synthesise(spec, 16000, 1.0)
    assert np.abs(samples.astype(int)).max() <= HEADROOM * FULL_SCALE + 1
    assert sorted(peak_freqs(samples, 16000, 2)) == pytest.approx([400.0, 450.0], abs=1.0)


def test_continuous_tones_loop_and_cues_play_once() -> None:
    assert {n for n, (_, _, loops) in SPEC.items() if loops} == {
        n for n, s in TONES.items() if s.continuous
    }


def test_priorities_are_distinct_and_as_documented() -> None:
    order = [name for name, _ in sorted(TONES.items(), key=lambda kv: -kv[1].priority)]
    assert order == [
        "tot_warning", "denied", "alert_critical", "ring", "alert_warning", "ringback",
        "alert_advisory",
    ]  # fmt: skip


def test_no_two_tones_sound_alike() -> None:
    signatures = {(s.freqs, tuple(b.seconds for b in s.bursts)) for s in TONES.values()}
    assert len(signatures) == len(TONES)


def test_a_bad_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        synthesise(TONES["ring"], 0, 1.0)
