"""[mqtt] as client settings: host, port, TLS context, credentials, client id (no network I/O)."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from pathlib import Path

from terminal.config.broker import read_password
from terminal.config.model import MqttConfig

_URL = re.compile(r"(?P<scheme>mqtts?)://(?P<host>\[[^\]]+\]|[^:/]+)(?::(?P<port>\d+))?/?")


@dataclass(frozen=True)
class BrokerUrl:
    """A parsed mqtt:// or mqtts:// URL."""

    host: str
    port: int
    tls: bool

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_url(url: str) -> BrokerUrl:
    """Host, port (1883, or 8883 for mqtts) and TLS; ValueError for anything else."""
    found = _URL.fullmatch(url)
    if found is None:
        raise ValueError(f"{url!r} is not mqtt://host[:port] or mqtts://host[:port]")
    tls = found["scheme"] == "mqtts"
    port = int(found["port"]) if found["port"] else (8883 if tls else 1883)
    if not 1 <= port <= 65535:
        raise ValueError(f"{url!r}: port out of range")
    return BrokerUrl(found["host"].strip("[]"), port, tls)


def tls_context(
    ca_file: Path | None, cert_file: Path | None = None, key_file: Path | None = None
) -> ssl.SSLContext:
    """A client TLS context that verifies the broker (the system CAs unless `ca_file`)."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if cert_file is not None and key_file is not None:
        context.load_cert_chain(str(cert_file), str(key_file))
    return context


@dataclass(frozen=True)
class Settings:
    """Everything the client needs to connect."""

    url: BrokerUrl
    client_id: str
    keepalive_s: int
    username: str | None
    password: str | None
    tls: ssl.SSLContext | None


def settings(config: MqttConfig, site: str, desk: str) -> Settings:
    """The connection settings of a desk; reads the password and TLS files (OSError, ssl.SSLError
    if they went missing since the configuration was checked)."""
    url = parse_url(config.broker)
    password = read_password(config.password_file) if config.password_file else None
    context = tls_context(config.ca_file, config.cert_file, config.key_file) if url.tls else None
    return Settings(
        url=url,
        client_id=config.client_id or f"hotline-{site}-{desk}",
        keepalive_s=config.keepalive_s,
        username=config.username or None,
        password=password,
        tls=context,
    )
