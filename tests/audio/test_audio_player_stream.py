"""The tone player through a real PortAudio stream on the sandboxed ALSA (no sound card).

What the player writes lands in the sandbox's speaker file byte for byte, so the tests compare it
with the synthesised tone and measure its frequencies and cadence with an FFT.
"""

from __future__ import annotations

import numpy as np
import pytest
from audio_helpers import (
    Hosts,
    after_priming,
    as_samples,
    peak_freqs,
    runs,
    size_of,
    wait_for,
)

from hw.audio.host import AudioHost
from hw.audio.mixer import BYTES_PER_FRAME
from hw.audio.player import PortAudioTonePlayer
from hw.audio.sandbox import SPEAKER, Sandbox
from hw.audio.tones import FULL_SCALE, HEADROOM, TONES, schedule

RATE = 16000


def make_player(
    hosts: Hosts, device: str | int = SPEAKER, **volumes: float
) -> tuple[AudioHost, PortAudioTonePlayer, list[str | None]]:
    faults: list[str | None] = []
    host: AudioHost = hosts(faults.append, poll_s=0.01, cards=lambda: None)
    player = PortAudioTonePlayer(host, device, RATE, volumes, linger_s=0.05)
    host.start()
    return host, player, faults


def test_ring_plays_its_cycle_byte_for_byte_until_stopped(alsa: Sandbox, hosts: Hosts) -> None:
    host, player, faults = make_player(hosts, ring_volume=0.8)
    ring = player.mixer.tones["ring"]
    player.play("ring")
    wait_for(lambda: size_of(alsa.speaker) >= 3 * len(ring.pcm), what="three ring cycles")
    player.stop("ring")
    wait_for(lambda: not player.slot.running, what="the speaker stream to close")
    host.close()
    data = after_priming(alsa.speaker.read_bytes(), ring.pcm)
    cycles = len(data) // len(ring.pcm) + 1
    expected = ring.pcm * cycles
    # the ring from the top of its cadence, then (after stop) silence to the end
    same = next(i for i in range(0, len(data), 2) if data[i : i + 2] != expected[i : i + 2])
    assert same >= 3 * len(ring.pcm)
    assert data[same:] == bytes(len(data) - same)
    assert faults == []

    samples = as_samples(data[: len(ring.pcm)])
    burst = samples[: round(0.4 * RATE)]
    assert sorted(peak_freqs(burst, RATE, 2)) == pytest.approx([1000.0, 1250.0], abs=2.0)
    measured = [(round(a / RATE, 2), round(b / RATE, 2), s) for a, b, s in runs(samples, RATE)]
    spec = [
        (round(a / RATE, 2), round(b / RATE, 2), s) for a, b, s in schedule(TONES["ring"], RATE)
    ]
    assert measured == spec  # 0.4 on, 0.2 off, 0.4 on, 2.0 off
    peak = int(np.abs(samples.astype(int)).max())
    assert peak == pytest.approx(0.8 * HEADROOM * FULL_SCALE, abs=2)


@pytest.mark.parametrize("name", ["denied", "tot_warning"])
def test_a_cue_plays_once(alsa: Sandbox, hosts: Hosts, name: str) -> None:
    host, player, _ = make_player(hosts, warning_volume=0.6)
    cue = player.mixer.tones[name]
    player.play(name)
    wait_for(lambda: player.slot.opens == 1 and not player.slot.running, what="the cue to end")
    host.close()
    data = after_priming(alsa.speaker.read_bytes(), cue.pcm)
    assert data[: len(cue.pcm)] == cue.pcm
    assert len(data) > len(cue.pcm) and data[len(cue.pcm) :] == bytes(len(data) - len(cue.pcm))
    spec = TONES[name]
    start, end, _ = schedule(spec, RATE)[0]
    first = as_samples(data)[start:end]
    if name == "denied":  # 950, 1400, 1800 Hz, 200 ms each
        notes = [first[i * 3200 : (i + 1) * 3200] for i in range(3)]
        assert [peak_freqs(n, RATE)[0] for n in notes] == pytest.approx([950, 1400, 1800], abs=2)
    else:
        assert peak_freqs(first, RATE) == pytest.approx([1400.0], abs=2)


def test_a_critical_alert_takes_over_from_the_ring(alsa: Sandbox, hosts: Hosts) -> None:
    host, player, _ = make_player(hosts)
    ring = player.mixer.tones["ring"]
    critical = player.mixer.tones["alert_critical"]
    player.play("ring")
    wait_for(lambda: size_of(alsa.speaker) >= len(ring.pcm), what="a ring cycle")
    player.play("alert_critical")
    wait_for(lambda: player.sounding == "alert_critical", what="the alert to sound")
    size = size_of(alsa.speaker)
    wait_for(lambda: size_of(alsa.speaker) >= size + len(critical.pcm), what="an alert")
    player.stop("alert_critical")
    wait_for(lambda: player.sounding == "ring", what="the ring to come back")
    player.stop("ring")
    wait_for(lambda: not player.slot.running, what="the stream to close")
    host.close()
    data = after_priming(alsa.speaker.read_bytes(), ring.pcm)
    at = data.find(critical.pcm)  # a whole critical cycle, from its top
    assert at > 0 and at % BYTES_PER_FRAME == 0
    assert data[:at] == (ring.pcm * (at // len(ring.pcm) + 1))[:at]


def test_the_output_device_is_chosen_by_index(alsa: Sandbox, hosts: Hosts) -> None:
    import pyaudio

    pa = pyaudio.PyAudio()
    try:
        names = [pa.get_device_info_by_index(i)["name"] for i in range(pa.get_device_count())]
    finally:
        pa.terminate()
    host, player, _ = make_player(hosts, device=names.index(SPEAKER))
    player.play("denied")
    wait_for(lambda: player.slot.opens == 1 and not player.slot.running, what="the cue")
    assert player.slot.device_info is not None and player.slot.device_info.name == SPEAKER
    host.close()
    denied = player.mixer.tones["denied"].pcm
    assert after_priming(alsa.speaker.read_bytes(), denied).startswith(denied)


def test_an_unknown_tone_is_ignored(alsa: Sandbox, hosts: Hosts) -> None:
    host, player, _ = make_player(hosts)
    player.play("klaxon")
    host.service()
    assert not player.slot.running and player.mixer.requested() == frozenset()
