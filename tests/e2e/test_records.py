"""Every call ends up in the durable log, committed before it is shown; the log verifies."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from e2e_helpers import until

from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.log import LogReader
from tests.rigs.service_child import service

Run = Callable[..., None]


def hotline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terminal.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_answered_call_with_a_transmission_is_logged_and_shown(
    run_rig: Run, tmp_path: Path
) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        rig.far("ring")
        await until(lambda: engine.core.state.phase is CallPhase.RINGING)
        rig.press(True)
        await until(lambda: rig.bridge.keyed)
        await asyncio.sleep(0.05)
        rig.press(False)
        await until(lambda: not rig.bridge.keyed)
        assert engine.add_note("far end confirms FL240 block")
        engine.intent("hangup")
        await until(
            lambda: bool(engine.snapshot.calls_today)
            and engine.snapshot.calls_today[0].outcome == "answered",
            what="the ended call shown from the log",
        )
        shown = engine.snapshot.calls_today[0]
        assert shown.direction == "incoming" and shown.transmissions == 1
        assert "FL240" in shown.notes

    run_rig(body)
    db = tmp_path / "log" / "hotline.db"
    with LogReader(db) as reader:
        calls = reader.calls()
        journal = list(reader.journal())
    assert len(calls) == 1
    call = calls[0]
    assert call.outcome == "answered" and call.transmissions == 1 and call.transmit_ms >= 40
    assert call.answered_utc_ms is not None and call.ended_utc_ms is not None
    names = [j.name for j in journal]
    assert "RingReceived" in names and "SendBridge" in names and "Shutdown" in names
    done = hotline("log", "verify", "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    listed = hotline("log", "calls", "--db", str(db), "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout.splitlines()[0])["outcome"] == "answered"


def test_a_note_typed_after_hang_up_goes_into_the_call_just_ended(
    run_rig: Run, tmp_path: Path
) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        assert not engine.add_note("before any call"), "no call yet: nothing to attach to"
        rig.far("ring")
        await until(lambda: engine.core.state.phase is CallPhase.RINGING)
        engine.intent("answer")
        await until(lambda: engine.core.state.phase is CallPhase.CONNECTED)
        engine.intent("hangup")
        await until(lambda: engine.core.state.phase is CallPhase.IDLE)
        assert engine.add_note("far end will call back at 1400Z")
        await until(
            lambda: bool(engine.snapshot.calls_today)
            and "1400Z" in engine.snapshot.calls_today[0].notes,
            what="the note shown on the ended call",
        )

    run_rig(body)
    with LogReader(tmp_path / "log" / "hotline.db") as reader:
        calls = reader.calls()
    assert len(calls) == 1 and "1400Z" in calls[0].notes and calls[0].ended_utc_ms is not None


def test_missed_call_is_logged(run_rig: Run, tmp_path: Path) -> None:
    async def body(rig: BenchRig) -> None:
        rig.far("ring")
        await until(
            lambda: bool(rig.desk.engine.snapshot.calls_today)
            and rig.desk.engine.snapshot.calls_today[0].outcome == "missed",
            timeout_s=3,
        )

    run_rig(body, ring_timeout_s=0.2)
    with LogReader(tmp_path / "log" / "hotline.db") as reader:
        assert [c.outcome for c in reader.calls()] == ["missed"]


def test_sigterm_mid_call_ends_the_call_record_and_flushes(tmp_path: Path) -> None:
    async def main() -> None:
        async with service(tmp_path) as child:
            child.sim.ring(child.now())
            child.runner.pump()
            await until(lambda: child.sim.phase.value == "RINGING_DESK", 5)
            await until(lambda: child.state().get("state") == "RINGING", 5, "desk ringing")
            child.signal(signal.SIGTERM)
            assert await child.wait() == 0

    asyncio.run(main())
    db = tmp_path / "log" / "hotline.db"
    with LogReader(db) as reader:
        calls = reader.calls()
    assert len(calls) == 1 and calls[0].outcome == "missed" and calls[0].ended_utc_ms
    assert hotline("log", "verify", "--db", str(db)).returncode == 0


def test_locked_database_shows_a_fault_and_loses_nothing(run_rig: Run, tmp_path: Path) -> None:
    import sqlite3

    from terminal.core.leds import LedPattern

    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        blocker = sqlite3.connect(tmp_path / "log" / "hotline.db", timeout=10)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database (once the
        # desk's commit in progress, if any, is done: with timeout=0 this failed at random)
        try:
            rig.far("ring")
            await until(lambda: engine.core.state.phase is CallPhase.RINGING)
            engine.intent("answer")
            engine.intent("hangup")
            await until(lambda: not engine.snapshot.links["log"], 10, "log fault shown")
            assert any(f.startswith("log:") for f in engine.snapshot.faults)
            panel = rig.desk.panel
            assert panel is not None
            await until(lambda: panel.led_pattern("fault") is LedPattern.BLINK_SLOW, 5, "LED")
            assert engine.snapshot.calls_today == (), "nothing shown before it is committed"
        finally:
            blocker.rollback()
            blocker.close()
        await until(lambda: engine.snapshot.links["log"], 10, "fault cleared")
        await until(
            lambda: bool(engine.snapshot.calls_today)
            and engine.snapshot.calls_today[0].outcome == "answered",
            10, "the ended call shown once committed",
        )

    run_rig(body)
    with LogReader(tmp_path / "log" / "hotline.db") as reader:
        assert [c.outcome for c in reader.calls()] == ["answered"]
