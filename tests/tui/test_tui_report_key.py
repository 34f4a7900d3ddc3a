"""The console's shift-report key (`s`), pressed through Textual's pilot: it writes a real report
from a real log off the screen's loop and says where; without a log it says what to run; a
failure is said, and the console stays up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from tui_helpers import WIDE, frozen_utc, screen_text

from terminal.commands.report import shift_report_action
from terminal.config import Config
from terminal.config.model import LogConfig
from terminal.log import DB_NAME, LogWriter, records
from terminal.tui.app import ConsoleApp
from terminal.tui.feed import SnapshotFeed
from terminal.tui.samples import NOW, snapshot
from terminal.zulu import now_ms


def console(report: object) -> ConsoleApp:
    desk = SnapshotFeed(snapshot("IDLE"), now=NOW)
    return ConsoleApp(desk, desk_name="NORTH/DESK-1", utc=frozen_utc, report=report)  # type: ignore[arg-type]


async def settle(pilot: Pilot[None], app: ConsoleApp) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if not app._reporting:
            return


def test_the_key_writes_the_last_12_hours_and_says_where(tmp_path: Path) -> None:
    writer = LogWriter.open(tmp_path / DB_NAME)
    try:
        writer.submit(*records.call_started("X-1", "incoming", "OPS7"), utc_ms=now_ms() - 60_000)
        old = now_ms() - 13 * 3_600_000  # before the shift: not in the report
        writer.submit(*records.call_started("X-0", "incoming", "OPS7"), utc_ms=old)
        assert writer.flush(5)
    finally:
        assert writer.close(5)
    config = Config(log=LogConfig(directory=tmp_path))

    async def main() -> None:
        app = console(shift_report_action(config))
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("s")
            await settle(pilot, app)
            assert "Shift report written:" in screen_text(app)
            said = app.main.notices.local
            assert said is not None and said.level == "info"
            assert said.text.startswith(f"Shift report written: {tmp_path / 'reports'}/")
            assert "(1 calls, 0 alerts, 0 open; head " in said.text

    asyncio.run(main())
    (report,) = (tmp_path / "reports").glob("shift-report-*Z.html")
    assert '<dd id="count-calls">1</dd>' in report.read_text(encoding="utf-8")


def test_without_a_log_it_says_to_run_hotline_report() -> None:
    async def main() -> None:
        app = console(None)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            assert "run `hotline report` on the desk" in screen_text(app)

    asyncio.run(main())


def test_a_failure_is_said_and_the_console_stays_up(tmp_path: Path) -> None:
    config = Config(log=LogConfig(directory=tmp_path / "nowhere"))

    async def main() -> None:
        app = console(shift_report_action(config))
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("s")
            await settle(pilot, app)
            assert "Shift report failed: there is no log database" in screen_text(app)
            assert app.is_running

    asyncio.run(main())
