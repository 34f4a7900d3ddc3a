"""The clock fault at the desk: the engine fed readings from an injected `ClockSource` raises the
fault (console notice, fault LED, service STATUS), writes a `clock_fault` record when it starts
and when it ends (a real log file), and an unreadable clock is said once, never faulted."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from terminal.core import events
from terminal.core.calls import CallSettings
from terminal.core.clock_trust import ClockState
from terminal.core.leds import LedPattern
from terminal.desk_records import DeskRecords
from terminal.engine import Engine, EngineOptions
from terminal.log import LogReader, LogWriter, verify
from terminal.service import status_line

GOOD = ClockState(True, est_error_ms=1.2, max_error_ms=20.0)
UNSYNC = ClockState(False, est_error_ms=16_000.0, max_error_ms=16_000.0)


class FakeClock:
    """A `ClockSource` the test sets."""

    def __init__(self, state: ClockState) -> None:
        self.state = state

    def read(self) -> ClockState:
        return self.state


class Bridge:
    """A radio link that is up (so only the clock can be at fault)."""

    is_up = True

    def send_command(self, command: str, reason: str) -> None:
        pass

    def fail_safe_unkey(self, reason: str, timeout_s: float) -> bool:
        return True


def engine() -> Engine:
    e = Engine(EngineOptions(call=CallSettings(), clock_max_error_ms=50.0))
    e.attach(bridge=Bridge())
    e.feed(events.LinkUp(e.clock()))
    return e


def test_no_reading_yet_means_no_clock_in_the_snapshot_or_status() -> None:
    e = engine()
    assert e.snapshot.clock is None
    assert "clock=" not in status_line(e.snapshot)


def test_an_unsynchronised_clock_faults_records_and_recovers(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"

    async def run() -> None:
        writer = LogWriter.open(db)
        records = DeskRecords(writer, lambda calls: None)
        e = engine()
        e.bind_loop(asyncio.get_running_loop())
        e.parts.clock_record = records.record_clock
        source = FakeClock(GOOD)
        try:
            e.clock_reading(source.read())
            assert e.snapshot.clock is not None and e.snapshot.clock.status == "synchronised"
            assert e.snapshot.leds.fault is LedPattern.OFF
            assert status_line(e.snapshot).endswith(" clock=ok")
            source.state = UNSYNC
            e.clock_reading(source.read())
            assert e.snapshot.faults == ()  # one bad reading is not yet a fault
            e.clock_reading(source.read())
            snap = e.snapshot
            unsync = "clock: the system clock is not synchronised"
            assert any(f.startswith(unsync) for f in snap.faults)
            assert snap.leds.fault is LedPattern.BLINK_FAST  # the clock alone: fast
            assert snap.notices[-1].level == "error" and snap.notices[-1].text.startswith("clock:")
            assert status_line(snap).endswith(" clock=UNSYNCHRONISED")
            e.set_fault("log", "disk full")  # a link or device fault as well: slow
            assert e.snapshot.leds.fault is LedPattern.BLINK_SLOW
            e.set_fault("log", None)
            source.state = GOOD
            e.clock_reading(source.read())
            e.clock_reading(source.read())
            assert e.snapshot.faults == () and e.snapshot.leds.fault is LedPattern.OFF
            assert e.snapshot.notices[-1].text == "clock: recovered."
            assert writer.flush(5)
        finally:
            records.close()
            assert writer.close(5)

    asyncio.run(run())
    with LogReader(db) as reader:
        rows = list(reader.records(kind="clock_fault"))
    assert [r.payload()["change"] for r in rows] == ["started", "ended"]
    started, ended = (r.payload() for r in rows)
    assert started["status"] == "unsynchronised" and started["est_error_ms"] == 16000.0
    assert started["since_utc_ms"] <= rows[0].utc_ms
    assert ended["status"] == "synchronised" and ended["started_utc_ms"] == started["since_utc_ms"]
    assert json.loads(rows[1].text)["reason"] == "the system clock is synchronised"
    assert verify(db).ok


def test_an_unknown_clock_is_said_once_and_never_faults() -> None:
    e = engine()
    unknown = ClockState(None, detail="adjtimex: Operation not permitted")
    for _ in range(5):
        e.clock_reading(unknown)
    said = [n for n in e.snapshot.notices if "unknown" in n.text]
    assert [n.text for n in said] == [
        "Clock: synchronisation unknown (adjtimex: Operation not permitted)."
    ]
    assert e.snapshot.faults == () and e.snapshot.leds.fault is not LedPattern.BLINK_FAST
    assert status_line(e.snapshot).endswith(" clock=unknown")


def test_the_clock_travels_in_the_attach_snapshot() -> None:
    import json as _json
    from dataclasses import replace

    from terminal.attach.wire import snapshot_from_json, to_json
    from terminal.core.clock_trust import ClockView

    e = engine()
    assert snapshot_from_json(_json.loads(_json.dumps(to_json(e.snapshot)))).clock is None
    view = ClockView("error high", True, 480.0, 900.0, None, 1_796_653_497_000, "")
    snap = replace(e.snapshot, clock=view)
    assert snapshot_from_json(_json.loads(_json.dumps(to_json(snap)))).clock == view
