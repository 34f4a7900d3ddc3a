"""verify's alerts check, done by SQLite with Python folding only the alerts it flags: every kind
of change to a row or to an alert's records is still named, as the Python fold names it."""

from __future__ import annotations

import pytest
from log_helpers import T0, sql

from terminal.log import LogStore, records, verify

CHANGES = {
    "rid": "rid = rid + 1000",
    "boot_id": "boot_id = 'other'",
    "alert_seq": "alert_seq = 99",
    "pair_id": "pair_id = 'Z9/Z9'",
    "severity": "severity = 'advisory'",
    "consistent": "consistent = 0",
    "received_utc_ms": "received_utc_ms = received_utc_ms + 1",
    "fields": """fields = '{"range_m":1}'""",
    "acked_utc_ms": "acked_utc_ms = 5",
    "acked_by": "acked_by = 'OP-X'",
    "closed_utc_ms": "closed_utc_ms = NULL",
    "closed_reason": "closed_reason = 'superseded'",
}


@pytest.fixture
def alerts(store: LogStore) -> LogStore:
    """Two alerts: A acknowledged and closed, B open; an acknowledgement before A's arrival."""
    store.write(*records.alert_acknowledged("b:1", "OP-EARLY"), T0)
    for seq in (1, 2):
        entry = records.alert_received(
            {"range_m": 1200.5, "note": "caf\u00e9"}, boot_id="b", alert_seq=seq,
            pair_id="A1/B7", severity="warning", consistent=True,
        )  # fmt: skip
        store.write(*entry, T0 + seq)
    store.write(*records.alert_acknowledged("b:1", "OP-A"), T0 + 10)
    store.write(*records.alert_acknowledged("b:1", "OP-B"), T0 + 11)
    store.write(*records.alert_closed("b:1", "cleared"), T0 + 12)
    assert verify(store.path).ok
    return store


@pytest.mark.parametrize("column", sorted(CHANGES))
def test_every_column_of_a_row_is_checked(alerts: LogStore, column: str) -> None:
    sql(alerts.path, f"UPDATE alerts SET {CHANGES[column]} WHERE alert_id = 'b:1'")
    report = verify(alerts.path)
    assert not report.ok
    assert "alerts: row 'b:1' was altered" in str(report.first)
    if column != "rid":
        assert f"{column} is " in str(report.first)


def test_a_row_of_the_wrong_alert_is_named(alerts: LogStore) -> None:
    sql(alerts.path, "UPDATE alerts SET alert_id = 'b:9' WHERE alert_id = 'b:2'")
    problems = [str(p) for p in verify(alerts.path).problems]
    assert any("alert 'b:2' is missing from the table" in p for p in problems)
    assert any("row 'b:9' was inserted: no record says so" in p for p in problems)


def test_an_alert_record_under_another_alert_is_named(alerts: LogStore) -> None:
    sql(alerts.path, "UPDATE records SET entity = 'alert:b:2' WHERE id = 5")  # OP-B's ack of b:1
    first = str(verify(alerts.path).first)
    assert first == "record 5: altered: its entity column does not match it"


def test_a_payload_that_is_not_json_is_named(alerts: LogStore) -> None:
    sql(alerts.path, "UPDATE records SET payload = 'not json' WHERE id = 6")
    problems = [str(p) for p in verify(alerts.path).problems]
    assert problems[0] == "record 6: altered: its content does not match its hash"
    assert any(p.startswith("record 6: payload does not fit its kind") for p in problems)
