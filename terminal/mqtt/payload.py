"""The JSON messages on the wire (schema 1, docs/mqtt.md), built and checked without any I/O.

A record message carries the payload exactly as logged (its canonical text, byte for byte) and
the record's chain hashes, so a subscriber can recompute the hash. Everything received is
untrusted: `parse` raises BadMessage saying what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from terminal.log.chain import canonical, record_hash
from terminal.log.compact import expand_alert
from terminal.log.reader import StoredRecord
from terminal.log.records import ALERT_KINDS, ALERT_RECEIVED, CALL_KINDS, SIGNED_CHECKPOINT
from terminal.mqtt.topics import split
from terminal.zulu import to_iso

SCHEMA = 1
PUBLISHED_KINDS: frozenset[str] = CALL_KINDS | ALERT_KINDS | {SIGNED_CHECKPOINT}
"""Record kinds published (calls, alerts, acknowledgements, signed checkpoints for witnesses:
docs/record.md); never journal, retention checkpoint, carry."""
RECORD_LEAVES: dict[str, frozenset[str]] = {
    "calls": CALL_KINDS,
    "alerts": ALERT_KINDS,
    "checkpoints": frozenset({SIGNED_CHECKPOINT}),
}
"""The topics that carry records, and the kinds each carries."""


class BadMessage(ValueError):
    """A message that is not what the schema says."""


def record_message(rec: StoredRecord, site: str, desk: str) -> bytes:
    """The message for one committed record."""
    head = json.dumps(
        {
            "schema": SCHEMA,
            "type": "record",
            "site": site,
            "desk": desk,
            "id": rec.id,
            "kind": rec.kind,
            "utc_ms": rec.utc_ms,
            "utc": to_iso(rec.utc_ms),
            "prev_hash": rec.prev_hash.hex(),
            "hash": rec.hash.hex(),
        },
        separators=(",", ":"),
    )
    return (head[:-1] + ',"payload":' + rec.text + "}").encode()


def status_message(site: str, desk: str, status: str, utc_ms: int, reason: str = "") -> bytes:
    """online / offline; `reason` says why a desk is offline ("stopped", "connection lost")."""
    body: dict[str, Any] = {"schema": SCHEMA, "type": "status", "site": site, "desk": desk,
                            "status": status, "utc_ms": utc_ms, "utc": to_iso(utc_ms)}  # fmt: skip
    if reason:
        body["reason"] = reason
    return json.dumps(body, separators=(",", ":")).encode()


def state_message(site: str, desk: str, state: dict[str, Any], utc_ms: int) -> bytes:
    """The live desk state (see terminal.mqtt.state)."""
    body = {"schema": SCHEMA, "type": "state", "site": site, "desk": desk, "utc_ms": utc_ms,
            "utc": to_iso(utc_ms), **state}  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Received:
    """A checked message: `leaf` is calls, alerts, state or status; `body` the parsed JSON."""

    site: str
    desk: str
    leaf: str
    body: dict[str, Any]

    @property
    def record_id(self) -> int | None:
        """The record id of a calls/alerts/checkpoints message."""
        value = self.body.get("id")
        return value if self.leaf in RECORD_LEAVES and isinstance(value, int) else None


_RECORD_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": int, "kind": str, "utc_ms": int, "utc": str, "prev_hash": str, "hash": str,
    "payload": (dict, list),
}  # fmt: skip
"""A payload is a JSON object, or the array of an alert_received of format 2 (docs/log.md)."""


def parse(topic: str, data: bytes, prefix: str) -> Received:
    """Check one message from the broker; raise BadMessage naming what is wrong."""
    where = split(topic, prefix)
    if where is None:
        raise BadMessage("not a hotline topic")
    site, desk, leaf = where
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadMessage("not a JSON object")
    if body.get("schema") != SCHEMA:
        raise BadMessage(f"schema {body.get('schema')!r}, expected {SCHEMA}")
    if body.get("site") != site or body.get("desk") != desk:
        raise BadMessage("site/desk differ from the topic's")
    expected = "record" if leaf in RECORD_LEAVES else leaf
    if body.get("type") != expected:
        raise BadMessage(f"type {body.get('type')!r} on a {leaf} topic")
    if leaf in RECORD_LEAVES:
        _check_record(body, leaf)
    elif leaf == "status" and body.get("status") not in ("online", "offline"):
        raise BadMessage(f"status {body.get('status')!r}")
    return Received(site, desk, leaf, body)


def _check_record(body: dict[str, Any], leaf: str) -> None:
    for name, kind in _RECORD_FIELDS.items():
        value = body.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            what = "object" if name == "payload" else getattr(kind, "__name__", kind)
            raise BadMessage(f"field {name!r} missing or not {what}")
    if body["kind"] not in RECORD_LEAVES[leaf]:
        raise BadMessage(f"kind {body['kind']!r} on a {leaf} topic")
    if isinstance(body["payload"], list):
        if body["kind"] != ALERT_RECEIVED:
            raise BadMessage(f"field 'payload' not object (an array is only an {ALERT_RECEIVED})")
        try:
            expand_alert(body["payload"])
        except ValueError as exc:
            raise BadMessage(f"payload: {exc}") from None
    try:
        prev = bytes.fromhex(body["prev_hash"])
        text = canonical(body["payload"])
    except ValueError as exc:
        raise BadMessage(f"cannot recompute the hash: {exc}") from None
    digest = record_hash(prev, body["id"], body["kind"], body["utc_ms"], text)
    if digest.hex() != body["hash"]:
        raise BadMessage(f"record {body['id']}: hash does not match its content")
