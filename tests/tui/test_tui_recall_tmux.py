"""End to end in a real terminal: `hotline bench` in a private tmux server with its sound on a paced
ALSA sandbox (hw.audio.sandbox). The far end talks during the call; `g` replays that transmission,
and its exact samples, read from the call recording, come out of the sandbox speaker (the headset
stream); `G` lists it with its Zulu time and length."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from test_tui_tmux import CONNECTED, HOTLINE, RINGING, Tmux, pytestmark  # noqa: F401

from hw.audio.marks import parse_marks, receptions
from hw.audio.recall import read_frames
from hw.audio.sandbox import PacedMic, PacedSpeaker, write_config

RATE = 16000
NOISE = np.random.default_rng(18).integers(-12000, 12000, RATE * 600, dtype=np.int16)
NOISE[NOISE == 0] = 1


def wait(check, what: str, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_say_again_in_hotline_bench_plays_the_far_end_on_the_headset(tmp_path: Path) -> None:
    box = write_config(tmp_path / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, lambda start, count: NOISE[start : start + count].tobytes())
    speaker = PacedSpeaker(box.speaker, RATE)
    mic.start()
    speaker.start()
    log = tmp_path / "log"
    tmux = Tmux(tmp_path)
    tmux.start(f"ALSA_CONFIG_PATH={box.config} JACK_NO_START_SERVER=1 "
               f"{HOTLINE} bench --scenario none --log-dir {log}")  # fmt: skip
    try:
        tmux.wait_for(lambda s: "BRIDGE up" in s, "the bridge link up")
        tmux.keys("1")  # the far end rings
        tmux.wait_for(lambda s: RINGING in s, "RINGING")
        tmux.keys("a")
        tmux.wait_for(lambda s: CONNECTED in s, "CONNECTED")
        time.sleep(1.0)
        tmux.keys("4")  # the far end talks...
        time.sleep(1.5)
        tmux.keys("4")  # ...and stops
        wait(lambda: list((log / "recordings").glob("*.marks")), "the marks file")
        (marks,) = list((log / "recordings").glob("*.marks"))
        wait(lambda: "rx_end" in marks.read_text(), "the end of the reception marked")
        ((start, end),) = [(r.start, r.end) for r in receptions(parse_marks(marks.read_text()))]
        assert end is not None and end - start >= RATE
        wav = marks.with_suffix(".wav")
        wait(lambda: len(read_frames(wav, start, start + 1600, RATE)) == 3200, "on disk")
        head = read_frames(wav, start, start + 1600, RATE)  # its first 100 ms
        tmux.keys("g")  # say again
        text = tmux.wait_for(lambda s: "Recall 1: received" in s, "the recall notice")
        assert "on the headset" in text and "TRANSMITTING" not in text
        wait(lambda: head in speaker.played, "the recalled samples on the headset stream")
        tmux.keys("G")
        text = tmux.wait_for(lambda s: "RECALL — CALL" in s, "the recall list")
        seconds = (end - start) / RATE
        assert f"{seconds:6.1f} s" in text and "Z" in text
        tmux.keys("Escape")
        tmux.wait_for(lambda s: "RECALL — CALL" not in s, "the list to close")
        tmux.keys("q")
        tmux.wait_for(lambda s: "Hang up and quit?" in s, "the quit question")
        tmux.keys("y")
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
    finally:
        tmux.close()
        mic.stop()
        speaker.stop()
