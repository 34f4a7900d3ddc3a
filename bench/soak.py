"""`make soak`: a month at the desk compressed into minutes, against the real service.

`hotline service` runs as a child process; the radio-bridge and co-processor simulators speak to
it over ptys from this process, and the operator's intents go over its control socket. The month:
300 calls of five kinds (answered both ways with PTT transmissions, missed, cancelled, rejected),
100,000 alerts from repeating converging pairs (with acknowledgements and two co-processor
reboots), and 60 pulls of the bridge's cable. The service's RSS, open fds and threads are read
from /proc at the start, after warm-up (a tenth of the month, or 8,000 alerts if later), every
tenth, and at the end; the end must be within the limits of the warm-up reading. Then the
service is stopped with SIGTERM, `hotline log verify` must pass, and every call and every
delivered alert must be in the log.

`python -m bench.soak [--calls N] [--alerts N] [--drops N]`; SOAK_SCALE=0.1 scales calls and
alerts (drops follow the calls). Exit 1 if anything fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Figure
from bench.soaking.month import Plan, Tally, run_month
from bench.soaking.probe import Limits, Sample
from bench.soaking.rig import SoakRig
from terminal.log import LogReader

PAIRS = 100
TIME_SCALE = 40.0  # one 80 s round of the pairs every 2 s
STEP_S = 4.0  # scenario seconds between two cycles of the co-processor's kernel
SHM = "/dev/shm" if os.path.isdir("/dev/shm") else None


@dataclass
class Result:
    """What the soak measured and what failed."""

    tally: Tally
    figures: list[Figure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _by_label(samples: list[Sample]) -> dict[str, Sample]:
    return {s.label: s for s in samples}


def resource_figures(samples: list[Sample], limits: Limits) -> list[Figure]:
    """start/warm/end/peak of RSS, fds and threads."""
    at = _by_label(samples)
    rss_goal = f"end <= warm + max({limits.rss_pct:g} %, {limits.rss_mib:g} MiB)"
    out: list[Figure] = []
    columns: list[tuple[str, str, Callable[[Sample], float], str]] = [
        ("rss", "MiB", lambda s: round(s.rss_kib / 1024, 1), rss_goal),
        ("fds", "fds", lambda s: s.fds, f"end <= warm + {limits.fds}"),
        ("threads", "threads", lambda s: s.threads, f"end <= warm + {limits.threads}"),
    ]
    for name, unit, get, goal in columns:
        for label in ("start", "warm", "end"):
            out.append(Figure(f"soak_{name}_{label}", get(at[label]), unit, goal))
        peak = max(get(s) for s in samples)
        out.append(Figure(f"soak_{name}_peak", peak, unit, "-"))
    return out


def check_log(db: Path, rig: SoakRig, tally: Tally, plan: Plan) -> tuple[list[str], list[Figure]]:
    """`hotline log verify`, then every call and every delivered alert in the log."""
    problems: list[str] = []
    verify = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "log", "verify", "--db", str(db)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if verify.returncode != 0:
        problems.append(f"log verify failed ({verify.returncode}): {verify.stdout[-500:]}"
                        f"{verify.stderr[-500:]}")  # fmt: skip
    with LogReader(db) as reader:
        calls = reader.calls()
        alert_ids = {row.alert_id for row in reader.alerts()}
    outcomes = Counter(str(c.outcome) for c in calls)
    if len(calls) != plan.calls or outcomes != tally.outcomes:
        problems.append(f"calls in the log {dict(outcomes)} != made {dict(tally.outcomes)}")
    transmissions = sum(c.transmissions for c in calls)
    if transmissions != tally.transmissions:
        problems.append(f"transmissions in the log {transmissions} != made {tally.transmissions}")
    delivered = {f"{boot}:{seq}" for boot, seq in rig.delivered}
    missing = delivered - alert_ids
    if missing:
        problems.append(f"{len(missing)} delivered alerts not in the log, e.g. {min(missing)}")
    if len(delivered) < plan.alerts:
        problems.append(f"only {len(delivered)} alerts delivered of {plan.alerts}")
    figures = [
        Figure("soak_calls_logged", len(calls), "calls", f"= {plan.calls} made"),
        Figure("soak_transmissions_logged", transmissions, "PTT", f"= {tally.transmissions}"),
        Figure("soak_alerts_delivered", len(delivered), "alerts", f">= {plan.alerts}"),
        Figure("soak_alerts_missing_from_log", len(missing), "alerts", "0"),
        Figure("soak_log_verify", verify.returncode, "exit code", "0"),
    ]
    return problems, figures


async def _soak(work: Path, plan: Plan, limits: Limits, pairs: int) -> Result:
    time_scale = float(os.environ.get("SOAK_TIME_SCALE", TIME_SCALE))
    rig = SoakRig(work, pairs=pairs, time_scale=time_scale, cycle_s=STEP_S / time_scale)
    started = time.monotonic()
    try:
        await rig.start()
        tally = await run_month(rig, plan)
    except BaseException:
        print(f"soak: interrupted; the service's stderr ends:\n{rig.stderr_tail()}\n"
              f"bridge: {rig.bridge.phase} keyed={rig.bridge.keyed} "
              f"errors={list(rig.bridge.log.errors)[-5:]}", file=sys.stderr)  # fmt: skip
        raise
    finally:
        code = await rig.stop()
    result = Result(tally, seconds=time.monotonic() - started)
    at = _by_label(tally.samples)
    result.problems += limits.problems(at["warm"], at["end"])
    result.figures += resource_figures(tally.samples, limits)
    if code != 0:
        result.problems.append(f"the service exited {code}: {rig.stderr_tail()}")
    problems, figures = check_log(rig.db, rig, tally, plan)
    result.problems += problems
    result.figures += figures
    result.figures += [
        Figure("soak_link_drops", tally.drops, "drops", f"= {plan.drops}"),
        Figure("soak_coproc_reboots", tally.reboots, "reboots", f"= {plan.reboots}"),
        Figure("soak_acks", tally.acks_ok, f"of {tally.acks_sent} accepted", "-"),
        Figure("soak_wall_time", round(result.seconds, 1), "s", "< 600 s"),
    ]
    return result


DEFAULT_LIMITS = Limits()


def soak(plan: Plan, limits: Limits = DEFAULT_LIMITS, pairs: int = PAIRS,
         work: Path | None = None) -> Result:  # fmt: skip
    """Run the soak in `work` (a temporary directory by default)."""
    if work is not None:
        return asyncio.run(_soak(work, plan, limits, pairs))
    # On tmpfs: an ALERT is ACKed once its record is committed, so on this machine's disk the
    # fsyncs alone would stretch the month to hours; the soak is after leaks, not the disk.
    with tempfile.TemporaryDirectory(prefix="hotline-soak-", dir=SHM) as tmp:
        return asyncio.run(_soak(Path(tmp), plan, limits, pairs))


def main(argv: list[str]) -> int:
    """Run, print the figures and any failure; 1 on a failure."""
    scale = float(os.environ.get("SOAK_SCALE", "1"))
    base = Plan()
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--calls", type=int, default=max(5, round(base.calls * scale)))
    parser.add_argument("--alerts", type=int, default=max(500, round(base.alerts * scale)))
    parser.add_argument("--drops", type=int, default=max(1, round(base.drops * scale)))
    parser.add_argument("--pairs", type=int, default=PAIRS)
    args = parser.parse_args(argv)
    plan = Plan(calls=args.calls, alerts=args.alerts, drops=args.drops)
    print(f"== soak: {plan.calls} calls, {plan.alerts} alerts, {plan.drops} link drops, "
          f"{plan.reboots} co-processor reboots", flush=True)  # fmt: skip
    result = soak(plan, pairs=args.pairs)
    for s in result.tally.samples:
        print(f"sample {s.label}: RSS {s.rss_kib / 1024:.1f} MiB, {s.fds} fds, "
              f"{s.threads} threads")  # fmt: skip
    for figure in result.figures:
        print(figure.line(), flush=True)
    for problem in result.problems:
        print(f"FAIL: {problem}", flush=True)
    print("soak: " + ("FAILED" if result.problems else "passed"), flush=True)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
