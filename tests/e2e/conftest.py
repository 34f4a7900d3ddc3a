"""Fixtures for end-to-end tests: a started bench rig on a real event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from terminal.benchrig import BenchRig
from tests.rigs.bench import bench_rig

RigTest = Callable[[BenchRig], Awaitable[None]]


@pytest.fixture
def run_rig(tmp_path: Path) -> Iterator[Callable[..., None]]:
    """Run an async test body against a started bench rig; always stop it afterwards."""

    def run(body: RigTest, scenario: str | None = None, **call: Any) -> None:
        async def main() -> None:
            async with bench_rig(tmp_path, scenario=scenario, **call) as bench:
                await body(bench.rig)

        asyncio.run(main())

    yield run
