"""End to end on the real desk (bench rig: real ptys, mock pins, the SQLite log in WAL) with the
publisher on: calls and alerts reach a supervisor; with the broker stopped the desk goes on and
its log holds everything; started again on the same port, every record arrives, in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from mqtt_helpers import Broker, Collector, retained, until

from terminal.benchrig import BenchRig
from terminal.config import Config, bench_config
from terminal.core.alert_events import AlertReceived
from terminal.core.calls import CallPhase
from terminal.engine import utc_ms
from terminal.kernel.report import Member
from terminal.log import LogReader, verify
from terminal.mqtt.outbox import OutboxReader
from terminal.mqtt.payload import PUBLISHED_KINDS


def desk_config(tmp_path: Path, broker: str) -> Config:
    cfg = bench_config(log_dir=tmp_path / "log")
    return replace(
        cfg,
        desk=replace(cfg.desk, site="AOC", id="DESK-3"),
        gpio=replace(cfg.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(
            cfg.radio,
            heartbeat_s=0.25,
            link_timeout_s=2.0,
            ack_timeout_s=0.1,
            reopen_min_s=0.05,
            reopen_max_s=0.2,
        ),
        audio=replace(cfg.audio, enabled=False),
        mqtt=replace(
            cfg.mqtt,
            enabled=True,
            broker=broker,
            reconnect_min_s=0.1,
            reconnect_max_s=0.3,
            state_interval_s=0.1,
        ),
    )


def alert(seq: int, pair: str) -> AlertReceived:
    now = asyncio.get_running_loop().time()
    a = Member("RAF1", 52.0, 4.0, 30000, 0.0, 200.0, 0.0)
    b = Member("GAF2", 52.0, 4.1, 30000, 0.0, -200.0, 0.0)
    return AlertReceived(now, utc_ms(), "C0FFEE01", seq, pair, "TRACK", "warning",
                            utc_ms(), a, b, 6850.0, 0.0, 17.1, 0.0)  # fmt: skip


async def a_call(rig: BenchRig) -> None:
    engine = rig.desk.engine
    rig.far("ring")
    await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
    engine.intent("answer")
    await until(lambda: engine.core.state.phase is CallPhase.CONNECTED, what="connected")
    rig.far("hangup")
    await until(lambda: engine.core.state.phase is CallPhase.IDLE, what="idle")


@contextlib.asynccontextmanager
async def publishing_desk(
    tmp_path: Path, broker: Broker, collector: Collector
) -> AsyncIterator[BenchRig]:
    """A bench desk publishing to `broker`, `collector` subscribed, both links up; stopped (and
    the collector with it) at the end."""
    listen = asyncio.create_task(collector.run())
    await until(collector.ready.is_set, what="subscribed")
    rig = BenchRig(desk_config(tmp_path, broker.url), workdir=tmp_path)
    await rig.start()
    mqtt = rig.desk.mqtt
    assert mqtt is not None
    try:
        await until(lambda: rig.desk.radio.is_up and mqtt.is_up, what="radio and mqtt up")
        yield rig
    finally:
        rig.desk.stop("test end")
        listen.cancel()


def saved_cursor(db: Path) -> int:
    """The outbox cursor as committed (-1 when there is none)."""
    outbox = OutboxReader(db)
    try:
        cursor = outbox.cursor()
    finally:
        outbox.close()
    return -1 if cursor is None else cursor


def logged_ids(db: Path) -> list[int]:
    with LogReader(db) as reader:
        return [r.id for r in reader.chain() if r.kind in PUBLISHED_KINDS]


def test_the_desk_publishes_and_rides_out_a_broker_outage(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker", persistent=True)
    broker.start()
    collector = Collector(broker.port, session="supervisor")
    db = tmp_path / "log" / "hotline.db"

    async def main() -> None:
        async with publishing_desk(tmp_path, broker, collector) as rig:
            engine = rig.desk.engine
            assert engine.snapshot.links["mqtt"]
            await a_call(rig)
            engine.alert_event(alert(1, "RAF1/GAF2"))
            await until(lambda: bool(engine.snapshot.alerts), what="alert shown")
            engine.set_operator("OPS7")
            assert engine.acknowledge("RAF1/GAF2")
            await until(lambda: {"call_started", "call_answered", "call_ended", "alert_received",
                                 "alert_acknowledged"} <= {r.body["kind"] for r in
                                                           collector.records()},
                        what="a call and an alert at the supervisor")  # fmt: skip

            def state_shows_the_alert() -> bool:
                state = collector.latest("state")
                return (
                    state is not None
                    and state.body["links"]["radio"]["up"]
                    and [a["pair_id"] for a in state.body["alerts"]] == ["RAF1/GAF2"]
                )

            await until(state_shows_the_alert, what="radio up and the alert in the state")

            broker.stop()
            await until(lambda: not engine.snapshot.links["mqtt"], what="mqtt shown down")
            health = {h.name: h for h in engine.snapshot.health}["mqtt"]
            assert not health.up and "broker" in health.detail
            for seq in (2, 3):
                await a_call(rig)  # the desk works on without its broker
                engine.alert_event(alert(seq, f"P{seq}"))
            await until(lambda: len(engine.snapshot.alerts) == 3, what="alerts shown")
            assert rig.desk.writer is not None and rig.desk.writer.flush(5)
            waiting = logged_ids(db)
            assert len(waiting) > len(collector.unique_ids())  # the log holds what is unsent

            broker.start()  # same port
            await until(lambda: collector.unique_ids() == logged_ids(db), timeout_s=15,
                        what="everything delivered")  # fmt: skip
            await until(lambda: engine.snapshot.links["mqtt"], what="mqtt shown up")
            await rig.desk.shutdown("test end")
        status = await retained(broker.port, "hotline/AOC/DESK-3/status")
        assert (status.body["status"], status.body.get("reason")) == ("offline", "stopped")

    try:
        asyncio.run(main())
    finally:
        broker.stop()
    assert collector.bad == []
    assert collector.unique_ids() == logged_ids(db)  # in order, exactly as logged, each once
    with LogReader(db) as reader:
        texts = {r.id: r.hash.hex() for r in reader.chain()}
    assert all(r.body["hash"] == texts[r.record_id] for r in collector.records() if r.record_id)
    assert verify(db).ok
    assert saved_cursor(db) >= logged_ids(db)[-1]  # marked sent, and saved on stop


def test_off_by_default_no_publisher_and_no_mqtt_row(tmp_path: Path) -> None:
    config = replace(desk_config(tmp_path, "mqtt://127.0.0.1:1"),
                     mqtt=bench_config().mqtt)  # fmt: skip
    assert not config.mqtt.enabled

    async def main() -> None:
        rig = BenchRig(config, workdir=tmp_path)
        await rig.start()
        try:
            await until(lambda: rig.desk.radio.is_up, what="radio up")
            assert rig.desk.mqtt is None
            assert "mqtt" not in rig.desk.engine.snapshot.links
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())


def test_a_desk_with_no_broker_at_all_works_and_keeps_its_records(tmp_path: Path) -> None:
    nobody = Broker(tmp_path / "never-started")  # a free port nobody listens on

    async def main() -> None:
        rig = BenchRig(desk_config(tmp_path, nobody.url), workdir=tmp_path)
        await rig.start()
        engine = rig.desk.engine
        try:
            await until(lambda: rig.desk.radio.is_up, what="radio up")
            await a_call(rig)
            mqtt = rig.desk.mqtt
            assert mqtt is not None and not engine.snapshot.links["mqtt"]
            await until(lambda: mqtt.waiting == 3, what="3 records waiting shown")
            health = {h.name: h for h in engine.snapshot.health}["mqtt"]
            assert "Connection refused" in health.detail and "3 records waiting" in health.detail
        finally:
            await rig.desk.shutdown("test end")
            rig.desk.stop("test end")

    asyncio.run(main())
    assert len(logged_ids(tmp_path / "log" / "hotline.db")) == 3


def test_a_clean_stop_publishes_what_was_committed_while_stopping(tmp_path: Path) -> None:
    """Records the desk commits as it stops (an alert just in, the ended call of the fail-safe
    path) reach the broker before it disconnects, and the saved cursor is past them: a clean
    stop leaves nothing for the next start to send again."""
    broker = Broker(tmp_path / "broker", persistent=True)
    broker.start()
    collector = Collector(broker.port, session="supervisor")
    db = tmp_path / "log" / "hotline.db"

    async def main() -> None:
        async with publishing_desk(tmp_path, broker, collector) as rig:
            engine = rig.desk.engine
            rig.far("ring")
            await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
            engine.intent("answer")
            await until(lambda: engine.core.state.phase is CallPhase.CONNECTED, what="connected")
            engine.alert_event(alert(1, "RAF1/GAF2"))  # committed while the desk stops
            await rig.desk.shutdown("test end")  # the call ends on the fail-safe path
        await until(lambda: collector.unique_ids() == logged_ids(db), timeout_s=5,
                    what="every record at the broker")  # fmt: skip

    try:
        asyncio.run(main())
    finally:
        broker.stop()
    kinds = {r.body["kind"] for r in collector.records()}
    assert {"call_started", "call_answered", "call_ended", "alert_received"} <= kinds
    assert saved_cursor(db) >= logged_ids(db)[-1]
