"""The pure parts: the acknowledgement window, topic names, messages built and checked."""

from __future__ import annotations

import json
import random

import pytest

from terminal.log.chain import canonical, record_hash
from terminal.log.reader import StoredRecord
from terminal.mqtt.connect import BrokerUrl, parse_url
from terminal.mqtt.payload import BadMessage, parse, record_message, status_message
from terminal.mqtt.topics import Topics, split, subscription
from terminal.mqtt.window import AckWindow


def test_the_cursor_waits_for_every_earlier_acknowledgement() -> None:
    w = AckWindow(10)
    for i in (12, 13, 15):
        w.issue(i)
    w.skip_through(16)  # 11, 14, 16 are journal records: nothing to send
    assert w.sent_id == 11 and w.in_flight == 3
    assert not w.ack(13)  # 12 still out
    assert w.sent_id == 11
    assert w.ack(12)
    assert w.sent_id == 14
    assert not w.ack(12)  # a second PUBACK changes nothing
    assert w.ack(15)
    assert w.sent_id == 16 and w.in_flight == 0


def test_acks_in_any_order_never_pass_an_unacknowledged_record() -> None:
    rng = random.Random(7)
    for _ in range(200):
        w = AckWindow(0)
        ids = sorted(rng.sample(range(1, 60), 20))
        for i in ids:
            w.issue(i)
        order = ids[:]
        rng.shuffle(order)
        acked: set[int] = set()
        for i in order:
            w.ack(i)
            acked.add(i)
            waiting = [x for x in ids if x not in acked]
            assert w.sent_id == (waiting[0] - 1 if waiting else ids[-1])


def test_ids_must_rise() -> None:
    w = AckWindow(5)
    with pytest.raises(ValueError):
        w.issue(5)


def test_topics() -> None:
    t = Topics("ops/hotline", "AOC", "DESK-1")
    assert t.calls == "ops/hotline/AOC/DESK-1/calls"
    assert t.for_kind("alert_acknowledged") == "ops/hotline/AOC/DESK-1/alerts"
    assert t.for_kind("call_note") == t.calls
    assert t.for_kind("journal") is None and t.for_kind("checkpoint") is None
    assert subscription("hotline") == "hotline/+/+/+"
    assert subscription("hotline", desk="D") == "hotline/+/D/+"
    assert split("ops/hotline/AOC/DESK-1/state", "ops/hotline") == ("AOC", "DESK-1", "state")
    bad_topics = ("hotline/AOC/calls", "other/AOC/D/calls", "hotline/AOC/D/x", "hotline//D/calls")
    for bad in bad_topics:
        assert split(bad, "hotline") is None


def test_broker_urls() -> None:
    assert parse_url("mqtt://broker") == BrokerUrl("broker", 1883, False)
    assert parse_url("mqtts://10.0.0.2") == BrokerUrl("10.0.0.2", 8883, True)
    assert parse_url("mqtt://[::1]:1999") == BrokerUrl("::1", 1999, False)
    for bad in ("http://x", "mqtt://", "mqtt://h:0", "mqtt://h:99999"):
        with pytest.raises(ValueError):
            parse_url(bad)


def _record(rid: int = 3, kind: str = "call_started") -> StoredRecord:
    payload = {"call_id": "C-1", "direction": "incoming", "operator": "ops \u00e9", "x": 1.5}
    text = canonical(payload)
    prev = bytes(range(32))
    return StoredRecord(rid, kind, 1_700_000_000_123, text, prev,
                        record_hash(prev, rid, kind, 1_700_000_000_123, text))  # fmt: skip


def test_a_record_message_carries_the_payload_as_logged_and_its_hash() -> None:
    rec = _record()
    data = record_message(rec, "AOC", "D1")
    assert rec.text.encode() in data  # byte for byte
    got = parse("hotline/AOC/D1/calls", data, "hotline")
    assert got.record_id == 3
    assert got.body["utc"] == "2023-11-14T22:13:20.123Z"
    assert got.body["hash"] == rec.hash.hex() and got.body["prev_hash"] == rec.prev_hash.hex()


def _broken(data: bytes, topic: str = "hotline/AOC/D1/calls") -> str:
    with pytest.raises(BadMessage) as caught:
        parse(topic, data, "hotline")
    return str(caught.value)


def test_untrusted_messages_are_refused_saying_why() -> None:
    good = json.loads(record_message(_record(), "AOC", "D1"))

    def variant(**changes: object) -> bytes:
        return json.dumps({**good, **changes}).encode()

    assert "not JSON" in _broken(b"{nope")
    assert "not JSON" in _broken(b"\xff\xfe")
    assert "not a JSON object" in _broken(b"[1, 2]")
    assert "schema" in _broken(variant(schema=2))
    assert "site/desk" in _broken(variant(desk="D2"))
    assert "hash does not match" in _broken(variant(payload={**good["payload"], "operator": "x"}))
    assert "hash does not match" in _broken(variant(id=4))
    assert "field 'id'" in _broken(variant(id="3"))
    assert "field 'id'" in _broken(variant(id=True))
    assert "cannot recompute" in _broken(variant(prev_hash="zz"))
    assert "on a alerts topic" in _broken(variant(), "hotline/AOC/D1/alerts")
    assert "not a hotline topic" in _broken(variant(), "elsewhere/AOC/D1/calls")
    assert "type" in _broken(variant(), "hotline/AOC/D1/status")
    assert "not JSON" in _broken(b"[" * 100_000)  # nesting too deep for the parser


def test_status_messages() -> None:
    got = parse("hotline/AOC/D1/status", status_message("AOC", "D1", "offline", 0, "stopped"),
                "hotline")  # fmt: skip
    assert got.body["status"] == "offline" and got.body["reason"] == "stopped"
    assert got.record_id is None
    assert "status" in _broken(
        json.dumps({"schema": 1, "type": "status", "site": "AOC", "desk": "D1", "status": "?"})
        .encode(), "hotline/AOC/D1/status")  # fmt: skip
