"""Instant recall: time from the key to the first recalled sample out, during a live call.

Real PortAudio streams on the paced ALSA sandbox (FIFOs fed and drained at 16 kHz, as a sound
card would). A call is answered through the engine and recorded; the far end talks for a second
(RX 1 .. RX 0), the recording goes on. Then, 20 times, the operator's key (`Engine.recall_pick(1)`,
what `g` and the list's Enter do) replays that transmission from the live recording, with the
speaker stream closed beforehand (it closes when nothing sounds), so each time counts opening it.

- to the callback: until PortAudio's callback first hands recalled samples to the device (the
  stream opened, PortAudio's priming silence written, room in the device's buffer);
- first sample out: that, plus the time PortAudio gives that buffer to reach the DAC (the
  callback's `output_buffer_dac_time - current_time`, or where the device gives no times, as the
  sandbox's plugins do not, the stream's reported output latency). Goal < 150 ms.
- at the sandbox speaker, for information: until the samples come out of the sandbox's FIFO, which
  drains at the sample rate. This also holds the FIFO's own buffer (the smallest Linux allows, one
  page: 128 ms at 16 kHz), filled with priming silence first, which a sound card does not have.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Figure
from hw.audio.calls import CallRecording
from hw.audio.host import AudioHost, StreamSlot, pyaudio_factory
from hw.audio.player import PortAudioTonePlayer
from hw.audio.quiet import quiet_native_stderr
from hw.audio.recall import HeadsetRecall, read_frames
from hw.audio.recorder import CallRecorder
from hw.audio.sandbox import MIC, SPEAKER, PacedMic, PacedSpeaker, sandbox_environment, write_config
from terminal.core import events
from terminal.core.calls import CallSettings
from terminal.engine import Engine, EngineOptions

RATE = 16000
TRIALS = 20
GOAL_MS = 150.0
PIPE_BYTES = 4096  # the smallest FIFO buffer Linux allows: 128 ms at 16 kHz
NOISE = np.random.default_rng(18).integers(-12000, 12000, RATE * 120, dtype=np.int16)
NOISE[NOISE == 0] = 1


class FirstRecall:
    """Wraps the speaker's callback: when it first hands out a new recall's samples."""

    def __init__(self, slot: StreamSlot, player: PortAudioTonePlayer) -> None:
        self.inner = slot.callback
        self.player = player
        self.seen = 0
        self.at: dict[int, float] = {}  # recall generation -> perf_counter of its first buffer
        self.dac_s: dict[int, float] = {}  # ... and how long until that buffer reaches the DAC
        slot.callback = self  # type: ignore[method-assign,assignment]

    def __call__(self, in_data: bytes | None, frames: int, info: Any, status: int) -> Any:
        out = self.inner(in_data, frames, info, status)
        started = self.player.mixer.recall_started
        if started != self.seen:
            self.seen = started
            self.at[started] = time.perf_counter()
            if isinstance(info, dict):
                ahead = info.get("output_buffer_dac_time", 0.0) - info.get("current_time", 0.0)
                self.dac_s[started] = max(0.0, float(ahead))
        return out


def _quiet_factory() -> Any:
    with quiet_native_stderr():
        return pyaudio_factory()


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.0005)


def _measure(tmp: Path) -> dict[str, Any]:
    box = write_config(tmp / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, lambda start, count: NOISE[start : start + count].tobytes())
    speaker = PacedSpeaker(box.speaker, RATE, pipe_bytes=PIPE_BYTES)
    mic.start()
    speaker.start()
    host = AudioHost(poll_s=0.5, cards=lambda: None, factory=_quiet_factory)
    player = PortAudioTonePlayer(host, SPEAKER, RATE, {}, linger_s=0.05)
    recorder = CallRecorder(host, MIC, RATE)
    recall = HeadsetRecall(recorder, player)
    first = FirstRecall(player.slot, player)
    engine = Engine(EngineOptions(call=CallSettings()))
    engine.attach(tones=player, recall=recall)
    engine.on_event(CallRecording(recorder, tmp / "recordings"))
    callback_ms: list[float] = []
    device_ms: list[float] = []
    latency: list[float] = []
    try:
        host.start()
        for event in (events.LinkUp, events.RingReceived, events.AnswerPressed):
            engine.feed(event(engine.clock()))
        _wait(lambda: recorder.frames >= RATE // 2, 10.0, "the call recording")
        engine.feed(events.RxChanged(engine.clock(), True))
        start = recorder.frames
        _wait(lambda: recorder.frames >= start + RATE, 10.0, "the far end talking")
        engine.feed(events.RxChanged(engine.clock(), False))
        path = recorder.recording
        if path is None or not recorder.writer.flush(5.0):
            raise RuntimeError("no live recording to recall")
        head = read_frames(path, start, start + 160, RATE)  # the stretch's first 10 ms
        for _ in range(TRIALS):
            _wait(lambda: not player.slot.running, 5.0, "the speaker to close")
            seen = len(speaker.played)
            generation = player.mixer.recall_started
            t0 = time.perf_counter()
            if not engine.recall_pick(1):
                raise RuntimeError(f"recall refused: {engine.snapshot.notices[-1].text}")
            _wait(lambda at=seen: head in speaker.played[at:], 5.0, "the recall on the speaker")
            device_ms.append((time.perf_counter() - t0) * 1000)
            out = next(g for g in first.at if g > generation)
            callback_ms.append((first.at[out] - t0) * 1000)
            dac_s = first.dac_s.get(out, 0.0)
            stream = player.slot.stream
            if dac_s <= 0.0 and stream is not None:  # ALSA's plugins give no DAC times
                dac_s = float(stream.get_output_latency())
            latency.append(dac_s * 1000)
            engine.intent("recall_stop")
        recorded = recorder.frames
        time.sleep(0.2)
        if recorder.frames <= recorded or recorder.recording != path:
            raise RuntimeError("the recording stopped during the recalls")
        engine.intent("hangup")
        return {"callback": callback_ms, "device": device_ms, "latency": latency,
                "overruns": recorder.overruns, "failures": recall.failures}  # fmt: skip
    finally:
        recall.close()
        host.close()
        recorder.close()
        mic.stop()
        speaker.stop()


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def run() -> list[Figure]:
    """Key to first recalled sample, at the callback and at the (paced) device."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp,
        sandbox_environment(Path(tmp) / "alsa" / "asound.conf"),
    ):
        m = _measure(Path(tmp))
    goal = f"< {GOAL_MS:g} ms"
    note = f"{TRIALS} recalls in a live call, speaker stream closed before each"
    out = [c + lat for c, lat in zip(m["callback"], m["latency"], strict=True)]
    return [
        Figure("recall_open_p50", _q(out, 0.5), "ms", f"{goal} (key to first sample out)"),
        Figure("recall_open_max", _q(out, 1.0), "ms", f"{goal}; {note}"),
        Figure("recall_open_callback_p50", _q(m["callback"], 0.5), "ms",
               "- (key to the callback handing out the first recalled samples)"),
        Figure("recall_open_callback_max", _q(m["callback"], 1.0), "ms", "- (for information)"),
        Figure("recall_output_latency", _q(m["latency"], 1.0), "ms",
               "- (callback to DAC, as PortAudio gives it)"),
        Figure("recall_open_sandbox_speaker_p50", _q(m["device"], 0.5), "ms",
               f"- (at the sandbox FIFO speaker: includes its {PIPE_BYTES * 500 // RATE} ms pipe "
               "buffer, which a sound card does not have)"),
        Figure("recall_recording_overruns", m["overruns"], "buffers lost",
               "0 (the recording goes on throughout)"),
        Figure("recall_read_failures", m["failures"], "recalls", "0"),
    ]  # fmt: skip
