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
