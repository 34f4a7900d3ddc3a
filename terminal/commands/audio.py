"""`hotline audio`: list the sound devices PortAudio sees, and play each tone to check them.

`devices` marks the devices the configuration chooses for tones (>) and for recording (<).
`test` plays each tone once on the configured (or `--device`) output — a continuous tone for one
cadence cycle, its closing silence cut to a second — with half a second between them, through a
blocking stream: what is written is what the device plays. Neither needs the desk stopped unless
it holds the device.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK, EX_USAGE
from terminal.config import INSTALLED_CONFIG
from terminal.i18n import _, use_configured

GAP_S = 0.5
TAIL_S = 1.0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `audio` and its actions to the parser."""
    parser = sub.add_parser(
        "audio",
        help="List sound devices; play each tone.",
        description="List the sound devices PortAudio sees, or play each tone on the output.",
    )
    actions = parser.add_subparsers(dest="audio_action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=None,
        help=f"configuration (default {INSTALLED_CONFIG} if it exists, else the built-in defaults)",
    )  # fmt: skip
    devices = actions.add_parser(
        "devices", parents=[common], help="list the devices PortAudio sees",
        description="List every PortAudio device: index, channels in/out, default rate, name.",
    )  # fmt: skip
    devices.set_defaults(handler=run_devices)
    test = actions.add_parser(
        "test", parents=[common], help="play each tone once",
        description="Play each tone once on the output device (continuous tones: one cycle, "
        "its closing silence cut to 1 s).",
    )  # fmt: skip
    test.add_argument("--device", help="output device name or index (default: from the config)")
    test.add_argument("--tone", action="append", metavar="NAME", help="only this tone (repeatable)")
    test.set_defaults(handler=run_test)


def _settings(path: Path | None) -> Any:
    """The [audio] settings from `path`, the default file, or the built-in defaults."""
    from terminal.config import load_config
    from terminal.config.model import AudioConfig

    if path is None:
        if not INSTALLED_CONFIG.exists():
            return AudioConfig()
        path = INSTALLED_CONFIG
    config = load_config(path)
    use_configured(config.desk.language)
    return config.audio


def _portaudio() -> Any:
    """PortAudio, started quietly; None (after saying why) if it cannot start."""
    from hw.audio.host import pyaudio_factory
    from hw.audio.quiet import quiet_native_stderr

    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    try:
        with quiet_native_stderr():
            return pyaudio_factory()
    except Exception as exc:
        print("hotline audio: " + _("PortAudio could not start: {error}").format(error=exc),
              file=sys.stderr)  # fmt: skip
        return None


def _device_arg(text: str) -> str | int:
    return int(text) if text.strip().isdigit() else text


def _load(args: argparse.Namespace) -> Any:
    from terminal.config import ConfigError

    try:
        return _settings(args.config)
    except ConfigError as err:
        for issue in err.issues:
            print(issue, file=sys.stderr)
        return None


def run_devices(args: argparse.Namespace) -> int:
    """Print the device table."""
    from hw.audio.devices import choose_device, list_devices

    settings = _load(args)
    if settings is None:
        return EX_CONFIG
    pa = _portaudio()
    if pa is None:
        return EX_FAIL
    try:
        found = list_devices(pa)
    finally:
        pa.terminate()
    if not found:
        print(_("no audio devices (PortAudio lists none)"))
        return EX_OK
    out = choose_device(found, settings.output_device, "output")
    inp = choose_device(found, settings.input_device, "input")
    print("    #  in out  rate   host  name")
    for d in found:
        mark = (">" if out is not None and d.index == out.index else " ") + (
            "<" if inp is not None and d.index == inp.index else " "
        )
        defaults = ", ".join(f"default {x}" for x in sorted(d.default_for))
        extra = f"  ({defaults})" if defaults else ""
        print(
            f"{mark} {d.index:2d} {d.inputs:3d} {d.outputs:3d} {d.default_rate:5.0f}"
            f"  {d.host_api:5s}  {d.name}{extra}"
        )
    for label, wanted, chosen in (
        ("tones", settings.output_device, out), ("recording", settings.input_device, inp)
    ):  # fmt: skip
        where = f"#{chosen.index} {chosen.name}" if chosen is not None else _("NOT FOUND")
        print(f"{label}: {wanted!r} -> {where}")
    return EX_OK


def sample(tone: Any, rate: int) -> bytes:
    """What `test` plays of a tone: a cue whole; a continuous tone's cycle with the silence at its
    end cut to TAIL_S (the advisory chime would otherwise be followed by 9.5 s of nothing)."""
    from hw.audio.tones import schedule

    if not tone.spec.continuous:
        return bytes(tone.pcm)
    last = max(end for _, end, sounding in schedule(tone.spec, rate) if sounding)
    keep = min(tone.frames, last + round(TAIL_S * rate))
    return bytes(tone.pcm[: 2 * keep])


def run_test(args: argparse.Namespace) -> int:
    """Play the tones one after another on a blocking stream."""
    from hw.audio.build import volumes
    from hw.audio.devices import choose_device, describe, list_devices
    from hw.audio.host import PA_INT16
    from hw.audio.mixer import render_tones

    settings = _load(args)
    if settings is None:
        return EX_CONFIG
    rendered = render_tones(settings.sample_rate, volumes(settings))
    names = args.tone or list(rendered)
    unknown = [n for n in names if n not in rendered]
    if unknown:
        print("hotline audio test: " + _("no such tone {unknown}; known: {known}").format(
              unknown=", ".join(unknown), known=", ".join(rendered)), file=sys.stderr)  # fmt: skip
        return EX_USAGE
    wanted = _device_arg(args.device) if args.device else settings.output_device
    pa = _portaudio()
    if pa is None:
        return EX_FAIL
    try:
        device = choose_device(list_devices(pa), wanted, "output")
        if device is None:
            print("hotline audio test: " + _("{device} not found (see `hotline audio devices`)")
                  .format(device=describe(wanted, "output")), file=sys.stderr)  # fmt: skip
            return EX_FAIL
        stream = pa.open(format=PA_INT16, channels=1, rate=settings.sample_rate, output=True,
                         output_device_index=device.index)  # fmt: skip
        gap = bytes(2 * round(GAP_S * settings.sample_rate))
        print(_("playing on #{index} {name} at {rate} Hz").format(
            index=device.index, name=device.name, rate=settings.sample_rate), flush=True)
        for name in names:
            tone = rendered[name]
            kind = f"continuous, {tone.spec.cycle_s:g} s cycle" if tone.spec.continuous else "cue"
            print(f"{name} ({kind}): {tone.spec.basis}", flush=True)
            stream.write(sample(tone, settings.sample_rate))
            stream.write(gap)
        stream.stop_stream()
        stream.close()
    except OSError as exc:
        print("hotline audio test: " + _("the device failed: {error}").format(error=exc),
              file=sys.stderr)  # fmt: skip
        return EX_FAIL
    finally:
        pa.terminate()
    return EX_OK
