"""`hotline audio` in Russian (the technician's sound check), against the sandboxed ALSA: the
words translated, device names and numbers as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw.audio.sandbox import Sandbox
from terminal.cli import main
from terminal.commands import audio as command


@pytest.fixture(autouse=True)
def _no_system_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(command, "INSTALLED_CONFIG", tmp_path / "absent.toml")


def test_devices_says_not_found_in_the_configured_language(
    alsa: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text('[desk]\nlanguage = "ru"\n[audio]\ninput_device = "USB headset"\n',
                      encoding="utf-8")  # fmt: skip
    assert main(["audio", "devices", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "recording: 'USB headset' -> НЕ НАЙДЕНО" in out
    assert "tones: 'default' -> #2 default" in out


def test_an_unknown_tone_is_refused_in_the_locales_language(
    alsa: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANGUAGE", "ru")
    assert main(["audio", "test", "--tone", "klaxon"]) == 2
    assert "hotline audio test: нет такого сигнала klaxon; известны: " in capsys.readouterr().err
