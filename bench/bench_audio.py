"""Audio: PortAudio callback time per buffer, and a 10,000-alert burst while a call is recorded.

Real PortAudio streams on a sandboxed ALSA whose devices are FIFOs, fed and drained at 16 kHz by
threads (hw.audio.sandbox), so the callbacks come every 20 ms as from a sound card. The ring plays
and the call is recorded throughout. Each callback is timed from PortAudio's side (the whole
callback, heartbeat included): its own CPU time (the cost of our code, held to the goal) and its
wall time, which also holds preemption by other load and waits for the GIL (up to the 5 ms switch
interval while another thread is busy). Then the loop asks for 10,000 alerts — for each, play one
alert tone and stop the previous — yielding to the loop after each; the recording must lose
nothing. Goals: callbacks within 5% of the buffer (CPU p99 < 1 ms), no overrun, queue far from full.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import Figure
from hw.audio.host import AudioHost, StreamSlot, pyaudio_factory
from hw.audio.mixer import ToneMixer, render_tones
from hw.audio.player import PortAudioTonePlayer
from hw.audio.quiet import quiet_native_stderr
from hw.audio.recorder import CallRecorder
from hw.audio.sandbox import (
    MIC,
    SPEAKER,
    PacedMic,
    PacedSpeaker,
    sandbox_environment,
    sine,
    write_config,
)

RATE = 16000
BUFFER = 320  # frames: 20 ms
BUFFER_US = BUFFER / RATE * 1e6
ALERTS = 10_000
ALERT_TONES = ("alert_advisory", "alert_warning", "alert_critical")
STEADY_S = 5.0
AFTER_S = 1.0
GOAL_US = 1000.0


class Timed:
    """Wraps a slot's callback (before its stream opens) to time each call from PortAudio."""

    def __init__(self, slot: StreamSlot, probe: Callable[[], int] | None = None) -> None:
        self.inner = slot.callback
        self.probe = probe
        self.times_ns: list[int] = []  # wall time, preemption included
        self.cpu_ns: list[int] = []  # this thread's CPU time: the callback's own cost
        self.peak = 0
        slot.callback = self  # type: ignore[method-assign,assignment]

    def __call__(self, in_data: bytes | None, frames: int, info: Any, status: int) -> Any:
        start, cpu = time.perf_counter_ns(), time.thread_time_ns()
        out = self.inner(in_data, frames, info, status)
        self.cpu_ns.append(time.thread_time_ns() - cpu)
        self.times_ns.append(time.perf_counter_ns() - start)
        if self.probe is not None:
            self.peak = max(self.peak, self.probe())
        return out

    def mark(self) -> int:
        """Where the timings are now (to take a slice later)."""
        return len(self.times_ns)


def _p(values_ns: list[int], q: float) -> float:
    """The q-quantile in microseconds."""
    if not values_ns:
        return float("nan")
    ordered = sorted(values_ns)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000.0


def _quiet_factory() -> Any:
    with quiet_native_stderr():
        return pyaudio_factory()


async def _burst(player: PortAudioTonePlayer) -> float:
    """10,000 alerts from the loop: play one alert tone, stop the previous; seconds taken."""
    start = time.perf_counter()
    for i in range(ALERTS):
        player.play(ALERT_TONES[i % 3])
        player.stop(ALERT_TONES[(i - 1) % 3])
        await asyncio.sleep(0)
    return time.perf_counter() - start


def _render_us() -> float:
    """Mean time to render one buffer with three tones asked for (no PortAudio), best of 5."""
    mixer = ToneMixer(render_tones(RATE, {}))
    for name in ("ring", "alert_warning", "ringback"):
        mixer.request(name)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(5000):
            mixer.render(BUFFER)
        best = min(best, (time.perf_counter_ns() - start) / 5000 / 1000.0)
    return best


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.005)


