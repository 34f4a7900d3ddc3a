"""Helpers for end-to-end tests: the bench rig on a real event loop, real ptys, mock pins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from terminal.config import Config, bench_config


def fast_config(tmp_path: Path, **call: Any) -> Config:
    """Bench configuration with timers short enough for tests."""
    cfg = bench_config(log_dir=tmp_path / "log")
    ptt_keys = {"tx_timeout_s", "tx_warning_s", "keepalive_s", "bridge_keepalive_timeout_s"}
    ptt = {k: v for k, v in call.items() if k in ptt_keys}
    rest = {k: v for k, v in call.items() if k not in ptt_keys}
    return replace(
        cfg,
        gpio=replace(cfg.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(
            cfg.radio, heartbeat_s=0.25, link_timeout_s=2.0, ack_timeout_s=0.1,
            reopen_min_s=0.05, reopen_max_s=0.2,
        ),
        call=replace(cfg.call, **rest),
        # Audio has tests of its own (tests/audio, test_audio_desk.py); with no sound card here an
        # enabled audio would show a (true) fault that the call tests do not look at.
        audio=replace(cfg.audio, enabled=False),
        ptt=replace(cfg.ptt, **ptt),
    )


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0, what: str = "") -> None:
    """Wait (on the loop) until `predicate()` holds; fail the test after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.005)
