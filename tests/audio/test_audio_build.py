"""The audio adapter as the desk builds it from [audio], driven by the real engine and core."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from audio_helpers import Paced, as_samples, peak_freqs, wait_for
from pytest_mock import MockerFixture

from hw.audio import DeskAudio, NullRecorder, NullTonePlayer, RecordingInfo, open_audio
from hw.audio.build import DISABLED
from hw.audio.calls import CallRecording
from hw.audio.player import PortAudioTonePlayer
from hw.audio.recordings import recordings_dir
from hw.audio.sandbox import MIC, SPEAKER
from hw.audio.wavfile import WavFormat, header
from terminal.config.model import AudioConfig
from terminal.core import events
from terminal.core.calls import CallSettings
from terminal.engine import Engine, EngineOptions

RATE = 16000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_disabled_audio_is_silent_and_never_starts_portaudio(
    mocker: MockerFixture, tmp_path: Path
) -> None:
    portaudio = mocker.patch("pyaudio.PyAudio")
    audio = open_audio(AudioConfig(enabled=False), tmp_path)
    assert isinstance(audio.player, NullTonePlayer) and isinstance(audio.recorder, NullRecorder)
    assert audio.notice == DISABLED and audio.start() == [] and audio.ok
    audio.player.play("ring")
    assert audio.player.requested == {"ring"}
    audio.player.stop("ring")
    audio.calls("effect", {"type": "CallAnswered", "call_id": 1})
    audio.calls("effect", {"type": "CallEnded", "call_id": 1})
    audio.close()
    portaudio.assert_not_called()
    assert not recordings_dir(tmp_path).exists()


def test_settings_reach_the_player_and_recorder(mocker: MockerFixture, tmp_path: Path) -> None:
    mocker.patch("pyaudio.PyAudio")
    settings = AudioConfig(output_device=3, input_device="USB", sample_rate=8000,
                           ring_volume=0.25, recordings_max_mb=5)  # fmt: skip
    audio = open_audio(settings, tmp_path)
    assert isinstance(audio.player, PortAudioTonePlayer)
    assert (audio.player.slot.device, audio.player.slot.rate) == (3, 8000)
    assert (audio.recorder.slot.device, audio.recorder.slot.rate) == ("USB", 8000)  # type: ignore[union-attr]
    assert audio.max_bytes == 5 * 1024 * 1024 and audio.directory == tmp_path / "recordings"
    ring = audio.player.mixer.tones["ring"]
    assert max(as_samples(ring.pcm)) == pytest.approx(0.25 * 0.9 * 32767, abs=2)
    audio.close()


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[int, RecordingInfo]] = []

    def __call__(self, call_id: int, info: RecordingInfo) -> None:
        self.calls.append((call_id, info))


def test_a_call_through_the_engine_rings_and_is_recorded(paced_alsa: Paced, tmp_path: Path) -> None:
    log_dir = tmp_path / "log"
    damaged = recordings_dir(log_dir) / "call-000001-20250301T120000Z.wav"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(header(WavFormat(RATE), 0) + bytes(3200))  # left by a crash
    faults: list[str | None] = []
    settings = AudioConfig(output_device=SPEAKER, input_device=MIC, sample_rate=RATE)
    audio: DeskAudio = open_audio(settings, log_dir, faults.append, cards=lambda: None)
    assert isinstance(audio.player, PortAudioTonePlayer) and audio.host is not None
    audio.host.poll_s = 0.01
    audio.player.linger_s = 0.05
    recorded = Recorded()
    audio.calls.on_finished = recorded
    mended = audio.start()
    assert [(m.path, m.frames) for m in mended] == [(damaged, 1600)]

    clock = Clock()
    engine = Engine(EngineOptions(call=CallSettings()), clock=clock)
    engine.attach(tones=audio.player)
    engine.on_event(audio.calls)
    ring = audio.player.mixer.tones["ring"].pcm
    engine.feed(events.LinkUp(clock.now))
    engine.feed(events.RingReceived(clock.now))
    wait_for(lambda: ring[:3200] in paced_alsa.speaker.played, what="the ring on the speaker")
    clock.now += 1
    engine.feed(events.AnswerPressed(clock.now))
    assert audio.player.mixer.requested() == frozenset()
    wait_for(lambda: audio.recorder.slot.running, what="the microphone")  # type: ignore[union-attr]
    clock.now += 1
    engine.feed(events.PttPressed(clock.now))
    wait_for(lambda: paced_alsa.mic.sent > RATE, what="a second spoken")
    clock.now += 1
    engine.feed(events.PttReleased(clock.now))
    engine.feed(events.HangupPressed(clock.now))
    assert audio.recorder.writer.sync()  # type: ignore[union-attr]

    ((call_id, info),) = recorded.calls
    assert info.path.parent == recordings_dir(log_dir) and info.path.name.startswith(
        f"call-{call_id:06d}-"
    )
    assert len(info.transmissions) == 1 and info.transmissions[0].end is not None
    with wave.open(str(info.path)) as w:
        samples = as_samples(w.readframes(w.getnframes()))
    assert len(samples) == info.frames and info.frames >= RATE // 2
    assert peak_freqs(samples, RATE) == pytest.approx([1000.0], abs=1.0)
    assert faults == [] and audio.ok
    audio.close()


def test_recording_follows_only_the_connected_call(tmp_path: Path) -> None:
    class Log:
        def __init__(self) -> None:
            self.actions: list[str] = []

        def start_recording(self, call_id: int, directory: Path) -> Path:
            self.actions.append(f"start {call_id}")
            return directory / "x.wav"

        def mark_transmission(self, edge: str) -> int:
            self.actions.append(edge)
            return 0

        def stop_recording(self, open_calls: object = ()) -> None:
            self.actions.append("stop")

    log = Log()
    calls = CallRecording(log, tmp_path)
    calls("event", {"type": "CallAnswered", "call_id": 1})  # an event, not the effect
    calls("effect", {"type": "TransmissionStarted", "call_id": 1})  # no call connected yet
    calls("effect", {"type": "CallAnswered", "call_id": 2})
    calls("effect", {"type": "TransmissionStarted", "call_id": 9})  # some other call
    calls("effect", {"type": "TransmissionStarted", "call_id": 2})
    calls("effect", {"type": "TransmissionEnded", "call_id": 2, "duration_s": 1.0})
    calls("effect", {"type": "PlayTone", "name": "ring"})
    calls("effect", {"type": "CallEnded", "call_id": 2})
    calls("effect", {"type": "CallEnded", "call_id": 2})
    assert log.actions == ["start 2", "start", "end", "stop"]
