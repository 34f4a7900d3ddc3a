"""Record builders, validation and the canonical payload text the chain hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal.log import RecordError, records
from terminal.log.chain import GENESIS, canonical, canonical_parts, record_hash


def test_builders_make_valid_records_with_entities() -> None:
    kind, payload = records.call_started("c9", "outgoing", "OP-A")
    assert kind == "call_started"
    assert records.entity_of(kind, payload) == "call:c9"
    kind, payload = records.alert_received(
        {"range_m": 10}, boot_id="b", alert_seq=7, pair_id="p", severity="critical", consistent=True
    )
    assert payload["alert_id"] == "b:7" == records.alert_key("b", 7)
    assert records.entity_of(kind, payload) == "alert:b:7"
    assert records.entity_of(*records.journal_event("Tick", {})) is None


@pytest.mark.parametrize(
    ("kind", "payload", "complaint"),
    [
        ("no_such_kind", {}, "unknown record kind"),
        ("call_started", {"call_id": "c", "direction": "incoming"}, "missing field 'operator'"),
        ("call_started", {"call_id": 1, "direction": "incoming", "operator": None}, "wrong type"),
        ("call_started", {"call_id": "c", "direction": "sideways", "operator": None}, "is not"),
        ("call_ended", {"call_id": "c", "outcome": "exploded", "operator": None}, "is not one"),
        (
            "transmission",
            {"call_id": "c", "duration_ms": True, "operator": None, "reason": "PTT"},
            "wrong type",
        ),
        (
            "alert_received",
            {
                "alert_id": "a",
                "boot_id": "b",
                "alert_seq": 1,
                "pair_id": "p",
                "severity": "warning",
                "consistent": 1,
                "fields": {},
            },
            "wrong type",
        ),
    ],
)
def test_malformed_records_are_refused(kind: str, payload: dict[str, Any], complaint: str) -> None:
    with pytest.raises(RecordError, match=complaint):
        records.prepare(kind, payload, 1)


def test_prepare_refuses_non_json_and_bad_time() -> None:
    with pytest.raises(RecordError, match="not JSON"):
        records.prepare("journal", {"stream": "event", "name": "x", "data": {"v": float("nan")}}, 1)
    with pytest.raises(RecordError, match="not JSON"):
        records.prepare("journal", {"stream": "event", "name": "x", "data": {"v": object()}}, 1)
    with pytest.raises(RecordError, match="utc_ms"):
        records.prepare(*records.journal_event("x", {}), 1.5)  # type: ignore[arg-type]


def test_prepare_keeps_the_text_of_nested_values() -> None:
    data: dict[str, Any] = {"tracks": ["A"]}
    entry = records.prepare(*records.journal_event("x", data), 5)
    data["tracks"].append("B")
    assert entry.nested["data"] == '{"tracks":["A"]}'
    assert entry.text == '{"data":{"tracks":["A"]},"name":"x","stream":"event"}'


def test_record_hash_is_the_documented_text() -> None:
    import hashlib

    text = f"{GENESIS.hex()}\n1\njournal\n5\n{{}}"
    assert record_hash(GENESIS, 1, "journal", 5, "{}") == hashlib.sha256(text.encode()).digest()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_canonical_text_survives_a_round_trip(payload: dict[str, Any]) -> None:
    """Archives embed payloads as objects; re-encoding them must give the hashed text back."""
    text = canonical(payload)
    assert canonical(json.loads(text)) == text
    assert "\n" not in text


@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_canonical_parts_is_canonical(payload: dict[str, Any]) -> None:
    """The writer builds the text a key at a time; it must be exactly the canonical text."""
    text, nested = canonical_parts(payload)
    assert text == canonical(payload)
    assert nested == {k: canonical(v) for k, v in payload.items() if isinstance(v, dict | list)}


class Lamp(enum.Enum):
    RING = "ring"


@dataclasses.dataclass(frozen=True)
class FakeEvent:
    at: float
    lamp: Lamp
    tracks: tuple[str, ...]
    when: dt.datetime


def test_a_dataclass_journals_by_name_and_fields() -> None:
    event = FakeEvent(12.5, Lamp.RING, ("A1", "B7"), dt.datetime(2026, 5, 9, 7, tzinfo=dt.UTC))
    kind, payload = records.journal_of("event", event)
    assert kind == "journal"
    assert payload == {
        "stream": "event",
        "name": "FakeEvent",
        "data": {
            "at": 12.5,
            "lamp": "ring",
            "tracks": ["A1", "B7"],
            "when": "2026-05-09T07:00:00+00:00",
        },
    }
    with pytest.raises(RecordError):
        records.journal_of("event", FakeEvent)
