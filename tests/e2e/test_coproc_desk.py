"""The co-processor simulator over a real pty into the desk: alerts logged, shown, acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from e2e_helpers import until

from terminal.benchrig import BenchRig
from terminal.core.leds import LedPattern
from terminal.log import LogReader

Run = Callable[..., None]


def test_head_on_scenario_alerts_reach_the_desk_and_the_log(tmp_path: Path) -> None:
    import asyncio

    from e2e_helpers import fast_config

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        try:
            engine = rig.desk.engine
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")
            await until(lambda: bool(engine.snapshot.alerts), 20, "an alert shown")
            view = engine.snapshot.alerts[0]
            assert view.kind == "TRACK" and view.a.id and view.b.id
            panel = rig.desk.panel
            assert panel is not None
            await until(lambda: panel.led_pattern("alert") is not LedPattern.OFF, 5, "alert LED")
            engine.set_operator("OPS1")
            assert engine.acknowledge(view.pair_id)
            await until(
                lambda: any(a.acknowledged_by == "OPS1" for a in engine.snapshot.alerts)
                or not engine.snapshot.alerts, 5, "acknowledged",
            )
            assert rig.coproc is not None
            delivered = set(rig.coproc.log.delivered)  # ACKed by the terminal
            await asyncio.sleep(0.2)  # their records commit
        finally:
            rig.desk.stop("test end")
        with LogReader(tmp_path / "log" / "hotline.db") as reader:
            rows = reader.alerts()
        logged = [(r.boot_id, r.alert_seq) for r in rows]
        assert len(logged) == len(set(logged)), "each alert logged once"
        assert delivered and delivered <= set(logged), "every ACKed alert is in the log"

    asyncio.run(main())


def test_an_alert_is_acknowledged_to_the_coprocessor_only_once_committed(tmp_path: Path) -> None:
    """The database held by another process: the ALERT arrives but is not ACKed (the co-processor
    keeps it and resends); once the lock goes it is committed, then ACKed, then shown."""
    import asyncio
    import sqlite3

    from e2e_helpers import fast_config

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        blocker = sqlite3.connect(tmp_path / "log" / "hotline.db", timeout=10)
        try:
            coproc = rig.coproc
            assert coproc is not None and rig.desk.coproc is not None
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")
            blocker.execute("BEGIN EXCLUSIVE")
            locked_from = len(coproc.log.issued)
            await until(lambda: len(coproc.log.issued) > locked_from, 20, "an alert issued")
            first = coproc.log.issued[locked_from]
            key = (first[0], first[1])
            await asyncio.sleep(1.0)  # several ACK time-outs go by with the log still held
            assert key not in coproc.log.delivered, "ACKed before it was committed"
            assert rig.desk.engine.snapshot.alerts == (), "shown before it was committed"
            blocker.rollback()
            await until(lambda: key in coproc.log.delivered, 20, "ACKed once committed")
            with LogReader(tmp_path / "log" / "hotline.db") as reader:
                logged = {(r.boot_id, r.alert_seq) for r in reader.alerts()}
            assert key in logged
            await until(lambda: bool(rig.desk.engine.snapshot.alerts), 5, "shown")
        finally:
            blocker.close()
            rig.desk.stop("test end")

    asyncio.run(main())
