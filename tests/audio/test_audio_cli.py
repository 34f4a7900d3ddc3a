"""`hotline audio devices` and `hotline audio test` against the sandboxed ALSA."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_helpers import peak_freqs

from hw.audio.mixer import render_tones
from hw.audio.sandbox import MIC, SPEAKER, Sandbox
from terminal.cli import main
from terminal.commands import audio as command


@pytest.fixture(autouse=True)
def _no_system_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(command, "INSTALLED_CONFIG", tmp_path / "absent.toml")


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hotline.toml"
    path.write_text(f"[audio]\n{body}\n", encoding="utf-8")
    return path


def test_devices_lists_what_portaudio_sees(
    alsa: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audio", "devices"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in out[1:3]] == [SPEAKER, MIC]
    assert out[3].startswith("><  2 ") and out[3].endswith(
        "default  (default input, default output)"
    )
    assert out[-2:] == ["tones: 'default' -> #2 default", "recording: 'default' -> #2 default"]


def test_devices_marks_the_configured_ones(
    alsa: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, f'output_device = "{SPEAKER}"\ninput_device = 1')
    assert main(["audio", "devices", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[1].startswith(">   0 ") and out[2].startswith(" <  1 ") and out[3].startswith("    2")
    )
    assert out[-2:] == [f"tones: '{SPEAKER}' -> #0 {SPEAKER}", f"recording: 1 -> #1 {MIC}"]


def test_devices_says_when_the_configured_one_is_missing(
    alsa: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, 'input_device = "USB headset"')
    assert main(["audio", "devices", "--config", str(config)]) == 0
    assert "recording: 'USB headset' -> NOT FOUND" in capsys.readouterr().out


def test_a_bad_config_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, "sample_rate = 12345")
    assert main(["audio", "devices", "--config", str(config)]) == 78
    assert "sample_rate" in capsys.readouterr().err


def test_test_plays_every_tone_once_byte_for_byte(
    alsa: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audio", "test", "--device", SPEAKER]) == 0
    rendered = render_tones(16000, {"ring_volume": 0.8, "ringback_volume": 0.5,
                                    "warning_volume": 0.8, "alert_volume": 1.0})  # fmt: skip
    gap = bytes(2 * 8000)
    played = alsa.speaker.read_bytes()
    assert played == b"".join(command.sample(t, 16000) + gap for t in rendered.values())
    # cues whole; a continuous tone's cycle up to a second after its last sound
    assert command.sample(rendered["denied"], 16000) == rendered["denied"].pcm
    assert command.sample(rendered["ring"], 16000) == rendered["ring"].pcm[: 2 * 16000 * 2]
    assert len(command.sample(rendered["alert_advisory"], 16000)) == 2 * 16000 * 3 // 2
    out = capsys.readouterr().out
    for name in rendered:
        assert f"\n{name} (" in out


def test_test_one_tone_at_the_configured_rate_and_device_index(
    alsa: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "output_device = 0\nsample_rate = 8000\nalert_volume = 0.5")
    assert main(["audio", "test", "--config", str(config), "--tone", "alert_warning"]) == 0
    played = alsa.speaker.read_bytes()
    tone = render_tones(8000, {"alert_volume": 0.5})["alert_warning"]
    assert played == tone.pcm[: 2 * round(1.9 * 8000)] + bytes(2 * 4000)  # 0.9 s pulses, 1 s after
    first_pulse = np.frombuffer(played, "<i2")[: round(0.2 * 8000)]
    assert peak_freqs(first_pulse, 8000) == pytest.approx([880.0], abs=2.0)


def test_test_refuses_unknown_tones_and_devices(
    alsa: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audio", "test", "--tone", "klaxon"]) == 2
    assert "no such tone klaxon" in capsys.readouterr().err
    assert main(["audio", "test", "--device", "USB headset"]) == 1
    assert 'output device "USB headset" not found' in capsys.readouterr().err
    assert not alsa.speaker.exists() or alsa.speaker.read_bytes() == b""
