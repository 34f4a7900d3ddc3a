"""Call recording through a real PortAudio input stream on the sandboxed ALSA.

With plain files the capture runs flat out, reading the sandbox microphone file: the WAV must hold
that file's samples in order (a buffer dropped to an overrun is silence in its place, never a
shift). With paced FIFOs it runs at the sample rate, like a sound card.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from audio_helpers import Hosts, Paced, as_samples, peak_freqs, wait_for

from hw.audio.host import AudioHost
from hw.audio.marks import Transmission
from hw.audio.recorder import CallRecorder
from hw.audio.recordings import read_recording
from hw.audio.sandbox import MIC, Sandbox

RATE = 16000


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getframerate(), as_samples(w.readframes(w.getnframes()))


def make_recorder(
    hosts: Hosts,
    device: str | int = MIC,
    cards: Callable[[], str | None] = lambda: None,
    **kwargs: Any,
) -> tuple[AudioHost, CallRecorder, list[str | None]]:
    faults: list[str | None] = []
    host: AudioHost = hosts(faults.append, poll_s=0.01, cards=cards)
    recorder = CallRecorder(host, device, RATE, **kwargs)
    return host, recorder, faults


def test_a_call_is_recorded_sample_for_sample(alsa: Sandbox, hosts: Hosts, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    source = rng.integers(-20000, 20000, RATE * 240, dtype=np.int16)
    source[source == 0] = 1  # so that silence can only mean a dropped buffer
    alsa.mic.write_bytes(source.astype("<i2").tobytes())
    host, recorder, faults = make_recorder(hosts)
    host.start()
    path = recorder.start_recording(12, tmp_path / "rec")
    wait_for(lambda: recorder.frames >= RATE, what="a second recorded")
    tx_start = recorder.mark_transmission("start")
    assert tx_start is not None
    wait_for(lambda: recorder.frames >= tx_start + RATE, what="a second more")
    tx_end = recorder.mark_transmission("end")
    info = recorder.stop_recording()
    assert recorder.writer.sync()
    assert info is not None and info.path == path and path.name.startswith("call-000012-")
    assert tx_start is not None and tx_end is not None and RATE <= tx_start < tx_end <= info.frames
    assert info.transmissions == (Transmission(tx_start, tx_end),)

    rate, samples = read_wav(path)
    assert rate == RATE and len(samples) == info.frames >= 2 * RATE
    overlap = min(len(samples), len(source))
    got, fed = samples[:overlap], source[:overlap]
    assert np.all((got == fed) | (got == 0))  # in order; a lost buffer is silence, no shift
    lost = int(np.count_nonzero(got == 0))
    assert lost <= (info.overruns + 1) * recorder.slot.frames_per_buffer * 2
    assert read_recording(path).transmissions == info.transmissions  # the marks file agrees
    wait_for(lambda: not recorder.slot.running, what="the input to close after the call")
    assert faults == []
    assert recorder.close()


def test_a_paced_recording_holds_the_tone_it_heard(
    paced_alsa: Paced, hosts: Hosts, tmp_path: Path
) -> None:
    host, recorder, faults = make_recorder(hosts)
    host.start()
    path = recorder.start_recording(3, tmp_path)
    wait_for(lambda: recorder.frames >= RATE, what="a second recorded")
    info = recorder.stop_recording()
    assert recorder.writer.sync() and info is not None
    rate, samples = read_wav(path)
    assert len(samples) == info.frames and info.overruns == 0 and info.resumes == ()
    assert peak_freqs(samples, rate) == pytest.approx([1000.0], abs=1.0)
    # a paced device delivers about a second in a second: the first buffers may come at once
    assert RATE <= info.frames <= 3 * RATE
    assert faults == []
    recorder.close()


def test_a_missing_microphone_is_a_fault_and_recording_starts_when_it_appears(
    alsa: Sandbox, hosts: Hosts, tmp_path: Path
) -> None:
    alsa.mic.write_bytes(np.full(RATE * 240, 1000, dtype="<i2").tobytes())
    alsa.write(mic=False)  # unplugged before the desk started
    cards = ["card 0: speaker only"]
    host, recorder, faults = make_recorder(hosts, cards=lambda: cards[0])
    host.service()
    assert faults == [f'microphone: input device "{MIC}" not found']
    path = recorder.start_recording(5, tmp_path)  # the call goes on without it
    host.service()
    assert recorder.writer.sync() and path.exists() and not recorder.slot.running

    alsa.write(mic=True)  # plugged in: the kernel's card list changes
    cards[0] = "card 0: speaker\ncard 1: USB microphone"
    host.service()
    assert recorder.slot.running and faults[-1] is None
    wait_for(lambda: recorder.frames >= RATE // 2, what="half a second recorded")
    info = recorder.stop_recording()
    assert recorder.writer.sync() and info is not None and info.path == path
    _, samples = read_wav(path)
    assert len(samples) == info.frames > 0 and set(np.unique(samples)) <= {0, 1000}
    assert info.resumes == ()  # nothing was recorded before it came: no join to mark
    recorder.close()


def test_the_speaker_failing_mid_tone_is_reported_and_the_tone_goes_on(
    paced_alsa: Paced, hosts: Hosts
) -> None:
    from hw.audio.player import PortAudioTonePlayer

    faults: list[str | None] = []
    host: AudioHost = hosts(faults.append, poll_s=0.01, cards=lambda: None)
    player = PortAudioTonePlayer(host, "default", RATE, {}, linger_s=0.05)
    host.start()
    player.play("ring")
    wait_for(lambda: len(paced_alsa.speaker.played) > RATE, what="half a second played")
    paced_alsa.speaker.cut()  # the sound card goes away under the stream
    wait_for(lambda: any(f and "speaker lost" in f for f in faults), what="the fault")
    wait_for(lambda: player.slot.opens >= 2 and faults[-1] is None, what="recovery")
    heard = len(paced_alsa.speaker.played)
    wait_for(lambda: len(paced_alsa.speaker.played) > heard + RATE // 2, what="the ring again")
    assert player.sounding == "ring"
    player.stop("ring")
