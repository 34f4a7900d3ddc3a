"""Verify's worker processes: one per id range of the chain, each checking its records
(`verify_range`) on a read-only connection of its own; their results come back in range order.

A worker is a fresh interpreter (`python -c BOOT`), not a fork: the process calling verify may
have threads inside SQLite (the side checks, a log writer), whose locks a fork would copy
held. It imports only the modules of the log it uses (the chain, the record kinds, opening the
file), not the package's writer, reader and signing. A worker that dies, or cannot be read, is
an error of verify (`LogError`): nothing is concluded about the log, and verify never waits on
a worker that is gone (its pipe closes).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from terminal.log.errors import LogError
from terminal.log.verify_range import RangeFailure, RangeResult

WORKERS_ENV = "HOTLINE_VERIFY_WORKERS"
"""Forces the number of worker processes (1: the chain is walked in the main process only)."""
PARALLEL_MIN_RECORDS = 50_000
"""Below this many records one process walks them all (a worker costs about 0.1 s to start)."""
_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = """\
import sys, types
root = sys.argv[1]
for name in ("terminal", "terminal.log"):  # the packages, without their __init__'s imports
    module = types.ModuleType(name)
    module.__path__ = [root + "/" + name.replace(".", "/")]
    sys.modules[name] = module
from terminal.log.verify_range import main
sys.exit(main(sys.argv[2:]))
"""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(records: int, forced: int | None = None) -> int:
    """How many workers check `records` records: `forced`, else $HOTLINE_VERIFY_WORKERS, else
    one per core (1, no worker, for a small log). LogError for a count that is not >= 1."""
    if forced is None:
        text = os.environ.get(WORKERS_ENV, "").strip()
        if text:
            forced = int(text) if text.isdigit() else 0
            if forced < 1:
                raise LogError(f"${WORKERS_ENV} must be a whole number >= 1, not {text!r}")
    if forced is not None:
        if forced < 1:
            raise LogError(f"verify needs at least 1 worker, not {forced}")
        return forced
    return 1 if records < PARALLEL_MIN_RECORDS else cores()


def split(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """lo..hi (inclusive) in `parts` consecutive ranges as even as ids allow (none empty)."""
    size = hi - lo + 1
    parts = max(1, min(parts, size))
    bounds = [lo + size * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1] - 1) for k in range(parts)]


class RangeWorkers:
    """The worker processes of one verify, started at once; `results()` in range order."""

    def __init__(self, path: Path, ranges: list[tuple[int, int]], base_id: int) -> None:
        self.path = path
        self.ranges = ranges
        self._procs: list[subprocess.Popen[bytes]] = []
        try:
            for lo, hi in ranges:
                args = [_ROOT, str(path.absolute()), str(lo), str(hi), str(base_id)]
                self._procs.append(
                    subprocess.Popen(
                        [sys.executable, "-c", _BOOT, *args],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                )
        except OSError as exc:
            self.stop()
            raise LogError(f"log database {path}: verify cannot start a worker: {exc}") from exc

    def results(self) -> Iterator[RangeResult]:
        """Each range's result as its worker ends (waiting for them in order)."""
        for (lo, hi), proc in zip(self.ranges, self._procs, strict=True):
            out, err = proc.communicate()
            yield self._read(lo, hi, proc.returncode, out, err)

    def _read(self, lo: int, hi: int, code: int, out: bytes, err: bytes) -> RangeResult:
        result: object = None
        if code == 0:
            try:
                result = pickle.loads(out)
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
                result = None
        if isinstance(result, RangeFailure):
            if result.kind == "log":
                raise LogError(result.message)
            failed = sqlite3.DatabaseError(result.message)
            failed.sqlite_errorname = result.errorname  # type: ignore[attr-defined]
            raise failed
        if isinstance(result, RangeResult):
            return result
        how = f"exit status {code}" if code >= 0 else f"signal {-code}"
        said = err.decode(errors="replace").strip().splitlines()
        tail = f": {said[-1]}" if said else ""
        raise LogError(
            f"log database {self.path}: verify's worker for records {lo}..{hi} ended with "
            f"{how}{tail}; nothing was concluded, run verify again"
        )

    def stop(self) -> None:
        """End the workers still running and wait for them."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
