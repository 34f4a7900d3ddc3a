"""Instant recall on the sandboxed ALSA: the far end's transmissions, marked in the call recording,
are read back and played on the speaker (headset) stream, never sent towards the radio.

The microphone is fed noise from a fixed seed at 16 kHz, so every stretch of the recording is
unique: finding a stretch's exact bytes in what the speaker played proves which one was recalled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import wait_for

from hw.audio import DeskAudio, open_audio
from hw.audio.calls import CallRecording
from hw.audio.marks import Transmission
from hw.audio.mixer import ToneMixer, render_tones
from hw.audio.recall import HeadsetRecall, read_frames
from hw.audio.recordings import read_recording
from hw.audio.sandbox import ENV, MIC, SPEAKER, PacedMic, PacedSpeaker, write_config
from hw.audio.wavfile import HEADER_SIZE, WavError, WavFormat, header
from terminal.config.model import AudioConfig
from terminal.core import events
from terminal.core.calls import CallSettings
from terminal.engine import Engine, EngineOptions

RATE = 16000
NOISE = np.random.default_rng(18).integers(-12000, 12000, RATE * 120, dtype=np.int16)
NOISE[NOISE == 0] = 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Bridge:
    """The radio bridge's side of the engine: every command it was sent."""

    is_up = True

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_command(self, command: str, reason: str) -> None:
        self.sent.append(command)

    def fail_safe_unkey(self, reason: str, timeout_s: float) -> bool:
        self.sent.append("UNKEY")
        return True


class Rig:
    def __init__(self, audio: DeskAudio, speaker: PacedSpeaker, mic: PacedMic) -> None:
        self.audio, self.speaker, self.mic = audio, speaker, mic
        self.clock = Clock()
        self.bridge = Bridge()
        self.engine = Engine(EngineOptions(call=CallSettings()), clock=self.clock)
        self.engine.attach(bridge=self.bridge, tones=audio.player, recall=audio.recall)
        self.engine.on_event(audio.calls)

    def feed(self, event: events.Event) -> None:
        self.clock.now += 0.1
        self.engine.feed(event)

    def frames(self) -> int:
        recorder = self.audio.recorder
        return recorder.frames  # type: ignore[union-attr]

    def receive(self, seconds: float) -> Transmission:
        """The far end talks for `seconds` of recorded audio; the stretch as marked."""
        self.feed(events.RxChanged(self.clock.now, True))
        start = self.frames()
        wait_for(lambda: self.frames() >= start + seconds * RATE, what="the far end talking")
        self.feed(events.RxChanged(self.clock.now, False))
        source = self.audio.recall.source()
        assert source is not None
        last = source.received[-1]
        return Transmission(last.start, last.end)


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    box = write_config(tmp_path / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, lambda start, count: NOISE[start : start + count].tobytes())
    speaker = PacedSpeaker(box.speaker, RATE)
    mic.start()
    speaker.start()
    monkeypatch.setenv(ENV, str(box.config))
    settings = AudioConfig(output_device=SPEAKER, input_device=MIC, sample_rate=RATE)
    audio = open_audio(settings, tmp_path / "log", cards=lambda: None)
    assert audio.host is not None
    audio.host.poll_s = 0.01
    audio.player.linger_s = 0.05  # type: ignore[union-attr]
    audio.start()
    yield Rig(audio, speaker, mic)
    audio.close()
    mic.stop()
    speaker.stop()


def stretch_bytes(wav: Path, t: Transmission) -> bytes:
    assert t.end is not None
    data = wav.read_bytes()[HEADER_SIZE:]
    return data[t.start * 2 : t.end * 2]


