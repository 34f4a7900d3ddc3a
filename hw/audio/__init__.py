"""Tones and call recording over PyAudio (PortAudio), with a null mode where there is no sound.

Pure parts: `tones` (what each tone is, synthesis), `mixer` (priorities, rendering), `wavfile`
(headers and their repair), `marks`, `naming`, `retention`. I/O parts: `host` (the one owner of
PortAudio and its supervisor thread), `player`, `recorder` and its `writer`, `recordings` (repair
and retention on disk), `devices`, `calls` (recording follows the engine's call records),
`recall` (instant recall on the headset) and `build` (`open_audio` from the configuration);
`sandbox` (an ALSA of files, for machines with no sound card). See docs/audio.md.
"""

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
