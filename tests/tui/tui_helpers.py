"""Helpers for the console tests: constructed snapshots through a stand-in desk, a frozen
clock, the screen as text, and the real bench rig with fast timers."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from terminal.config import Config, bench_config
from terminal.snapshot import DeskSnapshot
from terminal.tui.app import ConsoleApp
from terminal.tui.feed import HandsLog, SnapshotFeed
from terminal.tui.samples import NOW, snapshot
from tests.rigs.bench import fast_config as rig_fast_config

FROZEN = datetime(2026, 11, 25, 7, 10, 0, tzinfo=UTC)
NARROW = (80, 24)
WIDE = (160, 48)


def frozen_utc() -> datetime:
    """The Zulu clock in every test: 2026-11-25 07:10:00Z."""
    return FROZEN


def make_app(
    snap: DeskSnapshot | None = None, *, bench: bool = False, **feed: Any
) -> tuple[ConsoleApp, SnapshotFeed, HandsLog | None]:
    """A console on a stand-in desk showing `snap` (idle by default), clocks frozen."""
    desk = SnapshotFeed(snap or snapshot("IDLE"), now=NOW, **feed)
    hands = HandsLog() if bench else None
    app = ConsoleApp(desk, hands=hands, desk_name="NORTH/DESK-1", utc=frozen_utc)
    return app, desk, hands


def screen_text(app: ConsoleApp) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)  # fmt: skip
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    console.print(update)
    return console.export_text()


def fast_config(tmp_path: Path, **call: Any) -> Config:
    """The rig's fast bench configuration, with audio on as at a desk (the console shows it)."""
    cfg = rig_fast_config(tmp_path, **call)
    return replace(cfg, audio=bench_config(log_dir=tmp_path / "log").audio)


