"""A stand-in for `pyaudio.PyAudio` where real hardware cannot be had: devices that come and go,
streams that fail. Patched in with pytest-mock (`mocker.patch("pyaudio.PyAudio", ...)`), so the
code under test creates it exactly as it would the real one. Like PortAudio, an instance sees the
device list as it was when it was created."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FakeStream:
    """A stream whose callback the test drives."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.active = False
        self.closed = False

    @property
    def output(self) -> bool:
        return bool(self.kwargs.get("output"))

    def start_stream(self) -> None:
        self.active = True

    def stop_stream(self) -> None:
        self.active = False

    def is_active(self) -> bool:
        return self.active

    def close(self) -> None:
        self.closed = True
        self.active = False

    def pump(self, data: bytes | None = None, frames: int = 320, status: int = 0) -> Any:
        """One buffer through the callback, as PortAudio's thread would."""
        if not self.output and data is None:
            data = bytes(2 * frames)
        return self.kwargs["stream_callback"](data, frames, {}, status)


@dataclass
class World:
    """The sound hardware as the test arranges it."""

    devices: list[tuple[str, int, int]] = field(default_factory=list)  # name, inputs, outputs
    streams: list[FakeStream] = field(default_factory=list)
    open_error: Exception | None = None
    init_error: Exception | None = None
    inits: int = 0
    terminated: int = 0

    def make(self) -> FakePyAudio:
        if self.init_error is not None:
            raise self.init_error
        self.inits += 1
        return FakePyAudio(self, list(self.devices))

    def live(self, output: bool) -> FakeStream:
        """The open stream in that direction."""
        (stream,) = [s for s in self.streams if s.output == output and not s.closed]
        return stream


class FakePyAudio:
    def __init__(self, world: World, devices: list[tuple[str, int, int]]) -> None:
        self.world = world
        self.devices = devices

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, Any]:
        name, inputs, outputs = self.devices[index]
        return {
            "index": index, "name": name, "hostApi": 0, "maxInputChannels": inputs,
            "maxOutputChannels": outputs, "defaultSampleRate": 48000.0,
        }  # fmt: skip

    def _default(self, column: int) -> dict[str, Any]:
        for index, device in enumerate(self.devices):
            if device[column]:
                return self.get_device_info_by_index(index)
        raise OSError(-9996, "No Default Device Available")

    def get_default_input_device_info(self) -> dict[str, Any]:
        return self._default(1)

    def get_default_output_device_info(self) -> dict[str, Any]:
        return self._default(2)

    def get_host_api_info_by_index(self, index: int) -> dict[str, Any]:
        return {"index": index, "name": "ALSA"}

    def open(self, **kwargs: Any) -> FakeStream:
        if self.world.open_error is not None:
            raise self.world.open_error
        index = kwargs.get("output_device_index")
        if index is None:
            index = kwargs["input_device_index"]
        if self.devices[index] not in self.world.devices:  # gone since this instance scanned
            raise OSError(-9999, "Unanticipated host error")
        stream = FakeStream(**kwargs)
        self.world.streams.append(stream)
        return stream

    def terminate(self) -> None:
        self.world.terminated += 1
