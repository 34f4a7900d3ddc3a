"""The desk configuration: frozen dataclasses, loaded and checked once from a TOML file.

from terminal.config import load_config, Config, ConfigError, bench_config
"""

from terminal.config.bench import bench_config
from terminal.config.issues import ConfigError, ConfigIssue
from terminal.config.loader import INSTALLED_CONFIG, load_config
from terminal.config.model import (
    AlertsConfig,
    AudioConfig,
    CallConfig,
    ClockConfig,
    Config,
    DeskConfig,
    GpioConfig,
    LinkConfig,
    LogConfig,
    MqttConfig,
    PttConfig,
    RadioConfig,
    ServiceConfig,
)

__all__ = [
    "INSTALLED_CONFIG",
    "AlertsConfig",
    "AudioConfig",
    "CallConfig",
    "ClockConfig",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "DeskConfig",
    "GpioConfig",
    "LinkConfig",
    "LogConfig",
    "MqttConfig",
    "PttConfig",
    "RadioConfig",
    "ServiceConfig",
    "bench_config",
    "load_config",
]
