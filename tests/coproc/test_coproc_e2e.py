"""End to end over pseudo-terminals: the co-processor simulator on the far end, the terminal's
CoprocLink (pyserial) feeding the alert book. Every alert is received exactly once and ACKed,
through reboots, unplugged cables and garbage on the line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from coproc_helpers import coproc_rig, exactly_once, until

from hw.sim.tracks.scenarios import make
from terminal.core.alerts import AlertSettings

# scenario, time scale, cycle (s): fast enough for a test, slow enough to see every step
SCENARIOS = [
    ("head-on", 20.0, 0.05),
    ("line-crossing", 40.0, 0.05),
    ("crowded", 40.0, 0.1),
    ("burst", 4.0, 0.2),
    ("reboot:30", 12.0, 0.1),
]


@pytest.mark.parametrize(("name", "scale", "cycle"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_alert_of_a_scenario_arrives_once(
    tmp_path: Path, name: str, scale: float, cycle: float
) -> None:
    scenario = make(name)

    async def main() -> None:
        settings = AlertSettings(restart_grace_s=1.0)
        async with coproc_rig(tmp_path, scenario, settings=settings, time_scale=scale,
                              cycle_s=cycle) as rig:  # fmt: skip
            await until(lambda: rig.link.is_up, what="link up")
            end = rig.now + scenario.duration_s / scale
            await until(lambda: rig.now >= end and rig.sim.idle(), timeout_s=100, what="the end")
            await asyncio.sleep(0.1)
            rig.tick()
            exactly_once(rig)
            assert rig.issued(), "the scenario raised no alert"
            assert rig.term.in_alert() == rig.sim.in_alert()
            assert rig.term.book.stats["gaps"] == 0 and rig.term.book.stats["suspect"] == 0
            if scenario.reboots:
                assert rig.sim.log.reboots == 1 and rig.term.book.stats["coproc_restarts"] == 1
                assert len({boot for boot, _ in rig.issued()}) == 2

    asyncio.run(main())


def test_head_on_goes_advisory_critical_then_clear(tmp_path: Path) -> None:
    async def main() -> None:
        async with coproc_rig(tmp_path, make("head-on"), time_scale=20.0, cycle_s=0.05) as rig:
            await until(lambda: rig.term.book.highest_open_severity() == "advisory", what="TA")
            (view,) = rig.term.book.views()
            assert view.pair_id == "4CA2F1/RAF101" and view.kind == "TRACK"
            await until(lambda: rig.term.book.highest_open_severity() == "critical", what="RA")
            await until(lambda: len(rig.term.book) == 0, what="clear")
            assert [sev for *_, sev in rig.sim.log.issued] == [1, 3]

    asyncio.run(main())


def test_unplugged_mid_burst_loses_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        async with coproc_rig(tmp_path, make("burst:300"), time_scale=2.0, cycle_s=0.2) as rig:
            await until(lambda: len(rig.sim.log.delivered) >= 100, what="the burst under way")
            rig.unplug()
            await until(lambda: not rig.link.is_up, what="the terminal sees the cable go")
            # The session went down with the port (as the radio link's does), not a link
            # timeout later with its decoder holding half a frame from before.
            assert not rig.link.session.is_up
            assert rig.link.session.stats["link_down_timeout"] == 0
            await asyncio.sleep(0.3)
            rig.plug()
            await until(lambda: rig.link.is_up, what="link back")
            await until(lambda: len(rig.issued()) >= 300 and rig.sim.idle(), timeout_s=30,
                        what="the burst delivered")  # fmt: skip
            exactly_once(rig)
            assert rig.link.port.opens >= 2

    asyncio.run(main())


def test_a_coprocessor_reboot_mid_burst_loses_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        settings = AlertSettings(restart_grace_s=1.0)
        async with coproc_rig(tmp_path, make("burst:300"), settings=settings, time_scale=0.5,
                              cycle_s=0.2) as rig:  # fmt: skip
            await until(lambda: len(rig.sim.log.delivered) >= 80, what="the burst under way")
            old = rig.sim.boot_id
            rig.sim.reboot(rig.now)
            rig.runner.pump()
            await until(lambda: rig.sim.log.cycles > 0 and rig.sim.idle() and rig.issued()[-1][0]
                        != old, timeout_s=30, what="the new boot's burst")  # fmt: skip
            await asyncio.sleep(1.3)  # the book's restart grace
            rig.tick()
            exactly_once(rig)
            assert rig.term.book.stats["coproc_restarts"] == 1
            # what the new boot holds in alert is exactly what the terminal shows
            assert rig.term.in_alert() == rig.sim.in_alert() != {}
            assert rig.term.book.stats["gaps"] == 0

    asyncio.run(main())


def test_garbage_and_damaged_frames_lose_only_those_frames(tmp_path: Path) -> None:
    async def main() -> None:
        async with coproc_rig(tmp_path, make("burst:300"), time_scale=1.0, cycle_s=0.2) as rig:
            await until(lambda: rig.link.is_up, what="link up")
            for _ in range(20):
                rig.sim.send_garbage(80)
                rig.sim.damage_alerts(1)
                rig.runner.pump()
                await asyncio.sleep(0.02)
            await until(lambda: len(rig.issued()) >= 300 and rig.sim.idle(), timeout_s=30,
                        what="the burst delivered")  # fmt: skip
            exactly_once(rig)
            stats = rig.link.session.stats
            assert stats["rx_bad_crc"] == 20  # the damaged frames were dropped...
            resent = rig.sim.session.stats["retransmits"] + rig.sim.log.requeued
            assert resent >= 20  # ...and sent again
            assert stats["rx_garbage"] > 0 or stats["rx_bad_syntax"] > 0
            health = rig.link.health()  # counted and reported (docs/protocol.md 2.3)
            assert health.name == "coproc" and health.up and health.last_heard_utc
            counters = health.counters
            assert counters is not None and counters.crc_errors == 20
            assert counters.garbage_bytes + counters.bad_frames > 0
            assert counters.frames_in >= 300 and counters.frames_out >= 300
            assert "crc 20" in counters.faults()

    asyncio.run(main())
