"""The disk fills under the desk's own log (SQLite's max_page_count on the open database: a
small filesystem cannot be mounted without root), mid-call, then space returns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from terminal.core.leds import LedPattern
from terminal.log import LogReader, LogStore
from tests.rigs.bench import (
    assert_log_whole,
    assert_unkeyed,
    bench_rig,
    call_flows,
    connect_call,
    key,
    until,
)


def fill(store: LogStore) -> None:
    """No page more than the file has now: the next commit that needs one fails (SQLITE_FULL)."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def make_room(store: LogStore) -> None:
    """Space returns."""
    store.conn.execute("PRAGMA max_page_count = 1073741823")


def test_disk_full_mid_call_then_space_returns(tmp_path: Path) -> None:
    """Log fault shown and the fault LED blinks; the call goes on (answer, key, unkey, hang up
    all reach the bridge); nothing is shown as committed while the disk is full and nothing is
    dropped: once space returns every record commits, the call is shown, the fault clears."""

    async def main() -> None:
        async with bench_rig(tmp_path) as bench:
            rig, engine = bench.rig, bench.rig.desk.engine
            writer, panel = rig.desk.writer, rig.desk.panel
            assert writer is not None and panel is not None
            await asyncio.wrap_future(writer.call(fill))
            await connect_call(rig)
            notes = 0
            while engine.snapshot.links["log"] and notes < 100:  # notes until the disk is full
                assert engine.add_note(f"note {notes}: " + "far end reads back the block " * 60)
                notes += 1
                await asyncio.sleep(0.02)
            await until(lambda: not engine.snapshot.links["log"], 10, "log fault shown")
            assert any(f.startswith("log:") and "full" in f for f in engine.snapshot.faults)
            await until(lambda: panel.led_pattern("fault") is LedPattern.BLINK_SLOW, 2, "LED")
            await key(rig)
            rig.press(False)
            await until(lambda: not rig.bridge.keyed, what="unkeyed on release")
            engine.intent("hangup")
            await until(lambda: rig.bridge.phase.value == "IDLE", what="hung up at the bridge")
            waiting = [f for _, f in bench.commits.submitted if not f.done()]
            assert waiting, "records wait while the disk is full"
            shown = [c.outcome for c in engine.snapshot.calls_today]
            assert shown in ([], [None]), "the call's end is not shown before it is committed"
            await asyncio.wrap_future(writer.call(make_room))
            await until(lambda: all(f.done() for f in waiting), 10, "the waiting records commit")
            await until(lambda: engine.snapshot.links["log"], 5, "log fault cleared")
            await until(lambda: panel.led_pattern("fault") is LedPattern.OFF, 2, "LED off")
            await until(lambda: [c.outcome for c in engine.snapshot.calls_today] == ["answered"],
                        5, "the call shown once committed")  # fmt: skip
            await call_flows(rig)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        committed = bench.commits.committed()
        assert len(committed) == len(bench.commits.submitted), "a record was dropped"
        assert_log_whole(bench.db, committed)
        with LogReader(bench.db) as reader:
            calls = reader.calls()
        assert [(c.outcome, c.transmissions) for c in calls] == [("answered", 1)] * 2
        assert calls[0].notes.count("far end reads back") == 60 * notes, "every note kept"

    asyncio.run(main())
