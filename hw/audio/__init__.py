"""Tones and call recording over PyAudio (PortAudio), with a null mode where there is no sound.

Pure parts: `tones` (what each tone is, synthesis), `mixer` (priorities, rendering), `wavfile`
(headers and their repair), `marks`, `naming`, `retention`. I/O parts: `host` (the one owner of
PortAudio and its supervisor thread), `player`, `recorder` and its `writer`, `recordings` (repair
and retention on disk), `devices`, `calls` (recording follows the engine's call records),
`recall` (instant recall on the headset) and `build` (`open_audio` from the configuration);
`sandbox` (an ALSA of files, for machines with no sound card). See docs/audio.md.

Each name loads its module on first use: a desk with audio off never loads NumPy (`tones`,
`mixer`, `sandbox`) or PortAudio (docs/performance.md, start-up).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hw.audio.build import DeskAudio, open_audio
    from hw.audio.calls import CallRecording
    from hw.audio.devices import DeviceInfo, choose_device, list_devices
    from hw.audio.host import NO_DEVICE, AudioHost, StreamSlot
    from hw.audio.marks import RecordingInfo, Transmission
    from hw.audio.player import NullTonePlayer, PortAudioTonePlayer
    from hw.audio.recorder import CallRecorder, NullRecorder
    from hw.audio.recordings import enforce_retention, recordings_dir, repair_recordings
    from hw.audio.sandbox import write_config as write_alsa_sandbox
    from hw.audio.tones import ALERT_TONES, TONES, alert_tone

__all__ = [
    "ALERT_TONES",
    "NO_DEVICE",
    "TONES",
    "AudioHost",
    "CallRecorder",
    "CallRecording",
    "DeskAudio",
    "DeviceInfo",
    "NullRecorder",
    "NullTonePlayer",
    "PortAudioTonePlayer",
    "RecordingInfo",
    "StreamSlot",
    "Transmission",
    "alert_tone",
    "choose_device",
    "enforce_retention",
    "list_devices",
    "open_audio",
    "recordings_dir",
    "repair_recordings",
    "write_alsa_sandbox",
]

_HOMES = {
    "DeskAudio": ("build", "DeskAudio"),
    "open_audio": ("build", "open_audio"),
    "CallRecording": ("calls", "CallRecording"),
    "DeviceInfo": ("devices", "DeviceInfo"),
    "choose_device": ("devices", "choose_device"),
    "list_devices": ("devices", "list_devices"),
    "NO_DEVICE": ("host", "NO_DEVICE"),
    "AudioHost": ("host", "AudioHost"),
    "StreamSlot": ("host", "StreamSlot"),
    "RecordingInfo": ("marks", "RecordingInfo"),
    "Transmission": ("marks", "Transmission"),
    "NullTonePlayer": ("player", "NullTonePlayer"),
    "PortAudioTonePlayer": ("player", "PortAudioTonePlayer"),
    "CallRecorder": ("recorder", "CallRecorder"),
    "NullRecorder": ("recorder", "NullRecorder"),
    "enforce_retention": ("recordings", "enforce_retention"),
    "recordings_dir": ("recordings", "recordings_dir"),
    "repair_recordings": ("recordings", "repair_recordings"),
    "write_alsa_sandbox": ("sandbox", "write_config"),
    "ALERT_TONES": ("tones", "ALERT_TONES"),
    "TONES": ("tones", "TONES"),
    "alert_tone": ("tones", "alert_tone"),
}


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hw.audio' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hw.audio.{home[0]}"), home[1])
    globals()[name] = value
    return value
