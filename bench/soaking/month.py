"""A month at the desk, compressed: calls of every kind, the alert stream, link drops.

The month's clock is the alert stream: call k waits until k/calls of the alerts are in, so the
calls, the drops and the resource samples are spread over the whole run. Every call is driven as
an operator and a far end would: the far end through the bridge simulator, the operator through
the control socket (answer, PTT press and release, hang up, reject).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.soaking.probe import Sample, sample, settled_sample
from bench.soaking.rig import SoakRig, until
from hw.sim.bridge import FarPhase

KINDS = ("in-answered", "out-answered", "in-missed", "out-cancelled", "in-rejected")
OUTCOME = {"in-answered": "answered", "out-answered": "answered", "in-missed": "missed",
           "out-cancelled": "cancelled", "in-rejected": "rejected"}  # fmt: skip
TRANSMISSIONS = {"in-answered": 2, "out-answered": 1}
WARM_ALERTS = 8000


@dataclass
class Plan:
    """How much of everything."""

    calls: int = 300
    alerts: int = 100_000
    drops: int = 60
    reboots: int = 2
    acks_every: int = 50


@dataclass
class Tally:
    """What was done, to compare with the log."""

    outcomes: Counter[str] = field(default_factory=Counter)
    transmissions: int = 0
    drops: int = 0
    reboots: int = 0
    acks_sent: int = 0
    acks_ok: int = 0
    samples: list[Sample] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


async def _state(rig: SoakRig) -> str:
    return str((await rig.control.request("state"))["state"])


async def _state_is(rig: SoakRig, want: str) -> None:
    for _ in range(4000):
        if await _state(rig) == want:
            return
        await asyncio.sleep(0.005)
    raise TimeoutError(f"the desk never showed {want} (now {await _state(rig)})")


async def _intent(rig: SoakRig, name: str) -> None:
    reply = await rig.control.request("intent", name=name)
    if not reply.get("ok"):
        raise RuntimeError(f"intent {name} refused: {reply}")


async def _talk(rig: SoakRig, times: int, tally: Tally) -> None:
    for _ in range(times):
        await _intent(rig, "ptt_press")
        await until(lambda: rig.bridge.keyed, "the bridge keyed")
        await _intent(rig, "ptt_release")
        await until(lambda: not rig.bridge.keyed, "the bridge unkeyed")
        tally.transmissions += 1


def _far(rig: SoakRig, action: str) -> None:
    now = asyncio.get_running_loop().time()
    done = {"ring": rig.bridge.ring, "answer": rig.bridge.far_answer,
            "hangup": rig.bridge.far_hangup}[action](now)  # fmt: skip
    if not done:
        raise RuntimeError(f"the far end could not {action} ({rig.bridge.phase})")
    rig.bridge_runner.pump()


async def one_call(rig: SoakRig, kind: str, tally: Tally) -> None:
    """Drive one call of `kind` from start to IDLE."""
    if kind.startswith("in-"):
        _far(rig, "ring")
        await _state_is(rig, "RINGING")
        if kind == "in-answered":
            await _intent(rig, "answer")
            await until(lambda: rig.bridge.phase is FarPhase.CONNECTED, "answered at the bridge")
            await _talk(rig, TRANSMISSIONS[kind], tally)
            _far(rig, "hangup")
        elif kind == "in-missed":
            _far(rig, "hangup")
        else:
            await _intent(rig, "reject")
    else:
        await _intent(rig, "call")
        await until(lambda: rig.bridge.phase is FarPhase.RINGING_FAR, "the far end ringing")
        if kind == "out-answered":
            _far(rig, "answer")
            await _state_is(rig, "CONNECTED")
            await _talk(rig, TRANSMISSIONS[kind], tally)
        await _intent(rig, "hangup")
    await _state_is(rig, "IDLE")
    await until(lambda: rig.bridge.phase is FarPhase.IDLE, "the bridge idle")
    tally.outcomes[OUTCOME[kind]] += 1


async def _alerts_reach(rig: SoakRig, count: int) -> None:
    await until(lambda: rig.coproc.log.acked >= count or rig.exited, f"{count} alerts", 600)
    if rig.exited:
        raise RuntimeError("the service exited")


async def calls_and_drops(rig: SoakRig, plan: Plan, tally: Tally, warm_at: int) -> None:
    """The calls, paced by the alert stream; a link drop every calls/drops calls; samples."""
    drop_every = max(1, plan.calls // max(1, plan.drops))
    sample_every = max(1, plan.calls // 10)
    for k in range(plan.calls):
        await _alerts_reach(rig, plan.alerts * k // plan.calls)
        if k == warm_at:  # warmed up, the link up, no call
            tally.samples.append(await settled_sample(rig.pid, "warm"))
        elif k and k % sample_every == 0:
            tally.samples.append(sample(rig.pid, f"{k} calls, {rig.coproc.log.acked} alerts"))
        await one_call(rig, KINDS[k % len(KINDS)], tally)
        if tally.drops < plan.drops and (k + 1) % drop_every == 0:
            await rig.drop_radio()
            tally.drops += 1
    while tally.drops < plan.drops:  # fewer calls than drops: the rest back to back
        await rig.drop_radio()
        tally.drops += 1


async def alerts_and_acks(rig: SoakRig, plan: Plan, tally: Tally) -> None:
    """Wait for the alert stream to deliver the planned count; acknowledge now and then; reboot
    the co-processor at even intervals; then stop the traffic and let every pair clear."""
    reboot_at = [plan.alerts * (i + 1) // (plan.reboots + 1) for i in range(plan.reboots)]
    next_ack = plan.acks_every
    while rig.coproc.log.acked < plan.alerts:
        await _alerts_reach(rig, min(plan.alerts, next_ack, *reboot_at[:1]))
        if reboot_at and rig.coproc.log.acked >= reboot_at[0]:
            reboot_at.pop(0)
            rig.coproc.reboot(asyncio.get_running_loop().time())
            rig.coproc_runner.pump()
            tally.reboots += 1
        if rig.coproc.log.acked >= next_ack:
            next_ack += plan.acks_every
            open_pairs = sorted(rig.coproc.in_alert())
            if open_pairs:
                tally.acks_sent += 1
                reply = await rig.control.request("ack", pair_id=open_pairs[0])
                tally.acks_ok += bool(reply.get("ok"))
    rig.source.stop()
    await until(lambda: (rig.coproc.idle() and not rig.coproc.in_alert()) or rig.exited,
                "every pair cleared", 120)  # fmt: skip


async def run_month(rig: SoakRig, plan: Plan) -> Tally:
    """Start to end: samples at start, after warm-up, during, at the end."""
    tally = Tally()
    tally.samples.append(sample(rig.pid, "start"))
    # Warm: a tenth of the month, or the 8,000 alerts after which the service's memory was seen
    # to level off (SQLite's page cache, the allocator's arenas), whichever comes later.
    warm_alerts = max(plan.alerts / 10, min(WARM_ALERTS, plan.alerts / 2))
    warm_at = min(plan.calls - 1, max(1, math.ceil(warm_alerts * plan.calls / plan.alerts)))
    await asyncio.gather(
        calls_and_drops(rig, plan, tally, warm_at), alerts_and_acks(rig, plan, tally)
    )
    await rig.links_up()
    await _state_is(rig, "IDLE")
    tally.samples.append(await settled_sample(rig.pid, "end"))
    return tally
