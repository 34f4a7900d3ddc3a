"""Faults between the desk and rigctld: rigctld killed and restarted while keyed, the socket
dropped, a refused T 1, a T 0 that does not take (the PTT watchdog), the radio unkeying by
itself. The real rigctld behind a stand-in that can misbehave on cue."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rigctld_rig import (
    DcdStandIn,
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
from terminal.core.leds import LedPattern


def faults(desk: object) -> tuple[str, ...]:
    return desk.engine.snapshot.faults  # type: ignore[attr-defined, no-any-return]


def test_rigctld_killed_while_keyed_is_a_fault_and_t0_goes_first_on_its_return(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with (
            DcdStandIn(rigctld.port) as stand_in,
            running_desk(rig_config(tmp_path, stand_in.address)) as desk,
        ):
            assert desk.panel is not None
            mock_press(desk.panel, True)
            await until_radio(rigctld.port, True)
            rigctld.kill()
            await until(lambda: not desk.radio.is_up, 5, "link down")
            await until(lambda: any("while keyed" in f for f in faults(desk)), 5, "fault")
            assert desk.panel.led_pattern("fault") is not LedPattern.OFF  # the fault LED
            assert not desk.engine.core.state.keyed  # the transmission ended (link lost)
            seen = len(stand_in.connections)
            rigctld.start()  # on the same port: the desk reconnects by itself
            await until(lambda: desk.radio.is_up, 10, "link up again")
            fresh = stand_in.connections[seen:]
            assert fresh and all(lines[0] == "+T 0" for lines in fresh if lines), fresh
            await until(lambda: not faults(desk), 5, "fault cleared once t reads 0")
            assert not await radio_keyed(rigctld.port)
            mock_press(desk.panel, False)  # the latched PTT let go, the desk keys again
            await until(lambda: not desk.engine.core.state.need_release)
            mock_press(desk.panel, True)
            await until_radio(rigctld.port, True)
            mock_press(desk.panel, False)
            await until_radio(rigctld.port, False)

    asyncio.run(main())


def test_the_socket_dropped_while_keyed_reconnects_with_t0_first(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with (
            DcdStandIn(rigctld.port) as stand_in,
            running_desk(rig_config(tmp_path, stand_in.address)) as desk,
        ):
            desk.engine.intent("ptt_toggle")
            await until_radio(rigctld.port, True)
            seen = len(stand_in.connections)
            stand_in.drop()  # rigctld itself still runs, and the radio is still keyed
            await until(lambda: any("while keyed" in f for f in faults(desk)), 5, "fault")
            await until(lambda: desk.radio.is_up, 5, "reconnected")
            assert stand_in.connections[seen][0] == "+T 0"
            await until_radio(rigctld.port, False)
            await until(lambda: not faults(desk), 5, "fault cleared")

    asyncio.run(main())


def test_a_t1_not_answered_rprt_0_is_a_clear_fault_and_ends_the_transmission(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with DcdStandIn(rigctld.port) as stand_in:
            stand_in.answers["+T 1"] = "set_ptt: 1\nRPRT -9\n"
            async with running_desk(rig_config(tmp_path, stand_in.address)) as desk:
                desk.engine.intent("ptt_toggle")
                await until(lambda: not desk.engine.core.state.keyed, 5, "transmission ended")
                texts = [n.text for n in desk.engine.snapshot.notices]
                assert any("RPRT -9 (command rejected by the rig)" in t for t in texts), texts
                assert not await radio_keyed(rigctld.port)
                assert desk.engine.core.state.phase is CallPhase.IDLE

    asyncio.run(main())


def test_the_watchdog_faults_when_the_radio_stays_keyed_after_t0(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with (
            DcdStandIn(rigctld.port) as stand_in,
            running_desk(rig_config(tmp_path, stand_in.address)) as desk,
        ):
            desk.engine.intent("ptt_toggle")
            await until_radio(rigctld.port, True)
            stand_in.answers["+T 0"] = "set_ptt: 0\nRPRT 0\n"  # says done, does nothing
            desk.engine.intent("ptt_toggle")
            await until(lambda: any("still reports PTT on" in f for f in faults(desk)), 5,
                        "watchdog fault")  # fmt: skip
            assert desk.panel is not None and desk.panel.led_pattern("fault") is not (
                LedPattern.OFF
            )
            assert await radio_keyed(rigctld.port)
            del stand_in.answers["+T 0"]  # the radio obeys again: T 0 is sent again
            await until_radio(rigctld.port, False)
            await until(lambda: not faults(desk), 5, "fault cleared")

    asyncio.run(main())


def test_the_radio_unkeying_by_itself_ends_the_transmission(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with running_desk(rig_config(tmp_path, rigctld.address)) as desk:
            assert desk.panel is not None
            mock_press(desk.panel, True)
            await until_radio(rigctld.port, True)
            ask(rigctld.port, "+T 0")  # the radio's own time-out
            await until(lambda: not desk.engine.core.state.keyed, 5, "transmission ended")
            assert desk.engine.core.state.need_release
            texts = [n.text for n in desk.engine.snapshot.notices]
            assert any("unkeyed (RADIO)" in t for t in texts), texts
            mock_press(desk.panel, False)

    asyncio.run(main())


def test_a_radio_that_cannot_report_ptt_or_squelch_is_said_once(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        async with DcdStandIn(rigctld.port) as stand_in:
            stand_in.answers["+t"] = "get_ptt:\nRPRT -4\n"
            stand_in.answers["+\\get_dcd"] = "get_dcd:\nRPRT -11\n"
            cfg = rig_config(tmp_path, stand_in.address, dcd_poll_ms=20)
            async with running_desk(cfg) as desk:
                desk.engine.intent("ptt_toggle")
                await until_radio(rigctld.port, True)  # keying still works
                await asyncio.sleep(0.3)  # many squelch polls and read-back periods
                desk.engine.intent("ptt_toggle")
                await until_radio(rigctld.port, False)
                texts = [n.text for n in desk.engine.snapshot.notices]
                assert sum("PTT watchdog is off" in t for t in texts) == 1, texts
                assert sum("RPRT -11 (feature not available)" in t for t in texts) == 1, texts
                lines = stand_in.connections[0]
                assert lines.count("+t") == 1  # asked once, not again and again

    asyncio.run(main())
