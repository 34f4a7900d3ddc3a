"""`make fuzz`: run every fuzz target for a time budget; print inputs tried and crashes found.

`python -m bench.fuzz [--seconds N] [name ...]` (or FUZZ_SECONDS=N, the total budget, default
300 s, shared out among the targets). Hypothesis is the engine: each target runs in batches of
random examples until its share of the budget is spent; a failure is shrunk and its falsifying
example printed, so it can be made a regression test. Exit 1 if any target crashed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from bench.fuzzing import Target, all_targets
from bench.report import Figure

DEFAULT_SECONDS = 300.0
BATCH = 100


@dataclass
class Outcome:
    """What one target's run found."""

    name: str
    tried: int = 0
    seconds: float = 0.0
    crashes: list[str] = field(default_factory=list)


def _batch(strategy: Any, body: Callable[[Any], None], examples: int) -> Callable[[], None]:
    """`body` as a hypothesis test of `examples` random inputs (no example database)."""
    tried: Callable[[], None] = given(strategy)(body)  # type: ignore[no-untyped-call]
    run: Callable[[], None] = settings(
        max_examples=examples, deadline=None, database=None, derandomize=False,
        phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )(tried)  # fmt: skip
    return run


def fuzz(target: Target, seconds: float, log: Callable[[str], None] = print) -> Outcome:
    """Run `target` in batches until `seconds` are spent; distinct failures are kept."""
    outcome = Outcome(target.name)
    seen: set[str] = set()
    started = time.monotonic()

    def body(value: Any) -> None:
        outcome.tried += 1
        target.check(value)

    while time.monotonic() - started < seconds:
        try:
            _batch(target.strategy, body, BATCH)()
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if key not in seen:
                seen.add(key)
                outcome.crashes.append(text)
                log(f"--- {target.name}: failure {len(seen)}\n{text}")
    outcome.seconds = time.monotonic() - started
    return outcome


def _socket_target() -> Target:
    """The control socket of a real running desk (started here, stopped by `close_desks`)."""
    from bench.fuzzing.live import RunningDesk, check_socket, socket_cases

    tmp = tempfile.TemporaryDirectory(prefix="hotline-fuzz-")
    desk = RunningDesk(Path(tmp.name)).__enter__()

    def close() -> None:
        desk.__exit__(None, None, None)
        tmp.cleanup()

    _OPEN.append(close)
    return Target("control_socket_live", socket_cases, lambda case: check_socket(desk, case))


_OPEN: list[Callable[[], object]] = []


def figures(outcomes: list[Outcome]) -> list[Figure]:
    """Two figures per target: inputs tried and crashes found."""
    out: list[Figure] = []
    for o in outcomes:
        out.append(Figure(f"fuzz_{o.name}_inputs", o.tried, f"inputs in {o.seconds:.0f} s", "-"))
        out.append(Figure(f"fuzz_{o.name}_crashes", len(o.crashes), "crashes", "0"))
    return out


def main(argv: list[str]) -> int:
    """Fuzz the chosen (or all) targets; 1 if any crashed."""
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__)
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("FUZZ_SECONDS", DEFAULT_SECONDS)))
    parser.add_argument("names", nargs="*", help="targets to run (default: all)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the desk's notices about refused input: millions
    try:
        targets = [*all_targets(), _socket_target()]
        chosen = [t for t in targets if not args.names or t.name in args.names]
        if not chosen:
            print(f"unknown target(s); known: {' '.join(t.name for t in targets)}",
                  file=sys.stderr)  # fmt: skip
            return 2
        share = args.seconds / len(chosen)
        outcomes = []
        for target in chosen:
            print(f"== {target.name} ({share:.0f} s)", flush=True)
            outcomes.append(fuzz(target, share))
    finally:
        for close in _OPEN:
            close()
    for figure in figures(outcomes):
        print(figure.line(), flush=True)
    crashed = [o.name for o in outcomes if o.crashes]
    print(f"fuzz: {sum(o.tried for o in outcomes)} inputs, "
          f"{sum(len(o.crashes) for o in outcomes)} crashes"
          + (f" in {', '.join(crashed)}" if crashed else ""))  # fmt: skip
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
