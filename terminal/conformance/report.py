"""Running the checks against a device, and the report: text or JSON lines, and the exit code."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass

from hw.wire.messages import Role
from terminal.conformance.checks import Ask, Ctx, Fail, Options, Skip, clauses
from terminal.conformance.probe import Probe, Timing


@dataclass(frozen=True, slots=True)
class Result:
    """One clause's verdict."""

    clause: str
    title: str
    result: str  # pass | fail | skip
    detail: str
    elapsed: float


START_CLAUSES = frozenset({"4.5.2", "4.5.1"})
"""Checks run before the kit links: they watch the device's HELLO while nobody answers it."""


async def no_one(action: str, text: str) -> bool:
    """The `ask` of a run that is not interactive: nobody can do it."""
    return False


async def run_checks(
    device: str,
    port: str,
    *,
    baud: int = 115200,
    timing: Timing | None = None,
    options: Options | None = None,
    ask: Ask = no_one,
    only: Collection[str] = (),
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run every check for ``device`` ("bridge" or "coproc") on ``port``; the results in order.

    Raises OSError, ValueError or serial.SerialException only when the port cannot be opened;
    whatever the device does afterwards ends as a verdict, never as an exception."""
    if device not in ("bridge", "coproc"):
        raise ValueError(f"device must be bridge or coproc, got {device!r}")
    timing = timing or Timing()
    options = options or Options()
    role = Role.BRIDGE if device == "bridge" else Role.COPROC
    probe = Probe(port, baud, timing, role)
    probe.open()
    ctx = Ctx(probe, device, ask, options)
    limit = (60.0 + 10 * timing.link_timeout_s + options.alert_wait_s + options.answer_wait_s
             + options.reboot_wait_s + options.ring_wait_s)  # fmt: skip
    results: list[Result] = []
    loop = asyncio.get_running_loop()
    linked = False
    try:
        for chk in clauses(device):
            if only and chk.clause not in only:
                continue
            t0 = loop.time()
            if not linked and chk.clause not in START_CLAUSES:
                linked = await probe.link() is not None
                if not linked:
                    probe.auto_ack = lambda r: True
            if probe.closed:
                verdict, detail = "fail", "the port went away (device unplugged?)"
            else:
                try:
                    verdict, detail = "pass", await asyncio.wait_for(chk.step(ctx), limit)
                except Fail as exc:
                    verdict, detail = "fail", str(exc)
                except Skip as exc:
                    verdict, detail = "skip", str(exc)
                except TimeoutError:
                    verdict, detail = "fail", f"the check did not finish within {limit:.0f} s"
                except Exception as exc:  # the kit must never crash on a device: a verdict
                    verdict, detail = "fail", f"kit error: {exc!r}"
            if verdict == "fail":
                ctx.failed.add(chk.clause)
            result = Result(chk.clause, chk.title, verdict, detail, round(loop.time() - t0, 3))
            results.append(result)
            if progress is not None:
                progress(result)
    finally:
        probe.close()
    return results


def text_line(r: Result) -> str:
    """``PASS 4.5.1 title: detail (0.12 s)``."""
    return f"{r.result.upper():4} {r.clause:6} {r.title}: {r.detail} ({r.elapsed:.2f} s)"


def json_line(r: Result) -> str:
    """One JSON object: clause, title, result, detail, elapsed."""
    return json.dumps(asdict(r), ensure_ascii=True)


def summary(results: list[Result]) -> str:
    counts = {k: sum(r.result == k for r in results) for k in ("pass", "fail", "skip")}
    verdict = "CONFORMS" if passed(results) else "DOES NOT CONFORM"
    return (f"{verdict}: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} "
            "skipped (a skipped clause was not checked: it is not a pass)")  # fmt: skip


def passed(results: list[Result]) -> bool:
    """Every clause checked passed (skips aside), and at least one was checked."""
    return any(r.result == "pass" for r in results) and not any(
        r.result == "fail" for r in results
    )
