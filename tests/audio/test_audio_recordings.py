"""The recordings directory on disk: repair after a crash (a real SIGKILL mid-recording),
retention under the size cap, and retention after each call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import Hosts, as_samples

from hw.audio.marks import Transmission
from hw.audio.naming import recording_stem
from hw.audio.recordings import enforce_retention, read_recording, repair_recordings
from hw.audio.sandbox import Sandbox
from hw.audio.wavfile import HEADER_SIZE, WavFormat, header

RATE = 16000
HERE = Path(__file__).parent
ROOT = HERE.parent.parent
T = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def wav_path(directory: Path, call_id: int, minutes: int = 0) -> Path:
    return directory / (recording_stem(call_id, T + timedelta(minutes=minutes)) + ".wav")


def test_a_recording_killed_mid_call_is_repaired_on_the_next_start(
    alsa: Sandbox, tmp_path: Path
) -> None:
    source = np.random.default_rng(3).integers(1, 30000, RATE * 240, dtype=np.int16)
    alsa.mic.write_bytes(source.astype("<i2").tobytes())
    directory = tmp_path / "recordings"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{HERE}"}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "crash_recorder.py"), str(directory)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == "recording\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    (wav,) = directory.glob("*.wav")
    size = wav.stat().st_size
    with wav.open("rb") as f:
        assert f.read(HEADER_SIZE) == header(WavFormat(RATE), 0)  # as the crash left it
    assert size > HEADER_SIZE + 2 * RATE

    (info,) = repair_recordings(directory)
    assert repair_recordings(directory) == []  # mended once, whole after
    frames = (size - HEADER_SIZE) // 2
    assert info.path == wav and info.frames == frames and info.rate == RATE
    assert info.transmissions == (Transmission(0, None),)  # started, never ended
    with wave.open(str(wav)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        samples = as_samples(w.readframes(w.getnframes()))
    assert len(samples) == frames
    overlap = min(frames, len(source))
    assert np.all((samples[:overlap] == source[:overlap]) | (samples[:overlap] == 0))


def test_repair_leaves_whole_and_foreign_files_alone(tmp_path: Path) -> None:
    whole = wav_path(tmp_path, 1)
    whole.write_bytes(header(WavFormat(RATE), 4) + b"abcd")
    foreign = tmp_path / "call-000002-20250301T120000Z.wav"
    foreign.write_bytes(b"not a wav at all, but long enough to have a header" * 2)
    other = tmp_path / "notes.wav"
    other.write_bytes(b"")
    before = {p: p.read_bytes() for p in (whole, foreign, other)}
    assert repair_recordings(tmp_path) == []
    assert {p: p.read_bytes() for p in before} == before


def test_repair_mends_a_torn_frame_and_a_lost_header(tmp_path: Path) -> None:
    torn = wav_path(tmp_path, 1)
    torn.write_bytes(header(WavFormat(8000), 2) + b"\x01\x02\x03\x04\x05")
    blank = wav_path(tmp_path, 2)
    blank.write_bytes(bytes(HEADER_SIZE) + b"\x07\x00\x08\x00")
    short = wav_path(tmp_path, 3)
    short.write_bytes(b"RIFF\x00")
    mended = {info.path: info.frames for info in repair_recordings(tmp_path, fallback_rate=RATE)}
    assert mended == {torn: 2, blank: 2, short: 0}
    for path, rate in ((torn, 8000), (blank, RATE), (short, RATE)):
        with wave.open(str(path)) as w:
            assert w.getframerate() == rate and w.getnframes() == mended[path]


def write_recording(directory: Path, call_id: int, minutes: int, size: int) -> Path:
    path = wav_path(directory, call_id, minutes)
    path.write_bytes(header(WavFormat(RATE), size - HEADER_SIZE) + bytes(size - HEADER_SIZE))
    path.with_suffix(".marks").write_text("tx_start 0\n")
    return path


def test_retention_removes_oldest_first_never_an_open_call(tmp_path: Path) -> None:
    paths = [write_recording(tmp_path, call, call, 1000) for call in range(1, 6)]
    keep = tmp_path / "operator-notes.txt"
    keep.write_bytes(bytes(10_000))
    marks = len(paths[0].with_suffix(".marks").read_bytes())
    removed = enforce_retention(tmp_path, 3 * (1000 + marks), open_calls={1})
    assert removed == [paths[1], paths[2]]
    assert not paths[1].with_suffix(".marks").exists()
    assert sorted(tmp_path.iterdir()) == sorted(
        [
            keep,
            *[p for p in paths if p not in removed],
            *[p.with_suffix(".marks") for p in paths if p not in removed],
        ]
    )


def test_retention_on_a_missing_directory_is_a_no_op(tmp_path: Path) -> None:
    assert enforce_retention(tmp_path / "none", 0) == []
    assert repair_recordings(tmp_path / "none") == []


def test_the_recorder_applies_retention_after_each_call(
    alsa: Sandbox, hosts: Hosts, tmp_path: Path
) -> None:
    from hw.audio.recorder import CallRecorder

    old = [write_recording(tmp_path, call, call, 40_000) for call in range(1, 4)]
    host = hosts(poll_s=0.01, cards=lambda: None)  # no such microphone: an empty recording
    recorder = CallRecorder(host, "no such mic", RATE, max_bytes=100_000,
                            utcnow=lambda: T + timedelta(hours=1))  # fmt: skip
    host.start()
    path = recorder.start_recording(9, tmp_path)
    info = recorder.stop_recording(open_calls={1})
    assert recorder.writer.sync() and info is not None
    assert info.frames == 0 and path.exists()
    assert not old[1].exists() and old[0].exists() and old[2].exists()
    recorder.close()


@pytest.mark.parametrize("marks", ["", "tx_start 10\ntx_end 90\nresume 95\n"])
def test_read_recording(tmp_path: Path, marks: str) -> None:
    path = wav_path(tmp_path, 4)
    path.write_bytes(header(WavFormat(RATE), 200) + bytes(200))
    if marks:
        path.with_suffix(".marks").write_text(marks)
    info = read_recording(path)
    assert info.frames == 100 and info.rate == RATE
    assert info.transmissions == ((Transmission(10, 90),) if marks else ())
    assert info.resumes == ((95,) if marks else ())
