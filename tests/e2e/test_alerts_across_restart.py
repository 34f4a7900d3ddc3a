"""An alert open when the desk stops is open again when it starts (the console shows it), and
the co-processor's CLEAR after the restart closes it in the log: it used to stay open for good."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from terminal.benchrig import BenchRig
from terminal.config import Config, bench_config
from terminal.core.alert_events import AlertCleared, AlertReceived
from terminal.engine import utc_ms
from terminal.kernel.report import Member
from terminal.log import LogReader, verify

BOOT = "C0FFEE01"


def config(tmp_path: Path) -> Config:
    cfg = bench_config(log_dir=tmp_path / "log")
    return replace(cfg, audio=replace(cfg.audio, enabled=False),
                   gpio=replace(cfg.gpio, lamp_test_ms=0))  # fmt: skip


def alert(seq: int, pair: str) -> AlertReceived:
    now = asyncio.get_running_loop().time()
    a = Member("RAF1", 52.0, 4.0, 30000, 0.0, 200.0, 0.0)
    b = Member("GAF2", 52.0, 4.1, 30000, 0.0, -200.0, 0.0)
    return AlertReceived(now, utc_ms(), BOOT, seq, pair, "TRACK", "warning",
                         utc_ms(), a, b, 6850.0, 0.0, 17.1, 0.0)  # fmt: skip


async def until(predicate: object, what: str, timeout_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def test_an_alert_open_at_stop_is_restored_and_its_clear_closes_it_in_the_log(
    tmp_path: Path,
) -> None:
    db = tmp_path / "log" / "hotline.db"

    async def first_run() -> None:
        rig = BenchRig(config(tmp_path), workdir=tmp_path)
        await rig.start()
        try:
            commit = rig.desk.engine.alert_event(alert(3, "RAF1/GAF2"))
            assert commit is not None
            await commit
        finally:
            await rig.desk.shutdown("test end")

    async def second_run() -> None:
        rig = BenchRig(config(tmp_path), workdir=tmp_path)
        await rig.start()
        engine = rig.desk.engine
        try:
            assert [a.pair_id for a in engine.snapshot.alerts] == ["RAF1/GAF2"]
            tones = engine.parts.tones  # audio off: the null player notes what was asked for
            assert tones is not None and "alert_warning" in tones.requested  # type: ignore[attr-defined]
            assert engine.alert_event(alert(3, "RAF1/GAF2")) is None  # the re-send: a repeat
            now = asyncio.get_running_loop().time()
            commit = engine.alert_event(AlertCleared(now, utc_ms(), BOOT, "RAF1/GAF2"))
            assert commit is not None, "the CLEAR made no record"
            await commit
            await until(lambda: not engine.snapshot.alerts, "the alert gone from the console")
        finally:
            await rig.desk.shutdown("test end")

    asyncio.run(first_run())
    with LogReader(db) as reader:
        assert [r.closed_reason for r in reader.alerts()] == [None]
    asyncio.run(second_run())
    with LogReader(db) as reader:
        rows = reader.alerts()
    assert [(r.alert_id, r.closed_reason) for r in rows] == [(f"{BOOT}:3", "cleared")]
    assert verify(db).ok
