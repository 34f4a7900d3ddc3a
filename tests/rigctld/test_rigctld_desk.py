"""The desk keys a plain radio through the real rigctld: PTT button, time-out, T 0 first on
connection, rigctld killed and restarted while keyed, the PTT watchdog, faults on bad replies."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rigctld_rig import (
    Rigctld,
    ask,
    radio_keyed,
    rig_config,
    running_desk,
    until,
    until_radio,
)

from hw.gpio import mock_press
from terminal.core.calls import CallPhase
from terminal.log import DB_NAME


def calls_in_log(tmp_path: Path) -> list[tuple[str, str | None]]:
    """(direction, outcome) of each call in the desk's log."""
    db = sqlite3.connect(tmp_path / "log" / DB_NAME)
    try:
        return [tuple(r) for r in db.execute("SELECT direction, outcome FROM calls ORDER BY rowid")]
    finally:
        db.close()


def test_the_ptt_button_keys_and_unkeys_the_radio(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        async with running_desk(rig_config(tmp_path, rigctld.address)) as desk:
            assert desk.panel is not None
            assert "145.000000 MHz FM" in desk.radio.health().detail  # the channel, from f and m
            mock_press(desk.panel, True)
            await until_radio(rigctld.port, True)
            state = desk.engine.core.state
            assert state.keyed and state.phase is CallPhase.CONNECTED
            await until(lambda: desk.panel is not None and desk.panel.led_is_lit("tx"))
            mock_press(desk.panel, False)
            await until_radio(rigctld.port, False)
            await until(lambda: desk.engine.core.state.phase is CallPhase.IDLE)
            await desk.engine.drain_records()
            assert desk.engine.snapshot.faults == ()
        assert calls_in_log(tmp_path) == [("outgoing", "answered")]

    asyncio.run(main())


def test_the_time_out_timer_unkeys_the_radio(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        cfg = rig_config(tmp_path, rigctld.address, tx_timeout_s=0.5, tx_warning_s=0.2)
        async with running_desk(cfg) as desk:
            assert desk.panel is not None
            mock_press(desk.panel, True)
            await until_radio(rigctld.port, True)
            await until_radio(rigctld.port, False, timeout_s=3)  # PTT still held
            state = desk.engine.core.state
            assert not state.keyed and state.need_release and state.phase is CallPhase.IDLE
            mock_press(desk.panel, False)
            await until(lambda: not desk.engine.core.state.need_release)
            assert not await radio_keyed(rigctld.port)

    asyncio.run(main())


def test_a_radio_left_keyed_is_unkeyed_first_thing_on_connection(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    ask(rigctld.port, "+T 1")  # as a desk killed while keyed would have left it
    assert not ask(rigctld.port, "+t").find("PTT: 1") < 0

    async def main() -> None:
        async with running_desk(rig_config(tmp_path, rigctld.address)):
            assert not await radio_keyed(rigctld.port)

    asyncio.run(main())
