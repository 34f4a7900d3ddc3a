"""What each key allows, beyond its type: ranges, choices and formats, with words to say so."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from terminal.config.model import (
    AlertsConfig,
    AudioConfig,
    CallConfig,
    ClockConfig,
    DeskConfig,
    GpioConfig,
    LinkConfig,
    LogConfig,
    MqttConfig,
    PttConfig,
    RadioConfig,
    ServiceConfig,
)


class Invalid(Exception):
    """A value breaks a rule; the message says how, e.g. "is out of range"."""


def _accept(value: Any) -> None:
    """No check beyond the type."""


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Rule:
    """`before` may convert a raw value ahead of the type check; `check` raises Invalid."""

    allowed: str
    check: Callable[[Any], None] = _accept
    before: Callable[[Any], Any] = _same


def number(value: float) -> str:
    """A number for a message: 10.0 -> "10", 2 * 0.15 -> "0.3"."""
    return format(value, ".12g") if isinstance(value, float) else str(value)


def between(low: float, high: float, problem: str = "is out of range") -> Rule:
    """A number from low to high inclusive (NaN never passes)."""

    def check(value: float) -> None:
        if not low <= value <= high:
            raise Invalid(problem)

    return Rule(f"{number(low)}..{number(high)}", check)


def one_of(choices: Sequence[Any], problem: str) -> Rule:
    """One of a fixed list of values."""

    def check(value: Any) -> None:
        if value not in choices:
            raise Invalid(problem)

    shown = ", ".join(f'"{c}"' if isinstance(c, str) else str(c) for c in choices)
    return Rule(shown, check)


def name(*, empty: bool) -> Rule:
    """An identifier of 1..32 (or 0..32) characters of [A-Za-z0-9_-]."""
    low = 0 if empty else 1
    pattern = re.compile(rf"[A-Za-z0-9_-]{{{low},32}}")

    def check(value: str) -> None:
        if not pattern.fullmatch(value):
            raise Invalid("is not a valid name")

    return Rule(f"{low}..32 characters of A-Z a-z 0-9 _ -", check)


_URL = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<rest>.*)", re.DOTALL)
_HOST_PORT = re.compile(r"[^\s:/?]+:(?P<port>\d{1,5})(?:[/?].*)?", re.DOTALL)
_NETWORK = ("socket", "rfc2217")


def pyserial_has_handler(scheme: str) -> bool:
    """Does pyserial know a URL handler for `scheme`? It looks for a module `protocol_<scheme>` in
    each package of `serial.protocol_handler_packages` (its own `serial.urlhandler` first), so a
    handler registered the pyserial way counts; nothing is opened."""
    import importlib.util

    import serial

    for package in serial.protocol_handler_packages:
        try:
            if importlib.util.find_spec(f"{package}.protocol_{scheme}") is not None:
                return True
        except (ImportError, ValueError):
            continue
    return False


_SIM = re.compile(r"sim://(bridge|coproc)(\?[^\s]*)?")


def _serial_port(value: str) -> None:
    if _SIM.fullmatch(value):
        return  # the simulators' own handler (hw/sim/urlhandler), which checks the options
    if value.startswith("/dev/"):
        if len(value) == len("/dev/") or value.endswith("/") or re.search(r"[\s\x00]", value):
            raise Invalid("is not a device path")
        return
    url = _URL.fullmatch(value)
    if url is None:
        raise Invalid("is not a serial port")
    if url["scheme"] == "sim":
        raise Invalid("names no simulator: sim://bridge or sim://coproc")
    if not pyserial_has_handler(url["scheme"]):
        raise Invalid(f"has a URL scheme pyserial has no handler for ({url['scheme']}://)")
    if url["scheme"] in _NETWORK:
        hostport = _HOST_PORT.fullmatch(url["rest"])
        if hostport is None or not 1 <= int(hostport["port"]) <= 65535:
            raise Invalid(f"does not give host:port after {url['scheme']}://")


SERIAL_PORT = Rule(
    "a device path under /dev/, sim://bridge or sim://coproc (a simulator, hw/sim/urlhandler), "
    "or a URL of a pyserial handler (loop://, socket://host:port, rfc2217://host:port, "
    "spy://..., or one registered in serial.protocol_handler_packages)",
    _serial_port,
)

BAUD_RATES: tuple[int, ...] = (1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
BAUD_RATES += (230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000)
BAUD_RATES += (2500000, 3000000)
SAMPLE_RATES = (8000, 16000, 22050, 44100, 48000)
PIN_FACTORIES = ("auto", "lgpio", "rpigpio", "pigpio", "native", "mock")


def _device(value: str | int) -> None:
    if isinstance(value, int) and value < 0:
        raise Invalid("is not a PortAudio device index")
    if isinstance(value, str) and not value.strip():
        raise Invalid("is not a device name")


DEVICE = Rule("a PortAudio device name, or a device index >= 0", _device)


def _octal(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not re.fullmatch(r"(0o|0)?[0-7]{3}", value):
        raise Invalid("is not an octal mode")
    return int(value.removeprefix("0o"), 8)


def _mode(value: int) -> None:
    if not 0 <= value <= 0o777:
        raise Invalid("is not a permission mode")


SOCKET_MODE = Rule(
    '0..0o777: an integer such as 0o660 (= 432), or an octal string such as "0660"', _mode, _octal
)

_SUN_PATH_MAX = 107  # bytes in sockaddr_un.sun_path, less the terminating NUL


def _socket_path(value: Path) -> None:
    if len(os.fsencode(value)) > _SUN_PATH_MAX:
        raise Invalid("is too long for a unix socket path")


SOCKET_PATH = Rule(f"a path of at most {_SUN_PATH_MAX} bytes", _socket_path)
DIRECTORY = Rule("a directory path (relative to this file's directory)")


def _group(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}", value):
        raise Invalid("is not a group name")


GROUP = Rule("1..32 characters of A-Z a-z 0-9 _ . - (not starting with . or -)", _group)

_BROKER = re.compile(r"(?P<scheme>mqtts?)://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{1,5}))?/?")


def _broker(value: str) -> None:
    url = _BROKER.fullmatch(value)
    if url is None:
        raise Invalid("is not an MQTT broker URL")
    if url["port"] is not None and not 1 <= int(url["port"]) <= 65535:
        raise Invalid("has a port out of range")


BROKER = Rule("mqtt://host[:port] (default port 1883) or mqtts://host[:port] (TLS, 8883)", _broker)


def _topic_prefix(value: str) -> None:
    levels = value.split("/")
    if not 1 <= len(value) <= 64 or any(not re.fullmatch(r"[A-Za-z0-9_.-]+", x) for x in levels):
        raise Invalid("is not a topic prefix")


TOPIC_PREFIX = Rule(
    "1..64 characters: levels of A-Z a-z 0-9 _ . - separated by single /", _topic_prefix
)


def _client_id(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{0,64}", value):
        raise Invalid("is not a client id")


CLIENT_ID = Rule('0..64 characters of A-Z a-z 0-9 _ . - ("" = hotline-<site>-<desk>)', _client_id)


def parse_line_points(text: str) -> tuple[tuple[float, float], ...]:
    """ "lat,lon; lat,lon; ..." as points; raises Invalid saying what is wrong ("" = none)."""
    if not text.strip():
        return ()
    points: list[tuple[float, float]] = []
    for k, part in enumerate(text.split(";"), 1):
        lat_lon = part.split(",")
        try:
            if len(lat_lon) != 2:
                raise ValueError
            lat, lon = float(lat_lon[0]), float(lat_lon[1])
        except ValueError:
            raise Invalid(f"has point {k} ({part.strip()!r}) not written \"lat,lon\"") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            where = f"has point {k} ({part.strip()})"
            raise Invalid(f"{where} off the globe (lat -90..90, lon -180..180)")
        points.append((lat, lon))
    if len(points) < 2:
        raise Invalid("has one point: a line needs at least two")
    return tuple(points)


def _line_points(value: str) -> None:
    parse_line_points(value)


LINE_POINTS = Rule('"lat,lon; lat,lon; ..." in degrees, at least two points, or ""', _line_points)


def _username(value: str) -> None:
    if len(value) > 128 or any(not c.isprintable() for c in value):
        raise Invalid("is not a user name")


USERNAME = Rule("0..128 printable characters", _username)
FILE = Rule('a file path (relative to this file\'s directory), or "" for none')

PIN = between(2, 27, "is not a GPIO pin on the 40-pin header")
SECONDS = between(5, 600)
VOLUME = between(0.0, 1.0)

RULES: dict[type, dict[str, Rule]] = {
    DeskConfig: {"id": name(empty=False), "site": name(empty=False), "operator": name(empty=True),
                 "language": one_of(("", "en", "ru"), "is not a language of the desk")},
    GpioConfig: {
        "pin_factory": one_of(PIN_FACTORIES, "is not a gpiozero pin factory"),
        "ptt_pin": PIN,
        "ptt_bounce_ms": between(0, 500),
        "ring_led_pin": PIN,
        "tx_led_pin": PIN,
        "alert_led_pin": PIN,
        "fault_led_pin": PIN,
        "lamp_test_ms": between(0, 5000),
    },
    LinkConfig: {
        "port": SERIAL_PORT,
        "baud": one_of(BAUD_RATES, "is not a standard baud rate"),
        "heartbeat_s": between(0.1, 10),
        "link_timeout_s": between(0.2, 60),
        "ack_timeout_s": between(0.01, 5),
        "max_retries": between(0, 50),
        "reopen_min_s": between(0.1, 60),
        "reopen_max_s": between(0.1, 3600),
    },
    CallConfig: {"ring_timeout_s": SECONDS, "callout_timeout_s": SECONDS},
    PttConfig: {
        "tx_timeout_s": SECONDS,
        "tx_warning_s": between(0, 600),
        "keepalive_s": between(0.05, 5),
        "bridge_keepalive_timeout_s": between(0.1, 10),
    },
    LogConfig: {
        "directory": DIRECTORY,
        "retention_days": between(1, 36500),
        "group_commit_ms": between(0, 1000),
        "checkpoint_key": FILE,
        "checkpoint_records": between(1, 100_000),
        "checkpoint_s": between(1, 86_400),
    },
    AudioConfig: {
        "output_device": DEVICE,
        "input_device": DEVICE,
        "sample_rate": one_of(SAMPLE_RATES, "is not a supported sample rate"),
        "ring_volume": VOLUME,
        "ringback_volume": VOLUME,
        "warning_volume": VOLUME,
        "alert_volume": VOLUME,
        "recordings_max_mb": between(1, 1_000_000),
    },
    AlertsConfig: {
        "critical_repeat_s": between(5, 3600),
        "suspect_tolerance_pct": between(0.1, 100),
        "restart_grace_s": between(1, 600),
        "line_id": name(empty=False),
        "line_points": LINE_POINTS,
    },
    ServiceConfig: {"socket": SOCKET_PATH, "socket_mode": SOCKET_MODE, "socket_group": GROUP},
    MqttConfig: {
        "broker": BROKER,
        "topic_prefix": TOPIC_PREFIX,
        "client_id": CLIENT_ID,
        "keepalive_s": between(5, 3600),
        "username": USERNAME,
        "password_file": FILE,
        "ca_file": FILE,
        "cert_file": FILE,
        "key_file": FILE,
        "reconnect_min_s": between(0.1, 60),
        "reconnect_max_s": between(0.1, 3600),
        "max_inflight": between(1, 1000),
        "state_interval_s": between(0.1, 60),
    },
    ClockConfig: {"max_error_ms": between(1, 60_000), "poll_s": between(1, 3600)},
}



def host_port(text: str) -> tuple[str, int]:
    """ "host:port" (or "[v6]:port") as (host, port); ValueError saying what is wrong."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or len(port) > 5:
        raise ValueError("is not host:port")
    number = int(port)
    if not 1 <= number <= 65535:
        raise ValueError("has a port out of range (1..65535)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError("has an IPv6 address not in brackets ([::1]:4532)")
    if not re.fullmatch(r"[A-Za-z0-9._:-]{1,253}", host):
        raise ValueError("has a host that is not a name or an address")
    return host, number


def _rigctld_address(value: str) -> None:
    try:
        host_port(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from None


RADIO_BACKENDS = ("bridge", "rigctld")
RULES[RadioConfig] = {
    **RULES[LinkConfig],
    "backend": one_of(RADIO_BACKENDS, "is not a radio backend"),
    "rigctld": Rule(
        'host:port of a running rigctld, e.g. "127.0.0.1:4532" or "[::1]:4532"', _rigctld_address
    ),
    "dcd_poll_ms": between(0, 5000),
    "ptt_check_ms": between(20, 5000),
}

BOOLEAN = Rule("true or false")


def rule_for(section: type, key: str) -> Rule:
    """The rule of one key; booleans need none beyond their type."""
    return RULES.get(section, {}).get(key, BOOLEAN)
