"""The desk's audio from its configuration: tone player, call recorder, supervisor and start-up.

`open_audio` gives the real adapter when `audio.enabled`, or the null one (no sound, no
recording, no fault: the LEDs and console carry everything) when it is not. A real adapter with
no sound device at all runs just the same and reports "no audio device" as a fault until one
appears.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hw.audio.calls import CallRecording
from hw.audio.host import AudioHost, alsa_cards, pyaudio_factory
from hw.audio.marks import RecordingInfo
from hw.audio.player import NullTonePlayer, PortAudioTonePlayer
from hw.audio.recall import HeadsetRecall, NullRecall
from hw.audio.recorder import CallRecorder, NullRecorder
from hw.audio.recordings import enforce_retention, recordings_dir, repair_recordings

log = logging.getLogger(__name__)

VOLUME_KEYS = ("ring_volume", "ringback_volume", "warning_volume", "alert_volume")
DISABLED = "audio disabled in the configuration: ring and alerts on the LEDs and console only"


class AudioSettings(Protocol):
    """The [audio] settings (terminal.config.AudioConfig; the volumes are read by name)."""

    @property
    def enabled(self) -> bool: ...
    @property
    def output_device(self) -> str | int: ...
    @property
    def input_device(self) -> str | int: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def recordings_max_mb(self) -> int: ...


def volumes(settings: AudioSettings) -> dict[str, float]:
    """Each tone volume setting by name."""
    return {key: float(getattr(settings, key)) for key in VOLUME_KEYS}


@dataclass
class DeskAudio:
    """The audio adapter the desk attaches: `player` and `recall` to the engine, `calls` to its
    events."""

    player: PortAudioTonePlayer | NullTonePlayer
    recorder: CallRecorder | NullRecorder
    directory: Path
    host: AudioHost | None = None
    max_bytes: int = 0
    rate: int = 16000
    notice: str | None = None
    recall: HeadsetRecall | NullRecall = field(default_factory=NullRecall)
    calls: CallRecording = field(init=False)

    def __post_init__(self) -> None:
        self.calls = CallRecording(self.recorder, self.directory)

    @property
    def ok(self) -> bool:
        """No audio fault (always true when audio is disabled): for the desk's link health."""
        return self.host is None or self.host.fault is None

    def start(self) -> list[RecordingInfo]:
        """Mend recordings a crash cut short, apply retention, start the supervisor.

        Call once, before the first call can connect. Returns the recordings it mended.
        """
        if self.host is None:
            return []
        mended = repair_recordings(self.directory, self.rate)
        enforce_retention(self.directory, self.max_bytes)
        self.host.start()
        return mended

    def close(self) -> None:
        """Finish any recording, close the streams and PortAudio."""
        self.recall.close()
        if not self.recorder.close():
            log.error("the recording writer did not finish in time")
        if self.host is not None:
            self.host.close()


def open_audio(
    settings: AudioSettings,
    log_directory: Path,
    on_fault: Callable[[str | None], None] | None = None,
    *,
    factory: Callable[[], Any] = pyaudio_factory,
    cards: Callable[[], str | None] = alsa_cards,
) -> DeskAudio:
    """The audio adapter for these settings; recordings go to `<log_directory>/recordings`.

    `on_fault(text | None)` is called from the audio supervisor thread: hand it to the loop.
    Nothing touches PortAudio until `DeskAudio.start()`.
    """
    directory = recordings_dir(log_directory)
    if not settings.enabled:
        return DeskAudio(NullTonePlayer(), NullRecorder(), directory, notice=DISABLED)
    host = AudioHost(on_fault, factory=factory, cards=cards)
    rate = settings.sample_rate
    max_bytes = settings.recordings_max_mb * 1024 * 1024
    player = PortAudioTonePlayer(host, settings.output_device, rate, volumes(settings))
    recorder = CallRecorder(host, settings.input_device, rate, max_bytes=max_bytes)
    return DeskAudio(
        player, recorder, directory, host=host, max_bytes=max_bytes, rate=rate,
        recall=HeadsetRecall(recorder, player),
    )  # fmt: skip
