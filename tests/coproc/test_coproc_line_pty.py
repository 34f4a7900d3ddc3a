"""The line over the co-processor link, end to end on a pseudo-terminal (pyserial): the terminal's
CoprocLink sends each version until acknowledged, again after the co-processor restarts and after
the cable is back; the co-processor reports the version in use; LINE alerts name it and the book
checks them against it. One built before LINE refuses it and the desk goes on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from coproc_helpers import FAST_LINK, Terminal, until

from hw.coproc import CoprocLink
from hw.pty import PtyPair
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from hw.sim.tracks.scenarios import make
from terminal.config.model import LinkConfig
from terminal.core.alerts import AlertBook, AlertSettings
from terminal.core.lines import CoprocLine, LineHistory, LineVersion
from terminal.zulu import now_ms

NEAR = ((49.5, 0.7), (52.5, 0.7))
FAR = ((-80.0, 0.0), (-80.0, 10.0))


@dataclass
class LineRig:
    pty: PtyPair
    sim: CoprocSim
    runner: SimRunner
    link: CoprocLink
    term: Terminal
    history: LineHistory
    states: list[CoprocLine]

    def enter(self, name: str, points: tuple[tuple[float, float], ...], delay_ms: int = 0) -> int:
        now = now_ms()
        v = LineVersion(self.history.next_number(), name, points, now + delay_ms, "op", None, now)
        self.history.add(v)
        self.link.offer_lines()
        return v.version


@asynccontextmanager
async def line_rig(tmp_path: Path, **sim: object) -> AsyncIterator[LineRig]:
    loop = asyncio.get_running_loop()
    pty = PtyPair(tmp_path / "coproc")
    coproc = CoprocSim(make("line-crossing"), cycle_s=0.1, **{**FAST_LINK, **sim})  # type: ignore[arg-type]
    runner = SimRunner(coproc, clock=loop.time)
    runner.attach_fd(pty.master_fd)
    history = LineHistory()
    term = Terminal(AlertBook(AlertSettings(lines=history)))
    states: list[CoprocLine] = []
    cfg = LinkConfig(port=pty.path, reopen_min_s=0.05, reopen_max_s=0.2, **FAST_LINK)
    link = CoprocLink(cfg, on_alert=term.feed, on_clear=term.feed, on_link=term.feed,
                      clock=loop.time, lines_wanted=lambda: history.to_send(now_ms()),
                      on_line=states.append)  # fmt: skip
    task = loop.create_task(link.run())
    try:
        yield LineRig(pty, coproc, runner, link, term, history, states)
    finally:
        link.stop()
        runner.detach()
        pty.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_a_version_is_delivered_used_and_named_by_the_alerts(tmp_path: Path) -> None:
    async def main() -> None:
        async with line_rig(tmp_path, time_scale=8.0) as rig:
            await until(lambda: rig.link.is_up, what="link up")
            await until(lambda: rig.link.line_state.in_use == 0, what="LINEUSE 0 (its own)")
            v = rig.enter("NEAR", NEAR)
            await until(lambda: rig.link.line_state.in_use == v, what="LINEUSE 1")
            assert rig.link.line_state.acked == v and not rig.link.line_state.sending
            assert rig.sim.in_use.line is not None and rig.sim.in_use.line.id == "NEAR"
            await until(lambda: any(p.endswith("/NEAR") for p in rig.term.in_alert()),
                        timeout_s=20, what="an alert against version 1")  # fmt: skip
            assert rig.term.book.stats["suspect"] == 0
            assert rig.term.book.stats["line_unknown"] == 0  # checked fully, against v1

    asyncio.run(main())


def test_a_future_version_waits_and_a_restarted_coprocessor_gets_the_one_in_force(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with line_rig(tmp_path) as rig:
            await until(lambda: rig.link.is_up, what="link up")
            v1 = rig.enter("FAR", FAR)
            v2 = rig.enter("NEAR", NEAR, delay_ms=1500)
            await until(lambda: rig.link.line_state.acked == v2, what="both acknowledged")
            assert v2 in rig.sim.lines_held
            # it takes a version on its next cycle: v1, or v2 only once v2's time has come
            await until(lambda: rig.sim.in_use.version != 0, what="a version in use")
            used = rig.sim.in_use
            if used.version == v2:  # a slow machine: v1's cycle came after v2's time
                later = rig.history.get(v2)
                assert later is not None and used.since_ms >= later.effective_utc_ms
            else:
                assert used.version == v1
            await until(lambda: rig.link.line_state.in_use == v2, what="v2 in use at its time")
            seen = len(rig.states)
            rig.sim.reboot(asyncio.get_running_loop().time())
            rig.runner.pump()
            await until(lambda: any(s.in_use == 0 for s in rig.states[seen:]),
                        what="the new boot on its own line")  # fmt: skip
            await until(lambda: rig.link.line_state.in_use == v2, what="v2 sent again")
            # v1 and v2 before the reboot; after it only v2, the version in force (v1 superseded)
            assert rig.sim.in_use.version == v2 and rig.sim.log.lines_received == 3

    asyncio.run(main())


def test_a_version_entered_while_the_cable_is_out_arrives_when_it_is_back(tmp_path: Path) -> None:
    async def main() -> None:
        async with line_rig(tmp_path) as rig:
            await until(lambda: rig.link.is_up, what="link up")
            rig.runner.detach()
            rig.pty.unplug()
            await until(lambda: not rig.link.is_up, what="link down")
            v = rig.enter("NEAR", NEAR)
            await asyncio.sleep(0.3)
            rig.pty.plug()
            rig.runner.attach_fd(rig.pty.master_fd)
            await until(lambda: rig.link.line_state.in_use == v, timeout_s=15, what="delivered")

    asyncio.run(main())


def test_a_coprocessor_built_before_line_refuses_it_and_the_desk_goes_on(tmp_path: Path) -> None:
    async def main() -> None:
        async with line_rig(tmp_path, knows_line=False) as rig:
            await until(lambda: rig.link.is_up, what="link up")
            rig.enter("NEAR", NEAR)
            await until(lambda: rig.link.line_state.refused, what="ERR UNKNOWN taken")
            assert rig.link.line_state.in_use is None and not rig.link.line_state.sending
            await asyncio.sleep(0.5)
            assert rig.link.is_up  # the refusal does not take the link down

    asyncio.run(main())
