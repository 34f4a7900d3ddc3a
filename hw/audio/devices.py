"""The sound devices PortAudio sees, and the one the configuration means (by name or index).

A name matches exactly (ignoring case) or, failing that, as part of a device's name — ALSA names
carry a suffix such as ` (hw:1,0)` that moves when cards are plugged in another order. "default"
is the host API's default device. An index is PortAudio's, as `hotline audio devices` lists it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["output", "input"]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One PortAudio device."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    host_api: str = ""
    default_for: frozenset[str] = frozenset()

    def channels(self, direction: Direction) -> int:
        """Channels it offers in `direction`."""
        return self.outputs if direction == "output" else self.inputs


def _default_index(pa: Any, direction: Direction) -> int | None:
    getter = (
        pa.get_default_output_device_info if direction == "output"
        else pa.get_default_input_device_info
    )  # fmt: skip
    with contextlib.suppress(OSError, KeyError):
        return int(getter()["index"])
    return None


def list_devices(pa: Any) -> list[DeviceInfo]:
    """Every device of an initialised `pyaudio.PyAudio`, in PortAudio's index order."""
    defaults = {d: _default_index(pa, d) for d in ("output", "input")}
    apis: dict[int, str] = {}
    devices = []
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        api = int(info.get("hostApi", 0))
        if api not in apis:
            try:
                apis[api] = str(pa.get_host_api_info_by_index(api)["name"])
            except (OSError, KeyError):
                apis[api] = ""
        devices.append(
            DeviceInfo(
                index=index,
                name=str(info["name"]),
                inputs=int(info["maxInputChannels"]),
                outputs=int(info["maxOutputChannels"]),
                default_rate=float(info["defaultSampleRate"]),
                host_api=apis[api],
                default_for=frozenset(d for d, i in defaults.items() if i == index),
            )
        )
    return devices


def choose_device(
    devices: Sequence[DeviceInfo], wanted: str | int, direction: Direction
) -> DeviceInfo | None:
    """The device `wanted` names for `direction`, or None if there is none with channels there."""
    usable = [d for d in devices if d.channels(direction) > 0]
    if isinstance(wanted, int):
        return next((d for d in usable if d.index == wanted), None)
    key = wanted.strip().casefold()
    if key == "default":
        chosen = next((d for d in usable if direction in d.default_for), None)
        if chosen is not None:
            return chosen
    exact = next((d for d in usable if d.name.casefold() == key), None)
    if exact is not None or not key:
        return exact
    return next((d for d in usable if key in d.name.casefold()), None)


def describe(wanted: str | int, direction: Direction) -> str:
    """`output device "USB Audio"` or `input device #3`, for messages."""
    what = f"#{wanted}" if isinstance(wanted, int) else f'"{wanted}"'
    return f"{direction} device {what}"
