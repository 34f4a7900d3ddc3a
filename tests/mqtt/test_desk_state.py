"""The retained desk state: what goes in (pure), and that it is sent only on a change, at most
once per state_interval_s, against a real broker."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

from mqtt_helpers import Broker, Collector, until

from terminal.config.model import MqttConfig
from terminal.core.calls import CallSettings
from terminal.engine import Engine, EngineOptions
from terminal.log import LogWriter
from terminal.mqtt.publisher import Publisher
from terminal.mqtt.state import desk_state
from terminal.snapshot import DeskSnapshot
from terminal.views import AlertView, LinkHealth, TrackView


def snapshot(**changes: object) -> DeskSnapshot:
    base = Engine(EngineOptions(call=CallSettings())).snapshot
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_state_holds_call_links_alerts_and_nothing_that_ticks() -> None:
    track = TrackView("RAF1", 52.0, 4.0, 30000.0)
    alert = AlertView("RAF1/GAF2", "critical", "TRACK", track, track, 900.0, 0.0, 30.0, 500.0,
                      "2026-11-25T10:00:00.000Z", "2026-11-25T10:00:05.000Z")  # fmt: skip
    snap = snapshot(
        display="CONNECTED", operator="OPS7", alerts=(alert,), faults=("log: disk full",),
        health=(LinkHealth("radio", True, "2026-11-25T10:00:05.000Z", "bridge B1"),),
    )  # fmt: skip
    state = desk_state(snap)
    assert state["call"]["state"] == "CONNECTED" and state["operator"] == "OPS7"
    assert state["links"] == {"radio": {"up": True, "detail": "bridge B1"}}
    assert state["alerts"][0]["pair_id"] == "RAF1/GAF2" and state["faults"] == ["log: disk full"]
    ticked = replace(snap, health=(LinkHealth("radio", True, "2026-11-25T10:00:06.000Z",
                                              "bridge B1"),))  # fmt: skip
    assert desk_state(ticked) == state  # "last heard" moves every second: not a change
    json.dumps(state)  # JSON-ready


def test_state_changes_are_rate_limited(tmp_path: Path, broker: Broker) -> None:
    collector = Collector(broker.port)
    config = MqttConfig(enabled=True, broker=broker.url, state_interval_s=0.5)

    def shown_operator() -> object:
        state = collector.latest("state")
        return None if state is None else state.body.get("operator")

    async def main() -> None:
        listen = asyncio.create_task(collector.run())
        await until(collector.ready.is_set, what="subscribed")
        writer = LogWriter.open(tmp_path / "hotline.db")
        publisher = Publisher(config, "AOC", "D1", writer)
        task = asyncio.create_task(publisher.run())
        try:
            await until(lambda: publisher.is_up, what="connected")
            loop = asyncio.get_running_loop()
            start = loop.time()
            for n in range(40):  # 40 changes in about 0.4 s
                publisher.desk_changed(snapshot(operator=f"OP{n}"))
                await asyncio.sleep(0.01)
            for _ in range(20):  # no change: nothing to send
                publisher.desk_changed(snapshot(operator="OP39"))
            await until(lambda: shown_operator() == "OP39", what="the last state")
            took = loop.time() - start
            states = [r for r in collector.received if r.leaf == "state"]
            assert 2 <= len(states) <= 2 + took / 0.5
        finally:
            await publisher.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            publisher.save_on_close()
            writer.close(5)
            listen.cancel()

    asyncio.run(main())
