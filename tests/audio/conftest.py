"""Audio tests run PortAudio for real against a sandboxed ALSA whose devices are files.

Before any test here starts, ALSA_CONFIG_PATH names a sandbox (hw.audio.sandbox) in a session
temporary directory, so no test ever reaches a real sound card, and JACK is told not to start a
server. A test that plays or records takes `alsa` (files: the null device runs flat out) or
`paced_alsa` (FIFOs fed and drained at the sample rate): its own sandbox in tmp_path, named by
ALSA_CONFIG_PATH before the test creates PyAudio — ALSA re-reads its configuration whenever the
variable changes. `hosts` closes every AudioHost a test made, so PortAudio is released.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from audio_helpers import Paced

from hw.audio.host import AudioHost
from hw.audio.sandbox import (
    ENV,
    PacedMic,
    PacedSpeaker,
    Sandbox,
    sandbox_environment,
    sine,
    write_config,
)

RATE = 16000


@pytest.fixture(scope="session", autouse=True)
def _alsa_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    box = write_config(tmp_path_factory.mktemp("alsa-session"))
    with sandbox_environment(box.config):
        yield


@pytest.fixture
def alsa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A sandbox of plain files: what is played lands in `speaker`, recordings read `mic`."""
    box = write_config(tmp_path / "alsa")
    monkeypatch.setenv(ENV, str(box.config))
    return box


@pytest.fixture
def paced_alsa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paced]:
    """A sandbox of FIFOs, fed (a 1 kHz sine) and drained at 16 kHz like a sound card."""
    box = write_config(tmp_path / "alsa", paced=True)
    mic = PacedMic(box.mic, RATE, sine(1000.0, RATE))
    speaker = PacedSpeaker(box.speaker, RATE)
    mic.start()
    speaker.start()
    monkeypatch.setenv(ENV, str(box.config))
    yield Paced(box, mic, speaker)
    mic.stop()
    speaker.stop()


@pytest.fixture
def hosts() -> Iterator[Callable[..., AudioHost]]:
    """Make AudioHosts that are closed (streams and PortAudio released) after the test."""
    made: list[AudioHost] = []

    def make(*args: Any, **kwargs: Any) -> AudioHost:
        host = AudioHost(*args, **kwargs)
        made.append(host)
        return host

    yield make
    for host in made:
        host.close()
