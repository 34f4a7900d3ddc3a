"""The publisher against a real Mosquitto on loopback: schema, store-and-forward across an outage,
credentials, TLS. The log is a real SQLite file in WAL written by the single LogWriter."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from mqtt_helpers import Broker, Collector, add_user, make_ca, retained, until

from terminal.config.model import MqttConfig
from terminal.log import LogReader, LogWriter, records, verify
from terminal.mqtt.outbox import OutboxReader
from terminal.mqtt.payload import PUBLISHED_KINDS
from terminal.mqtt.publisher import Publisher

SITE, DESK = "AOC", "DESK-7"


def mqtt_config(url: str, **changes: object) -> MqttConfig:
    base = MqttConfig(enabled=True, broker=url, reconnect_min_s=0.1, reconnect_max_s=0.3,
                      state_interval_s=0.1)  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def submit_calls(writer: LogWriter, first: int, count: int) -> None:
    """A started call and a journal entry (never published) per call."""
    for n in range(first, first + count):
        writer.submit(*records.call_started(f"C-{n}", "incoming", "ops"))
        writer.submit(*records.journal_event("Tick", {"n": n}))


def published_ids(db: Path) -> list[int]:
    with LogReader(db) as reader:
        return [r.id for r in reader.chain() if r.kind in PUBLISHED_KINDS]


def run(
    tmp_path: Path, config: MqttConfig, body: Callable[[Publisher, LogWriter], Awaitable[None]]
) -> Path:
    """Run `body` with a started publisher over a fresh log; return the log's path."""
    db = tmp_path / "hotline.db"

    async def main() -> None:
        writer = LogWriter.open(db)
        publisher = Publisher(config, SITE, DESK, writer, timeout_s=3.0)
        task = asyncio.create_task(publisher.run())
        try:
            await until(lambda: publisher._started, what="publisher started")
            await body(publisher, writer)
        finally:
            await publisher.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            publisher.save_on_close()
            writer.close(5)

    asyncio.run(main())
    return db


def test_records_arrive_with_the_schema_and_the_logged_payload(
    tmp_path: Path, broker: Broker
) -> None:
    collector = Collector(broker.port)

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        listen = asyncio.create_task(collector.run())
        await until(collector.ready.is_set, what="subscribed")
        await until(lambda: publisher.is_up, what="publisher connected")
        submit_calls(writer, 1, 20)
        fields = {"range_m": 1234.5, "note": "Zürich \u2014 \"quoted\"\n"}
        writer.submit(*records.alert_received(fields, boot_id="B1", alert_seq=1, pair_id="P-1",
                                              severity="critical", consistent=True))  # fmt: skip
        writer.submit(*records.alert_acknowledged("B1:1", "ops"))
        await until(lambda: len(collector.ids()) == 22, what="22 records")
        await until(lambda: publisher.saved_id == publisher.sent_id > 0, what="cursor saved")
        listen.cancel()

    db = run(tmp_path, mqtt_config(broker.url), body)
    assert collector.bad == []
    assert collector.ids() == published_ids(db)  # in order, each once, journal not published
    with LogReader(db) as reader:
        logged = {r.id: r for r in reader.chain()}
    for got in collector.records():
        body = got.body
        rec = logged[body["id"]]
        assert (got.site, got.desk, body["schema"], body["type"]) == (SITE, DESK, 1, "record")
        assert body["kind"] == rec.kind and body["utc_ms"] == rec.utc_ms
        assert body["utc"].endswith("Z") and body["hash"] == rec.hash.hex()
        assert json.loads(rec.text) == body["payload"]  # the hash check in parse() passed too
        assert got.leaf == ("alerts" if rec.kind.startswith("alert") else "calls")
    status = asyncio.run(retained(broker.port, f"hotline/{SITE}/{DESK}/status"))
    assert (status.body["status"], status.body["reason"]) == ("offline", "stopped")  # clean stop
    reader = OutboxReader(db)
    try:
        assert reader.cursor() == max(logged)  # all acknowledged: the cursor is at the head
    finally:
        reader.close()
    assert verify(db).ok  # the chain covers records only; the outbox table does not disturb it