def test_recall_during_a_call_plays_the_last_then_the_one_before_on_the_headset(
    rig: Rig,
) -> None:
    rig.feed(events.LinkUp(rig.clock.now))
    rig.feed(events.RingReceived(rig.clock.now))
    rig.feed(events.AnswerPressed(rig.clock.now))
    recorder = rig.audio.recorder
    wait_for(lambda: recorder.slot.running, what="the microphone")  # type: ignore[union-attr]
    wait_for(lambda: rig.frames() >= RATE // 4, what="the call recording")
    first = rig.receive(0.4)
    wait_for(lambda: rig.frames() >= (first.end or 0) + RATE // 5, what="a pause")
    second = rig.receive(0.3)
    path = recorder.recording
    assert path is not None
    sent_before = list(rig.bridge.sent)

    assert rig.engine.snapshot.recall.live
    assert [(i.start, i.end) for i in rig.engine.snapshot.recall.items] == [
        (second.start, second.end), (first.start, first.end)
    ]  # fmt: skip
    rig.engine.intent("recall")
    assert rig.engine.snapshot.recall.playing == 1
    frames_at_recall = rig.frames()
    wait_for(lambda: stretch_bytes(path, second) in rig.speaker.played, what="the last one")
    rig.clock.now += 0.2  # pressed again while it still plays: the one before
    rig.engine.intent("recall")
    wait_for(lambda: stretch_bytes(path, first) in rig.speaker.played, what="the one before")

    # the recording went on throughout, in the same file; the radio was never asked for anything
    assert recorder.recording == path and rig.frames() > frames_at_recall
    assert rig.bridge.sent == sent_before
    assert "Recall 2: received" in rig.engine.snapshot.notices[-1].text

    rig.clock.now += 0.1
    rig.engine.intent("ptt_toggle")  # PTT stops the recall at once and keys as normal
    assert not rig.audio.player.mixer.recalling()  # type: ignore[union-attr]
    assert rig.bridge.sent[-1] == "KEY" and rig.engine.snapshot.call.keyed
    rig.engine.intent("recall")  # never while keyed
    assert not rig.audio.player.mixer.recalling()  # type: ignore[union-attr]
    assert "while transmitting" in rig.engine.snapshot.notices[-1].text
    rig.feed(events.PttReleased(rig.clock.now))
    rig.feed(events.HangupPressed(rig.clock.now))
    assert recorder.writer.sync()  # type: ignore[union-attr]
    info = read_recording(path)
    assert info.receptions == (first, second)  # the marks file agrees


def test_after_the_call_recall_plays_and_a_new_ring_stops_it(rig: Rig) -> None:
    rig.feed(events.LinkUp(rig.clock.now))
    rig.feed(events.RingReceived(rig.clock.now))
    rig.feed(events.AnswerPressed(rig.clock.now))
    wait_for(lambda: rig.frames() >= RATE // 4, what="the call recording")
    rig.feed(events.RxChanged(rig.clock.now, True))  # the far end talks to the end of the call
    start = rig.frames()
    wait_for(lambda: rig.frames() >= start + 3 * RATE, what="three seconds of it")
    path = rig.audio.recorder.recording
    assert path is not None
    rig.feed(events.FarHungUp(rig.clock.now))
    assert rig.audio.recorder.writer.sync()  # type: ignore[union-attr]
    assert not rig.engine.snapshot.recall.live
    (item,) = rig.engine.snapshot.recall.items
    assert item.start == start and item.seconds >= 3.0

    rig.engine.intent("recall")
    head = path.read_bytes()[HEADER_SIZE + start * 2 :][: RATE // 2]
    wait_for(lambda: head in rig.speaker.played, what="the recall on the speaker")
    assert rig.audio.player.mixer.recalling()  # type: ignore[union-attr]
    rig.feed(events.RingReceived(rig.clock.now))  # a new call: its ring must be heard
    assert not rig.audio.player.mixer.recalling()  # type: ignore[union-attr]
    ring = rig.audio.player.mixer.tones["ring"].pcm  # type: ignore[union-attr]
    wait_for(lambda: ring[:3200] in rig.speaker.played, what="the ring after the recall")
    rig.engine.intent("recall")  # and recall waits while it rings
    assert "rings" in rig.engine.snapshot.notices[-1].text
    rig.feed(events.RejectPressed(rig.clock.now))


def test_a_live_recording_reads_by_its_length_not_its_header(tmp_path: Path) -> None:
    wav = tmp_path / "call-000001-20261207T174000Z.wav"
    pcm = NOISE[: RATE].tobytes()
    wav.write_bytes(header(WavFormat(RATE), 0) + pcm + b"\x01")  # stale header, a torn frame
    assert read_frames(wav, 100, 300, RATE) == pcm[200:600]
    assert read_frames(wav, RATE - 10, RATE + 500, RATE) == pcm[-20:]  # only what is on disk
    assert read_frames(wav, RATE + 5, RATE + 10, RATE) == b""
    with pytest.raises(WavError, match="8000 Hz"):
        read_frames(wav, 0, 10, 8000)


def test_a_recall_that_cannot_be_read_is_counted_and_nothing_plays(
    rig: Rig, tmp_path: Path
) -> None:
    recall = rig.audio.recall
    assert isinstance(recall, HeadsetRecall)
    from terminal.core.recall import Play, RecallItem, RecallSource

    gone = RecallSource(1, str(tmp_path / "gone.wav"), 0, RATE, RATE, (), False)
    recall.play(Play(RecallItem(1, 0, RATE, 0, 1.0), gone))
    wait_for(lambda: recall.failures == 1, what="the failure to be counted")
    assert recall.played == 0 and not rig.audio.player.mixer.recalling()  # type: ignore[union-attr]


def test_the_mixer_plays_a_recall_once_with_tones_mixed_over_it() -> None:
    mixer = ToneMixer(render_tones(RATE, {}), clock=lambda: 0.0)
    recall = np.full(800, 30000, dtype="<i2").tobytes()
    mixer.recall(recall)
    assert mixer.busy() and mixer.recalling()
    assert mixer.render(320) == recall[:640]
    mixer.request("ring")
    mixed = np.frombuffer(mixer.render(320), dtype="<i2")
    ring = np.frombuffer(mixer.tones["ring"].pcm[:640], dtype="<i2")  # from its top
    expected = np.clip(ring.astype(int) + 30000, -32768, 32767)
    assert np.array_equal(mixed, expected)  # the ring is heard over it, clipped, not dropped
    mixer.cancel("ring")
    last = mixer.render(320)
    assert last == recall[1280:] + bytes(640 - 320)  # its end, then silence
    assert not mixer.recalling() and mixer.render(320) == bytes(640)
    mixer.recall(recall)
    mixer.cancel_recall()
    assert not mixer.recalling() and mixer.render(320) == bytes(640)


def test_rx_reports_are_marked_only_within_the_call(tmp_path: Path) -> None:
    class Log:
        def __init__(self) -> None:
            self.actions: list[str] = []

        def start_recording(self, call_id: int, directory: Path) -> Path:
            self.actions.append("start")
            return directory / "x.wav"

        def mark_transmission(self, edge: str) -> int:
            self.actions.append(f"tx {edge}")
            return 0

        def mark_reception(self, edge: str) -> int:
            self.actions.append(f"rx {edge}")
            return 0

        def stop_recording(self, open_calls: object = ()) -> None:
            self.actions.append("stop")

    log = Log()
    calls = CallRecording(log, tmp_path)
    calls("event", {"type": "RxChanged", "at": 1.0, "active": True})  # before the call
    calls("effect", {"type": "CallAnswered", "call_id": 3})
    calls("event", {"type": "RxChanged", "at": 2.0, "active": True})  # a repeat: no new mark
    calls("event", {"type": "RxChanged", "at": 3.0, "active": False})
    calls("event", {"type": "RxChanged", "at": 4.0, "active": True})
    calls("event", {"type": "LinkDown", "at": 5.0, "reason": "cable"})  # ends the reception
    calls("effect", {"type": "CallEnded", "call_id": 3})
    calls("event", {"type": "RxChanged", "at": 6.0, "active": True})  # after the call
    assert log.actions == ["start", "rx start", "rx end", "rx start", "rx end", "stop"]



def test_the_engine_says_why_recall_is_refused_and_clears_playing_when_it_ends() -> None:
    import asyncio

    from terminal.core.recall import Play, RecallSource, Stretch

    class Heard:
        """The recall adapter's side: what the engine asked it to play and stop."""

        def __init__(self) -> None:
            self.played: list[Play] = []
            self.stops = 0
            self.src = RecallSource(1, "/r.wav", 0, RATE, 2 * RATE,
                                    (Stretch(0, RATE // 20),), live=True)  # fmt: skip

        def source(self) -> RecallSource | None:
            return self.src

        def play(self, play: Play) -> None:
            self.played.append(play)

        def stop(self) -> None:
            self.stops += 1

    async def main() -> None:
        engine = Engine(EngineOptions(call=CallSettings()))
        engine.bind_loop(asyncio.get_running_loop())
        engine.intent("recall")  # no adapter: nothing recorded to recall
        assert "No received transmission" in engine.snapshot.notices[-1].text
        heard = Heard()
        engine.attach(recall=heard)
        assert engine.recall_pick(1)
        assert engine.snapshot.recall.playing == 1 and len(heard.played) == 1
        await asyncio.sleep(0.05 + 0.35)  # its 50 ms, then the margin
        assert engine.snapshot.recall.playing is None
        engine.intent("recall_stop")
        assert heard.stops == 1
        assert not engine.recall_pick(5)
        assert "No received transmission 5" in engine.snapshot.notices[-1].text
        engine.fail_safe("test")
        assert heard.stops == 2 and not engine.recall_pick(1)

    asyncio.run(main())
