"""`make fuzz`: run every fuzz target for a time budget; print inputs tried and crashes found.

`python -m bench.fuzz [--seconds N] [name ...]` (or FUZZ_SECONDS=N, the budget in wall-clock
seconds, default 600). Two engines:

* atheris (libFuzzer, coverage-guided) for the link targets (`link_codec`, `link_session_bridge`,
  `link_session_coproc`, bench/fuzzing/link.py): each runs in a process of its own
  (bench/fuzzing/atheris_main.py) for the whole budget, all at once, seeded with valid frames of
  every message type; its figures are read from libFuzzer's output. A crash: libFuzzer writes
  the input to .hotline-bench/fuzz/; its path and traceback are printed (put the file in
  tests/fuzz/link_regressions/<target>/ and it is a regression test).
* hypothesis for the targets that need structure (config, control request lines, the live
  control socket): in this process, one after another, sharing the budget, while the atheris
  processes run (this process at nice 10 then, so that the link targets get the cores). A
  failure is shrunk and printed with its example.

Where atheris is not installed (it has wheels for x86-64 Linux only: not on a Pi), this says so
and the link targets fall back to hypothesis (`codec_mutated_frames`, `session_hostile_frames`,
not coverage-guided), sharing the budget with the rest. Exit 1 if any target crashed.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from bench.fuzzing import Target, all_targets
from bench.report import Figure

DEFAULT_SECONDS = 600.0
BATCH = 100
LINK_GOAL = 1_000_000
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / ".hotline-bench" / "fuzz"
LINK_NAMES = ("link_codec", "link_session_bridge", "link_session_coproc")
"""The coverage-guided link targets (bench/fuzzing/link.py)."""
LINK_FALLBACK = ("codec_mutated_frames", "session_hostile_frames")
"""The hypothesis link targets: the link targets where atheris is missing."""
HYPOTHESIS_NICE = 10
"""How much lower the hypothesis targets (this process) run than the atheris processes."""
MAX_LEN = {"link_codec": 1100}
"""libFuzzer's -max_len per target (default 600): a codec input must hold a frame of 512 bytes
and more; a session input of 600 bytes is a dozen frames and steps."""


@dataclass
class Outcome:
    """What one target's run found."""

    name: str
    tried: int = 0
    seconds: float = 0.0
    crashes: list[str] = field(default_factory=list)
    engine: str = "hypothesis"
    cpu_seconds: float | None = None
    artifacts: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.tried / self.seconds if self.seconds > 0 else 0.0


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


# -- atheris, one process per link target -----------------------------------------------------


def have_atheris() -> bool:
    """Whether atheris can be imported here (wheels: x86-64 Linux only)."""
    return importlib.util.find_spec("atheris") is not None


@dataclass
class AtherisRun:
    """A link target fuzzing in a child process; `finish` waits and reads its figures."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    started: float
    corpus: tempfile.TemporaryDirectory[str]

    def finish(self) -> Outcome:
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        # It may have stopped early (a crash): its log was last written when it did.
        seconds = min(time.time(), self.log_path.stat().st_mtime) - self.started
        self.corpus.cleanup()
        text = self.log_path.read_text(errors="replace")
        outcome = parse_libfuzzer(self.name, text, self.proc.returncode)
        outcome.seconds = seconds
        outcome.cpu_seconds = usage.ru_utime + usage.ru_stime
        return outcome


def atheris_command(name: str, seconds: float, corpus: Path, extra: list[str]) -> list[str]:
    """The command that fuzzes link target `name` for `seconds` (whole seconds, at least 1)."""
    return [
        sys.executable, "-m", "bench.fuzzing.atheris_main", name, "--seeds", str(corpus),
        f"-max_total_time={max(1, round(seconds))}", f"-max_len={MAX_LEN.get(name, 600)}",
        "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1",
        f"-artifact_prefix={ARTIFACTS}/{name}-", *extra,
    ]  # fmt: skip


def start_atheris(name: str, seconds: float, extra: Sequence[str] = ()) -> AtherisRun:
    """Start fuzzing link target `name` in a child process; its output goes to a log file."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    corpus = tempfile.TemporaryDirectory(prefix=f"hotline-{name}-")
    log_path = ARTIFACTS / f"{name}.log"
    started = time.time()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            atheris_command(name, seconds, Path(corpus.name) / "corpus", list(extra)),
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return AtherisRun(name, proc, log_path, started, corpus)


_DONE = re.compile(r"^Done (\d+) runs in (\d+) second", re.M)
_UNITS = re.compile(r"^stat::number_of_executed_units: *(\d+)", re.M)
_STATUS = re.compile(r"^#(\d+)\s", re.M)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