def _measure(tmp: Path) -> dict[str, float]:
    box = write_config(tmp / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, sine(300.0, RATE))
    speaker = PacedSpeaker(box.speaker, RATE)
    mic.start()
    speaker.start()
    host = AudioHost(poll_s=0.05, cards=lambda: None, factory=_quiet_factory)
    player = PortAudioTonePlayer(host, SPEAKER, RATE, {}, linger_s=5.0)
    recorder = CallRecorder(host, MIC, RATE)
    play = Timed(player.slot)
    record = Timed(recorder.slot, probe=lambda: recorder._sent - recorder.writer.taken)
    try:
        host.start()
        recorder.start_recording(1, tmp / "recordings")
        player.play("ring")
        _wait(lambda: player.slot.running and recorder.slot.running, 10.0, "both streams")
        time.sleep(STEADY_S)
        steady_play, steady_record = play.times_ns[:], record.times_ns[:]
        cpu_play, cpu_record = play.cpu_ns[:], record.cpu_ns[:]
        play_mark, record_mark, overruns = play.mark(), record.mark(), recorder.overruns
        record.peak = 0
        took = asyncio.run(_burst(player))
        time.sleep(AFTER_S)
        burst_play = play.times_ns[play_mark:]
        burst_record = record.times_ns[record_mark:]
        info = recorder.stop_recording()
        if info is None or not recorder.writer.sync():
            raise RuntimeError("the recording did not finish")
        for name in (*ALERT_TONES, "ring"):
            player.stop(name)
        return {
            "play_cpu_p99": _p(cpu_play, 0.99), "record_cpu_p99": _p(cpu_record, 0.99),
            "play_p50": _p(steady_play, 0.5), "play_p99": _p(steady_play, 0.99),
            "play_max": max(steady_play) / 1000.0,
            "record_p50": _p(steady_record, 0.5), "record_p99": _p(steady_record, 0.99),
            "record_max": max(steady_record) / 1000.0,
            "burst_play_p99": _p(burst_play, 0.99), "burst_play_max": max(burst_play) / 1000.0,
            "burst_record_max": max(burst_record) / 1000.0,
            "burst_overruns": recorder.overruns - overruns,
            "burst_queue_peak": record.peak, "burst_s": took,
            "burst_buffers": len(burst_record),
            "xruns": player.slot.xruns + recorder.slot.xruns,
            "errors": player.slot.errors + recorder.slot.errors,
            "queue_bound": recorder.queue_blocks,
        }  # fmt: skip
    finally:
        host.close()
        recorder.close()
        mic.stop()
        speaker.stop()


def run() -> list[Figure]:
    """Callback time per buffer at rest and under the burst; overruns and queue peak."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp,
        sandbox_environment(Path(tmp) / "alsa" / "asound.conf"),
    ):
        m = _measure(Path(tmp))
    budget = f"buffer time ({BUFFER_US / 1000:g} ms)"
    goal = f"p99 < {GOAL_US:g} us (5% of a {BUFFER_US / 1000:g} ms buffer)"

    def headroom(us: float) -> float:
        return round(BUFFER_US / us, 1)

    wall = f"< {BUFFER_US:g} us (one buffer); wall time, preemption by other load included"
    return [
        Figure("audio_play_callback_cpu_p99", round(m["play_cpu_p99"], 1), "us CPU", goal,
               ratio=headroom(m["play_cpu_p99"]), ratio_of=budget),
        Figure("audio_record_callback_cpu_p99", round(m["record_cpu_p99"], 1), "us CPU", goal,
               ratio=headroom(m["record_cpu_p99"]), ratio_of=budget),
        Figure("audio_play_callback_p99", round(m["play_p99"], 1), "us", wall,
               ratio=headroom(m["play_p99"]), ratio_of=budget),
        Figure("audio_play_callback_p50", round(m["play_p50"], 1), "us", "- (for information)"),
        Figure("audio_play_callback_max", round(m["play_max"], 1), "us", "- (for information)"),
        Figure("audio_record_callback_p99", round(m["record_p99"], 1), "us", wall,
               ratio=headroom(m["record_p99"]), ratio_of=budget),
        Figure("audio_record_callback_p50", round(m["record_p50"], 1), "us", "- (for information)"),
        Figure("audio_record_callback_max", round(m["record_max"], 1), "us", "- (for information)"),
        Figure("audio_burst_overruns", m["burst_overruns"], "buffers lost",
               f"0 during {ALERTS:,} alerts (play + stop) from the loop while recording"),
        Figure("audio_burst_queue_peak", m["burst_queue_peak"], "buffers waiting",
               f"well under the bound of {m['queue_bound']:g} (3 s)"),
        Figure("audio_burst_play_callback_p99", round(m["burst_play_p99"], 1), "us", wall,
               ratio=headroom(m["burst_play_p99"]), ratio_of=budget),
        Figure("audio_burst_play_callback_max", round(m["burst_play_max"], 1), "us",
               f"< {BUFFER_US:g} us (one buffer)"),
        Figure("audio_burst_record_callback_max", round(m["burst_record_max"], 1), "us",
               f"< {BUFFER_US:g} us (one buffer)"),
        Figure("audio_burst_requests", round(2 * ALERTS / m["burst_s"]), "requests/s",
               f"- ({2 * ALERTS:,} in {m['burst_s'] * 1000:.0f} ms, over "
               f"{m['burst_buffers']:g} recorded buffers incl. {AFTER_S:g} s after)"),
        Figure("audio_stream_xruns_errors", m["xruns"] + m["errors"], "buffers", "0"),
        Figure("audio_render_buffer", round(_render_us(), 1), "us",
               "- (mixer alone, 3 tones asked for, no PortAudio)"),
    ]  # fmt: skip
