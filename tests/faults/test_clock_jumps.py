"""The wall clock jumps forwards and backwards under a running desk (NTP stepping it, an operator
setting it). Only this process's clock jumps: the desk's one UTC source, `terminal.zulu
.now_ms`, is patched. Timers (reminders, ring time-out, TOT, heartbeats, link time-out) run on
the loop's monotonic clock and must not notice; records carry the jumped UTC, in id order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pytest_mock import MockerFixture

from hw.wire.messages import Unkey
from terminal import zulu
from terminal.core.calls import CallPhase
from tests.rigs.bench import (
    assert_log_whole,
    assert_unkeyed,
    bench_rig,
    call_flows,
    connect_call,
    fast_config,
    key,
    stored,
    until,
)

HOUR_MS = 3_600_000
REPEAT_S = 0.6
RING_S = 0.8
TOT_S = 1.0


async def timed(what: str, predicate: Callable[[], bool], low_s: float, high_s: float) -> float:
    """Seconds (monotonic) until `predicate` holds; between low_s and high_s."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await until(predicate, high_s + 2, what)
    took = loop.time() - start
    assert low_s <= took <= high_s, f"{what} after {took:.2f} s, not in [{low_s}, {high_s}]"
    return took


def test_wall_clock_jumps_leave_timers_alone(tmp_path: Path, mocker: MockerFixture) -> None:
    """+1 h, -2 h, +2 days: the critical reminder, the ring time-out and the TOT each fire on
    time, the links never drop, records are stamped with the jumped time and verify."""
    real = zulu.now_ms
    offset = [0]
    mocker.patch.object(zulu, "now_ms", lambda: real() + offset[0])
    cfg = fast_config(tmp_path, ring_timeout_s=RING_S, tx_timeout_s=TOT_S, tx_warning_s=0.5)
    cfg = replace(cfg, alerts=replace(cfg.alerts, critical_repeat_s=REPEAT_S))
    started_ms = real()

    async def main() -> None:
        async with bench_rig(tmp_path, cfg, scenario="burst:1") as bench:
            rig, engine = bench.rig, bench.rig.desk.engine
            radio, coproc = rig.desk.radio, rig.desk.coproc
            assert coproc is not None
            await until(lambda: len(engine.alerts) == 1, 10, "a critical alert")
            hb = radio.session.stats["hb_in"]
            # +1 h: the unacknowledged critical still sounds again every REPEAT_S, not at once.
            reminders = engine.alerts.stats["reminders"]
            offset[0] = HOUR_MS
            await timed("first reminder", lambda: engine.alerts.stats["reminders"] > reminders,
                        0.0, REPEAT_S + 1.0)  # fmt: skip
            reminders = engine.alerts.stats["reminders"]
            await timed("next reminder", lambda: engine.alerts.stats["reminders"] > reminders,
                        REPEAT_S - 0.15, REPEAT_S + 1.0)  # fmt: skip
            # -2 h while ringing: the ring times out after RING_S, not never.
            assert rig.far("ring")
            await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
            offset[0] = -2 * HOUR_MS
            await timed("missed call", lambda: engine.core.state.phase is CallPhase.IDLE,
                        RING_S - 0.2, RING_S + 1.5)  # fmt: skip
            # +2 days while keyed: the TOT unkeys after TOT_S, not at once.
            await until(lambda: rig.bridge.phase.value == "IDLE", what="far end gave up")
            await connect_call(rig)
            await key(rig)
            offset[0] = 48 * HOUR_MS
            await timed("TOT", lambda: not rig.bridge.keyed, TOT_S - 0.25, TOT_S + 1.5)
            assert [u.reason for _, u in rig.bridge.log.received if isinstance(u, Unkey)] == [
                "TOT"
            ]
            rig.press(False)
            engine.intent("hangup")
            assert radio.session.stats["hb_in"] > hb, "heartbeats went on"
            downs = [k for k, v in radio.session.stats.items() if k.startswith("link_down") and v]
            assert not downs and radio.is_up and coproc.is_up, downs
            offset[0] = -HOUR_MS
            await call_flows(rig)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        rows = stored(bench.db)
        assert sorted(rows) == list(range(min(rows), max(rows) + 1)), "ids without a gap"
        committed = bench.commits.committed()
        stamps = [(rid, utc) for rid, utc in _stamps(bench.db) if rid in committed]
        assert any(utc > started_ms + 40 * HOUR_MS for _, utc in stamps), "+2 days recorded"
        assert any(utc < started_ms - HOUR_MS for _, utc in stamps), "-2 h recorded"
        utcs = [utc for _, utc in stamps]
        assert utcs != sorted(utcs), "records keep id order, stamped with the time as it was"

    asyncio.run(main())


def _stamps(db: Path) -> list[tuple[int, int]]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, utc_ms FROM records ORDER BY id").fetchall()
    finally:
        conn.close()
