"""Fixtures for end-to-end tests: a started bench rig on a real event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import fast_config, until

from terminal.benchrig import BenchRig

RigTest = Callable[[BenchRig], Awaitable[None]]


@pytest.fixture
def run_rig(tmp_path: Path) -> Iterator[Callable[..., None]]:
    """Run an async test body against a started bench rig; always stop it afterwards."""

    def run(body: RigTest, scenario: str | None = None, **call: Any) -> None:
        async def main() -> None:
            rig = BenchRig(fast_config(tmp_path, **call), workdir=tmp_path, scenario=scenario)
            await rig.start()
            try:
                await until(lambda: rig.desk.radio.is_up, what="radio link up")
                await body(rig)
            finally:
                rig.desk.stop("test end")

        asyncio.run(main())

    yield run