def parse_libfuzzer(name: str, text: str, returncode: int) -> Outcome:
    """Inputs run and crashes from a libFuzzer run's output (and its exit code)."""
    outcome = Outcome(name, engine="atheris")
    for pattern in (_UNITS, _DONE, _STATUS):
        found = pattern.findall(text)
        if found:
            last = found[-1]
            outcome.tried = int(last[0] if isinstance(last, tuple) else last)
            break
    outcome.artifacts = _ARTIFACT.findall(text)
    if returncode != 0:
        start = text.find("=== Uncaught Python exception: ===")
        if start < 0:
            start = max(text.rfind("==ERROR"), text.rfind("== ERROR"), 0)
        end = text.find("SUMMARY:", start)
        detail = text[start : end if end > 0 else None].strip() or text[-3000:]
        outcome.crashes.append(f"exit code {returncode}\n{detail}")
    return outcome


# -- the run ------------------------------------------------------------------------------------


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


class Count(Figure):
    """A figure that is a count: printed whole (``:g`` would make 1,234,567 read 1.23457e+06)."""

    def line(self) -> str:
        return super().line().replace(f"{self.value:g} ", f"{int(self.value)} ", 1)


def figures(outcomes: list[Outcome]) -> list[Figure]:
    """Per target: inputs tried (with seconds, rate, engine) and crashes found; then the link
    targets' total against the goal."""
    out: list[Figure] = []
    for o in outcomes:
        cpu = f", {o.cpu_seconds:.0f} s CPU" if o.cpu_seconds is not None else ""
        unit = f"inputs in {o.seconds:.0f} s ({o.per_second:,.0f}/s{cpu}, {o.engine})"
        out.append(Count(f"fuzz_{o.name}_inputs", o.tried, unit, "-"))
        out.append(Figure(f"fuzz_{o.name}_crashes", len(o.crashes), "crashes", "0"))
    link = [o for o in outcomes if o.name in LINK_NAMES or o.name in LINK_FALLBACK]
    if link:
        engines = "+".join(sorted({o.engine for o in link}))
        wall = max(o.seconds for o in link)
        out.append(Count("fuzz_link_inputs", sum(o.tried for o in link),
                          f"inputs ({len(link)} targets, {engines}, {wall:.0f} s)",
                          f">= {LINK_GOAL:,}"))  # fmt: skip
    return out


def main(argv: list[str]) -> int:
    """Fuzz the chosen (or all) targets; 1 if any crashed."""
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("FUZZ_SECONDS", DEFAULT_SECONDS)))
    parser.add_argument("names", nargs="*", help="targets to run (default: all)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the desk's notices about refused input: millions
    atheris = have_atheris()
    if not atheris:
        print("fuzz: atheris is not installed (wheels exist for x86-64 Linux only): the link "
              "targets run with hypothesis instead, not coverage-guided", flush=True)  # fmt: skip
    outcomes: list[Outcome] = []
    runs: list[AtherisRun] = []
    try:
        pure = all_targets()
        known = [*(LINK_NAMES if atheris else ()), *(t.name for t in pure), "control_socket_live"]
        unknown = [n for n in args.names if n not in known]
        if unknown:
            print(f"unknown target(s) {' '.join(unknown)}; known: {' '.join(known)}",
                  file=sys.stderr)  # fmt: skip
            return 2
        default = [n for n in known if not (atheris and n in LINK_FALLBACK)]
        chosen = args.names or default
        links = [n for n in chosen if n in LINK_NAMES]
        for name in links:
            print(f"== {name} (atheris, {args.seconds:.0f} s, in a process of its own)",
                  flush=True)  # fmt: skip
            runs.append(start_atheris(name, args.seconds))
        if runs:
            # The link processes get the cores: the 1,000,000-input goal is theirs; the
            # hypothesis targets here take what they leave.
            os.nice(HYPOTHESIS_NICE)
        targets = [t for t in pure if t.name in chosen]
        if "control_socket_live" in chosen:
            targets.append(_socket_target())
        share = args.seconds / len(targets) if targets else 0.0
        for target in targets:
            print(f"== {target.name} (hypothesis, {share:.0f} s)", flush=True)
            outcomes.append(fuzz(target, share))
    finally:
        for close in _OPEN:
            close()
        for run in runs:
            outcome = run.finish()
            outcomes.insert(len([o for o in outcomes if o.engine == "atheris"]), outcome)
            for crash, path in zip(outcome.crashes, [*outcome.artifacts, None], strict=False):
                print(f"--- {run.name}: crash, input written to {path or '(none)'}\n{crash}\n"
                      f"replay: python -m bench.fuzzing.atheris_main {run.name} {path or ''}\n"
                      f"regression test: copy it to tests/fuzz/link_regressions/{run.name}/",
                      flush=True)  # fmt: skip
    for figure in figures(outcomes):
        print(figure.line(), flush=True)
    crashed = [o.name for o in outcomes if o.crashes]
    print(f"fuzz: {sum(o.tried for o in outcomes)} inputs, "
          f"{sum(len(o.crashes) for o in outcomes)} crashes"
          + (f" in {', '.join(crashed)}" if crashed else ""))  # fmt: skip
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
