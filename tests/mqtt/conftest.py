"""Fixtures: a real Mosquitto broker on a free loopback port, stopped at teardown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mqtt_helpers import Broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """An anonymous broker on 127.0.0.1 (no persistence)."""
    running = Broker(tmp_path / "broker")
    running.start()
    try:
        yield running
    finally:
        running.stop()
