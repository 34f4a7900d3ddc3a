"""Run the conformance kit against the project's simulators over real pseudo-terminals."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from hw.pty import PtyPair
from hw.sim.bridge import BridgeSim
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from hw.sim.tracks.scenarios import make
from terminal.conformance.checks import Options
from terminal.conformance.probe import Timing
from terminal.conformance.report import Result, run_checks

# Short timing values (the doc lets a device configure them; the kit is told), so that a whole run
# takes seconds. The tolerance is wider than the bench default: two shared cores run the suite.
SIM_TIMING = {"heartbeat_s": 0.25, "link_timeout_s": 0.8, "ack_timeout_s": 0.06, "max_retries": 3}
KIT_TIMING = Timing(ack_timeout_s=0.06, max_retries=3, heartbeat_s=0.25, link_timeout_s=0.8,
                    keepalive_ms=300, tolerance_s=0.15, tolerance_pct=25.0)  # fmt: skip
KIT_OPTIONS = Options(answer_wait_s=2.0, alert_wait_s=5.0, reboot_wait_s=3.0, ring_wait_s=2.0)


def bridge(faults: Collection[str] = ()) -> BridgeSim:
    return BridgeSim(auto_answer_s=0.05, faults=faults, **SIM_TIMING)  # type: ignore[arg-type]


def coproc(faults: Collection[str] = ()) -> CoprocSim:
    return CoprocSim(make("burst:6"), cycle_s=0.2, time_scale=0.5, faults=faults,
                     utc0_ms=1_740_830_400_000, **SIM_TIMING)  # type: ignore[arg-type]  # fmt: skip


async def run_kit(device: str, sim: BridgeSim | CoprocSim, *, interactive: bool = True,
                  only: Collection[str] = ()) -> list[Result]:  # fmt: skip
    """The kit's results for ``sim``; with ``interactive`` the 'person at the bench' is the test,
    which restarts the simulator or makes the far end call when asked."""
    loop = asyncio.get_running_loop()
    pair = PtyPair()
    runner = SimRunner(sim, clock=loop.time)
    runner.attach_fd(pair.master_fd)

    async def ask(action: str, text: str) -> bool:
        if not interactive:
            return False
        now = loop.time()
        if action == "reboot":
            sim.reboot(now)
        elif action == "ring" and isinstance(sim, BridgeSim):
            sim.ring(now)
        elif action == "answer" and isinstance(sim, BridgeSim):
            sim.far_answer(now)
        else:
            return False
        runner.pump()
        return True

    try:
        return await run_checks(device, pair.path, timing=KIT_TIMING, options=KIT_OPTIONS,
                                ask=ask, only=only)  # fmt: skip
    finally:
        runner.detach()
        pair.close()


def verdicts(results: list[Result]) -> dict[str, str]:
    return {r.clause: r.result for r in results}


def failed(results: list[Result]) -> dict[str, str]:
    return {r.clause: r.detail for r in results if r.result == "fail"}
