"""The crash test: a writer killed with SIGKILL at random moments loses nothing it reported."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from terminal.log import verify
from terminal.log.signing import generate
from terminal.log.verify import Trust

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
RUNS = 20


def committed_ids(output: bytes) -> list[int]:
    """Ids from complete lines only (the kill may cut the last line short)."""
    lines = output.decode().split("\n")[:-1]
    return [int(line) for line in lines if line != "ready"]


def run_and_kill(
    db_path: Path, run: int, delay_s: float, key: Path | None = None
) -> tuple[list[int], bool]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    signing = [] if key is None else [str(key)]
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(db_path), str(run), *signing],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None
    first = child.stdout.readline()  # "ready": the writer is open; writing starts now
    time.sleep(delay_s)
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return committed_ids(first + rest), first == b"ready\n"


@pytest.mark.slow
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "checkpoints"])
def test_sigkill_never_loses_a_committed_record(tmp_path: Path, signed: bool) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    db_path = tmp_path / "hotline.db"
    key = tmp_path / "desk.key" if signed else None
    trust = None
    if key is not None:
        trust = Trust([generate(key).public])
    reported: list[int] = []
    signed_checkpoints = 0
    for run in range(RUNS):
        ids, started = run_and_kill(db_path, run, rng.uniform(0.0, 0.25), key)
        assert started, f"child did not start (seed {seed})"
        reported.extend(ids)
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], seed
            present = {row[0] for row in conn.execute("SELECT id FROM records")}
        finally:
            conn.close()
        missing = sorted(set(reported) - present)
        assert not missing, f"run {run}: committed ids lost: {missing[:10]} (seed {seed})"
        report = verify(db_path, trust=trust)
        assert report.ok, f"run {run}: {report.first} (seed {seed})"
        signed_checkpoints = report.signed
    assert len(reported) > RUNS, f"too few commits to mean anything (seed {seed})"
    if signed:
        assert signed_checkpoints > 0, f"no checkpoint was signed in {RUNS} runs (seed {seed})"
