"""The clock poll of a real desk (the bench rig: simulators over pseudo-terminals, a real log):
the desk reads its `ClockSource` every `[clock] poll_s`, raises the clock fault on the second bad
reading, clears it on the second good one, and both are in the log."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from terminal.benchrig import BenchRig
from terminal.core.clock_trust import ClockState
from terminal.core.leds import LedPattern
from terminal.log import DB_NAME, LogReader
from terminal.service import status_line
from tests.rigs.bench import fast_config, until

GOOD = ClockState(True, est_error_ms=0.8, max_error_ms=12.0)
HIGH = ClockState(True, est_error_ms=480.0, max_error_ms=900.0)


class FakeClock:
    def __init__(self) -> None:
        self.state = GOOD
        self.reads = 0

    def read(self) -> ClockState:
        self.reads += 1
        return self.state


def test_the_desk_polls_the_clock_and_logs_the_fault(tmp_path: Path) -> None:
    config = fast_config(tmp_path)
    config = replace(config, clock=replace(config.clock, poll_s=1.0, max_error_ms=250.0))
    source = FakeClock()

    async def run() -> None:
        rig = BenchRig(config, workdir=tmp_path)
        rig.desk.clock_source = source
        await rig.start()
        engine = rig.desk.engine
        try:
            await until(lambda: rig.desk.radio.is_up, what="radio link up")
            await until(lambda: engine.snapshot.clock is not None, what="the first reading")
            assert status_line(engine.snapshot).endswith(" clock=ok")
            source.state = HIGH
            await until(lambda: bool(engine.snapshot.faults), timeout_s=5, what="clock fault")
            (fault,) = engine.snapshot.faults
            assert fault == "clock: the system clock's estimated error 480.0 ms is over 250 ms"
            assert engine.snapshot.leds.fault is LedPattern.BLINK_FAST
            assert status_line(engine.snapshot).endswith(" clock=ERROR(480.0ms)")
            source.state = GOOD
            await until(lambda: not engine.snapshot.faults, timeout_s=5, what="fault over")
            assert source.reads >= 5
        finally:
            rig.desk.stop("test end")

    asyncio.run(run())
    with LogReader(tmp_path / "log" / DB_NAME) as reader:
        got = [r.payload() for r in reader.records(kind="clock_fault")]
    assert [(p["change"], p["status"]) for p in got] == [
        ("started", "error high"), ("ended", "synchronised"),
    ]
    assert got[0]["est_error_ms"] == 480.0
