"""The desk with sound: the ring reaches the speaker, the connected call is recorded to a WAV whose
path is in the call record. A whole `hotline bench` process on an ALSA of paced FIFOs (no card)."""

from __future__ import annotations

import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

from hw.audio.sandbox import ENV, PacedMic, PacedSpeaker, sine, write_config
from terminal.log import LogReader

RATE = 16000


def test_ring_is_heard_and_the_call_is_recorded(tmp_path: Path) -> None:
    box = write_config(tmp_path / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, sine(700.0, RATE))
    speaker = PacedSpeaker(box.speaker, RATE)
    mic.start()
    speaker.start()
    log_dir = tmp_path / "log"
    env = {**__import__("os").environ, ENV: str(box.config)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "terminal.cli", "bench", "--headless", "--log-dir", str(log_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )
    assert proc.stdin is not None
    try:
        time.sleep(2.0)  # link up
        proc.stdin.write(b"ring\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 20
        while len(speaker.played) < 2 * RATE and time.monotonic() < deadline:
            time.sleep(0.1)  # the ring sounds (PortAudio may take a while to start under load)
        heard = bytes(speaker.played)
        proc.stdin.write(b"answer\n")
        proc.stdin.flush()
        time.sleep(1.0)
        proc.stdin.write(b"press\n")
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.write(b"release\n")
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.write(b"hangup\nquit\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        mic.stop()
        speaker.stop()
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    samples = np.frombuffer(heard[: len(heard) // 2 * 2], dtype="<i2").astype(float)
    assert samples.size >= RATE and np.abs(samples).max() > 1000, "the ring reached the speaker"
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.fft.rfftfreq(samples.size, 1 / RATE)[int(np.argmax(spectrum))]
    assert abs(peak_hz - 1000) < 30 or abs(peak_hz - 1250) < 30, peak_hz  # the ring's trill
    with LogReader(log_dir / "hotline.db") as reader:
        (call,) = reader.calls()
    assert call.outcome == "answered" and call.transmissions == 1
    assert call.recording, "the recording's path is in the call record"
    with wave.open(call.recording, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        seconds = wav.getnframes() / RATE
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    assert 1.0 < seconds < 4.0, seconds  # answered for about 2 s
    recorded = np.abs(np.fft.rfft(frames))
    rec_hz = np.fft.rfftfreq(frames.size, 1 / RATE)[int(np.argmax(recorded))]
    assert abs(rec_hz - 700) < 10, rec_hz  # what the microphone heard