def test_a_broker_outage_delays_nothing_and_loses_nothing(tmp_path: Path) -> None:
    """Broker up, then stopped while records keep coming (the log holds them), then started again
    on the same port: every record arrives, in order; a de-duplicating subscriber sees each once."""
    broker = Broker(tmp_path / "broker", persistent=True)
    broker.start()
    collector = Collector(broker.port, session="supervisor")

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        listen = asyncio.create_task(collector.run())
        await until(collector.ready.is_set, what="subscribed")
        await until(lambda: publisher.is_up, what="publisher connected")
        submit_calls(writer, 1, 30)
        await until(lambda: len(collector.unique_ids()) == 30, what="first 30")
        broker.stop()
        await until(lambda: not publisher.is_up, what="publisher sees the broker gone")
        submit_calls(writer, 31, 40)  # the desk goes on; the log holds them
        assert writer.flush(5)
        await until(lambda: publisher.waiting == 40, what="40 waiting shown")
        assert "40 records waiting" in publisher.health().detail
        assert not publisher.health().up
        broker.start()
        await until(lambda: len(collector.unique_ids()) == 70, timeout_s=15, what="all 70")
        await until(lambda: publisher.saved_id == publisher.sent_id, what="cursor saved")
        listen.cancel()

    try:
        db = run(tmp_path, mqtt_config(broker.url), body)
    finally:
        broker.stop()
    assert collector.bad == []
    assert collector.unique_ids() == published_ids(db)


def test_username_and_password_from_a_file(tmp_path: Path) -> None:
    passwords = tmp_path / "broker-passwd"
    add_user(passwords, "desk7", "s3cret")
    broker = Broker(tmp_path / "broker", password_file=passwords)
    broker.start()
    secret = tmp_path / "mqtt-password"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    collector_seen: list[int] = []

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        await until(lambda: publisher.is_up, what="publisher connected with its password")
        publisher.on_ack = collector_seen.append
        submit_calls(writer, 1, 3)
        await until(lambda: len(collector_seen) == 3, what="3 acknowledged")

    try:
        run(tmp_path, mqtt_config(broker.url, username="desk7", password_file=secret), body)
        status = asyncio.run(retained(broker.port, f"hotline/{SITE}/{DESK}/status",
                                      username="desk7", password="s3cret"))  # fmt: skip
        assert status.body["status"] == "offline"
    finally:
        broker.stop()


def test_a_wrong_password_is_shown_and_nothing_is_marked_sent(tmp_path: Path) -> None:
    passwords = tmp_path / "broker-passwd"
    add_user(passwords, "desk7", "s3cret")
    broker = Broker(tmp_path / "broker", password_file=passwords)
    broker.start()
    secret = tmp_path / "mqtt-password"
    secret.write_text("wrong\n")
    os.chmod(secret, 0o600)

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        submit_calls(writer, 1, 3)
        await until(lambda: "Not authorized" in publisher.health().detail, what="refusal shown")
        assert not publisher.is_up and publisher.sent_id == 0

    try:
        run(tmp_path, mqtt_config(broker.url, username="desk7", password_file=secret), body)
    finally:
        broker.stop()


def test_tls_with_a_private_ca(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "pki")
    broker = Broker(tmp_path / "broker", tls=tls)
    broker.start()
    acked: list[int] = []

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        await until(lambda: publisher.is_up, what="connected over TLS")
        publisher.on_ack = acked.append
        submit_calls(writer, 1, 5)
        await until(lambda: len(acked) == 5, what="5 acknowledged over TLS")

    try:
        run(tmp_path, mqtt_config(broker.url, ca_file=tls.ca), body)
    finally:
        broker.stop()


def test_tls_refuses_a_broker_its_ca_did_not_sign(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "pki")
    other = make_ca(tmp_path / "other-pki")
    broker = Broker(tmp_path / "broker", tls=tls)
    broker.start()

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        submit_calls(writer, 1, 2)
        await until(lambda: "CERTIFICATE_VERIFY_FAILED" in publisher.health().detail,
                    what="the TLS failure shown")  # fmt: skip
        assert not publisher.is_up and publisher.sent_id == 0

    try:
        run(tmp_path, mqtt_config(broker.url, ca_file=other.ca), body)
    finally:
        broker.stop()


def test_tls_with_a_client_certificate(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "pki")
    broker = Broker(tmp_path / "broker", tls=tls, client_certs=True)
    broker.start()
    acked: list[int] = []

    async def body(publisher: Publisher, writer: LogWriter) -> None:
        await until(lambda: publisher.is_up, what="connected with a client certificate")
        publisher.on_ack = acked.append
        submit_calls(writer, 1, 2)
        await until(lambda: len(acked) == 2, what="2 acknowledged")

    async def refused(publisher: Publisher, writer: LogWriter) -> None:
        await until(lambda: "CERTIFICATE_REQUIRED" in publisher.health().detail,
                    what="refused without a certificate, and why")  # fmt: skip
        assert not publisher.is_up and publisher.connects == 0

    client = {"cert_file": tls.ca.with_name("client.pem"),
              "key_file": tls.ca.with_name("client.key")}  # fmt: skip
    try:
        run(tmp_path / "with", mqtt_config(broker.url, ca_file=tls.ca, **client), body)
        run(tmp_path / "without", mqtt_config(broker.url, ca_file=tls.ca), refused)
    finally:
        broker.stop()
