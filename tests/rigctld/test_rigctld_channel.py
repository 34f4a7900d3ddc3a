"""Open channel through rigctld: the squelch (`\\get_dcd`, from a stand-in since the dummy rig's
flips on every reading) as receive indication, busy-channel lockout, receptions and
transmissions as the log's calls; the console keys the radio (Textual Pilot)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rigctld_rig import (
    DcdStandIn,
    Rigctld,
    radio_keyed,
    rig_config,
    running_desk,
    until,
    until_radio,
)

from hw.gpio import mock_press
from terminal.core.calls import CallPhase
from terminal.log import DB_NAME
from terminal.tui.app import ConsoleApp
from tests.tui.tui_helpers import screen_text


def calls(tmp_path: Path) -> list[tuple[str, str | None, int]]:
    db = sqlite3.connect(tmp_path / "log" / DB_NAME)
    try:
        rows = db.execute("SELECT direction, outcome, transmissions FROM calls ORDER BY rowid")
        return [tuple(r) for r in rows]
    finally:
        db.close()


def test_squelch_shows_reception_and_locks_ptt_out(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        async with DcdStandIn(rigctld.port) as stand_in:
            cfg = rig_config(tmp_path, stand_in.address, dcd_poll_ms=20)
            async with running_desk(cfg) as desk:
                assert desk.panel is not None
                engine = desk.engine
                await until(lambda: stand_in.dcd_reads > 0, 5, "squelch polled")
                stand_in.dcd = True
                await until(lambda: engine.snapshot.display == "RECEIVING", 5, "receiving")
                mock_press(desk.panel, True)  # busy channel: refused
                await until(lambda: engine.core.state.need_release, 5, "lockout")
                assert not engine.core.state.keyed and not await radio_keyed(rigctld.port)
                mock_press(desk.panel, False)
                stand_in.dcd = False
                await until(lambda: engine.core.state.phase is CallPhase.IDLE, 5, "reception over")
                mock_press(desk.panel, True)  # the channel is free: keys
                await until_radio(rigctld.port, True)
                assert engine.snapshot.display == "TRANSMITTING"
                mock_press(desk.panel, False)
                await until_radio(rigctld.port, False)
                await until(lambda: engine.core.state.phase is CallPhase.IDLE)
                await engine.drain_records()
        assert calls(tmp_path) == [("incoming", "answered", 0), ("outgoing", "answered", 1)]

    asyncio.run(main())


def test_the_console_keys_and_unkeys_the_radio(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        async with running_desk(rig_config(tmp_path, rigctld.address)) as desk:
            app = ConsoleApp(desk.engine, desk_name="RIG")
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                desk.engine.refresh()
                await pilot.pause()
                assert "145.000000 MHz FM" in screen_text(app)  # the channel, from f and m
                await pilot.press("space")
                await until_radio(rigctld.port, True)
                await pilot.pause()
                assert desk.engine.snapshot.display == "TRANSMITTING"
                await pilot.press("space")
                await until_radio(rigctld.port, False)
                await until(lambda: desk.engine.snapshot.display == "IDLE")

    asyncio.run(main())
