"""A real rigctld for each test that asks for one, on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rigctld_rig import Rigctld


@pytest.fixture
def rigctld() -> Iterator[Rigctld]:
    """Hamlib's rigctld with the dummy rig; killed at the end."""
    daemon = Rigctld()
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.kill()
