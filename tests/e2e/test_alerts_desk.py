"""Alerts through the desk: logged before shown, LED and list follow, the operator acknowledges."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from e2e_helpers import until

from terminal.benchrig import BenchRig
from terminal.core.alert_events import AlertCleared, AlertReceived
from terminal.core.leds import LedPattern
from terminal.engine import utc_ms
from terminal.kernel.report import Member
from terminal.log import LogReader

Run = Callable[..., None]


def alert(seq: int, severity: str, pair: str = "RAF1/GAF2") -> AlertReceived:
    now = asyncio.get_running_loop().time()
    a = Member("RAF1", 52.0, 4.0, 30000, 0.0, 200.0, 0.0)
    b = Member("GAF2", 52.0, 4.1, 30000, 0.0, -200.0, 0.0)
    return AlertReceived(
        now, utc_ms(), "C0FFEE01", seq, pair, "TRACK", severity,  # type: ignore[arg-type]
        utc_ms(), a, b, 6850.0, 0.0, 17.1, 0.0,
    )


def test_alert_is_committed_then_shown_then_acknowledged(run_rig: Run, tmp_path: Path) -> None:
    async def body(rig: BenchRig) -> None:
        engine = rig.desk.engine
        panel = rig.desk.panel
        assert panel is not None
        shown_before_commit: list[bool] = []
        db = tmp_path / "log" / "hotline.db"

        def on_snapshot(snap: object) -> None:
            if engine.snapshot.alerts:
                with LogReader(db) as reader:
                    shown_before_commit.append(not reader.alerts())

        engine.subscribe(on_snapshot)
        engine.alert_event(alert(1, "warning"))
        await until(lambda: bool(engine.snapshot.alerts), what="alert shown")
        assert shown_before_commit and not any(shown_before_commit), "log first, screen second"
        view = engine.snapshot.alerts[0]
        assert view.pair_id == "RAF1/GAF2" and view.severity == "warning"
        assert panel.led_pattern("alert") is LedPattern.BLINK_SLOW
        engine.alert_event(alert(2, "critical"))  # the same pair rises: updated, not duplicated
        await until(lambda: engine.snapshot.alerts[0].severity == "critical", what="raised")
        assert len(engine.snapshot.alerts) == 1
        assert panel.led_pattern("alert") is LedPattern.BLINK_FAST
        engine.set_operator("OPS7")
        assert engine.acknowledge("RAF1/GAF2")
        await until(lambda: engine.snapshot.alerts[0].acknowledged_by == "OPS7", what="acked")
        assert not engine.acknowledge("NO/SUCH")
        engine.alert_event(AlertCleared(asyncio.get_running_loop().time(), utc_ms(),
                                           "C0FFEE01", "RAF1/GAF2"))
        await until(lambda: not engine.snapshot.alerts, what="cleared")
        assert panel.led_pattern("alert") is LedPattern.OFF

    run_rig(body)
    with LogReader(tmp_path / "log" / "hotline.db") as reader:
        rows = reader.alerts()
    assert [r.severity for r in rows] == ["warning", "critical"]
    assert rows[0].closed_reason == "superseded"
    assert rows[1].acked_by == "OPS7" and rows[1].closed_reason == "cleared"
