"""The configuration as frozen dataclasses; their defaults are THE defaults of a Raspberry Pi desk.

config/hotline.toml repeats these values with a comment for each key, and a test holds the two
together. Change a default here and in the file in the same commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DeskConfig:
    """Who and where this desk is."""

    id: str = "DESK-1"
    site: str = "AOC"
    operator: str = ""  # operator on duty at start-up; "" = signs on at the console
    language: str = ""  # "en" or "ru"; "" = from the locale (LANGUAGE, LC_ALL, ...), else English


@dataclass(frozen=True)
class GpioConfig:
    """The PTT button and the LEDs: BCM pin numbers and electrical settings."""

    pin_factory: str = "lgpio"
    ptt_pin: int = 17
    ptt_pull_up: bool = True
    ptt_bounce_ms: int = 30
    ring_led_pin: int = 22
    tx_led_pin: int = 23
    alert_led_pin: int = 24
    fault_led_pin: int = 27
    led_active_high: bool = True
    lamp_test_ms: int = 250


@dataclass(frozen=True)
class LinkConfig:
    """One serial link (radio bridge or co-processor); `enabled` is always true for the radio."""

    port: str
    baud: int = 115200
    heartbeat_s: float = 1.0
    link_timeout_s: float = 3.5
    ack_timeout_s: float = 0.3
    max_retries: int = 5
    reopen_min_s: float = 0.5
    reopen_max_s: float = 10.0
    enabled: bool = True


@dataclass(frozen=True)
class RadioConfig(LinkConfig):
    """The radio link: the keys of a serial link, and which backend keys the radio.

    "bridge": the radio bridge over `port` (docs/protocol.md). "rigctld": a plain radio through
    Hamlib's rigctld at `rigctld` (docs/radios.md); `port` and the serial keys are then unused.
    """

    backend: str = "bridge"
    rigctld: str = "127.0.0.1:4532"
    dcd_poll_ms: int = 100  # 0 = no squelch reading (a radio that cannot report it)
    ptt_check_ms: int = 250


@dataclass(frozen=True)
class CallConfig:
    """Ringing and calling out."""

    ring_timeout_s: float = 30.0
    callout_timeout_s: float = 45.0
    busy_channel_lockout: bool = True


@dataclass(frozen=True)
class PttConfig:
    """The transmitter: time-out timer and keepalives to the bridge."""

    tx_timeout_s: float = 60.0
    tx_warning_s: float = 10.0
    keepalive_s: float = 0.5
    bridge_keepalive_timeout_s: float = 1.5


@dataclass(frozen=True)
class LogConfig:
    """The SQLite record; `directory` is absolute once loaded."""

    directory: Path = Path("/var/lib/hotline-terminal")
    retention_days: int = 365
    group_commit_ms: int = 5
    checkpoint_key: Path | None = None
    """The Ed25519 key that signs checkpoints (docs/record.md); None: the desk runs unsigned."""
    checkpoint_records: int = 100
    checkpoint_s: float = 60.0


@dataclass(frozen=True)
class AudioConfig:
    """Tones and call recording; a device is a PortAudio name or index."""

    enabled: bool = True
    output_device: str | int = "default"
    input_device: str | int = "default"
    sample_rate: int = 16000
    ring_volume: float = 0.8
    ringback_volume: float = 0.5
    warning_volume: float = 0.8
    alert_volume: float = 1.0
    recordings_max_mb: int = 2048


@dataclass(frozen=True)
class AlertsConfig:
    """Proximity alert handling."""

    critical_repeat_s: float = 30.0
    suspect_tolerance_pct: float = 5.0
    restart_grace_s: float = 10.0  # after a co-processor restart, close alerts not re-issued
    line_id: str = "LINE"  # the deconfliction line's id, as the co-processor names it
    line_points: str = ""  # "lat,lon; lat,lon; ..." (at least two points); "" = none configured


@dataclass(frozen=True)
class ServiceConfig:
    """The control socket of the headless service."""

    socket: Path = Path("/run/hotline-terminal/control.sock")
    socket_mode: int = 0o660
    socket_group: str = "hotline"


@dataclass(frozen=True)
class MqttConfig:
    """The optional publisher of every call and alert record to an MQTT broker (docs/mqtt.md).

    Secrets never live here: `password_file` names a file holding the password.
    """

    enabled: bool = False
    broker: str = "mqtt://127.0.0.1:1883"
    topic_prefix: str = "hotline"
    client_id: str = ""  # "" = hotline-<site>-<desk>
    keepalive_s: int = 30
    username: str = ""
    password_file: Path | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    max_inflight: int = 20
    state_interval_s: float = 1.0


@dataclass(frozen=True)
class ClockConfig:
    """How far the system clock is trusted (docs/deploy.md, "The clock")."""

    max_error_ms: float = 100.0  # the kernel's estimated error above this is a clock fault
    poll_s: float = 30.0  # how often the clock's synchronisation is read


@dataclass(frozen=True)
class Config:
    """The whole desk configuration: one attribute per [section]."""

    desk: DeskConfig = field(default_factory=DeskConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    radio: RadioConfig = field(default_factory=lambda: RadioConfig(port="/dev/ttyUSB0"))
    coproc: LinkConfig = field(default_factory=lambda: LinkConfig(port="/dev/ttyAMA0"))
    call: CallConfig = field(default_factory=CallConfig)
    ptt: PttConfig = field(default_factory=PttConfig)
    log: LogConfig = field(default_factory=LogConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    mqtt: MqttConfig = field(default_factory=MqttConfig)
    clock: ClockConfig = field(default_factory=ClockConfig)
