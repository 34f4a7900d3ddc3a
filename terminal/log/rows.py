"""The projections: a calls row and an alerts row, and how each record changes them.

`fold` is the one definition of what the records mean. The store applies it when it appends,
and verify applies it again from the records alone, so an edited table row shows up as a
difference. It is total: a record about an unknown call or alert, or a second start, changes
nothing (the record itself stays in the chain).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from terminal.log import records as r
from terminal.log.chain import canonical


class Record(NamedTuple):
    """A committed record, payload parsed."""

    id: int
    kind: str
    utc_ms: int
    payload: dict[str, Any]
    nested: Mapping[str, str] | None = None
    """Canonical text of nested payload values, when the writer already has it."""

    def text_of(self, key: str) -> str:
        """The canonical text of a nested payload value."""
        if self.nested is not None and key in self.nested:
            return self.nested[key]
        return canonical(self.payload[key])


class CallRow(NamedTuple):
    """One call; `rid` is the id of the record that started it; `notes` is a JSON array."""

    rid: int
    call_id: str
    direction: str
    operator: str | None
    rung_utc_ms: int
    answered_utc_ms: int | None
    answered_by: str | None
    ended_utc_ms: int | None
    outcome: str | None
    ended_by: str | None
    transmissions: int
    transmit_ms: int
    notes: str
    recording: str | None


class AlertRow(NamedTuple):
    """One proximity alert; `fields` is the canonical JSON of what the co-processor sent."""

    rid: int
    alert_id: str
    boot_id: str
    alert_seq: int
    pair_id: str
    severity: str
    consistent: bool
    received_utc_ms: int
    fields: str
    acked_utc_ms: int | None
    acked_by: str | None
    closed_utc_ms: int | None
    closed_reason: str | None


Row = CallRow | AlertRow
CALL_COLUMNS: tuple[str, ...] = CallRow._fields
ALERT_COLUMNS: tuple[str, ...] = AlertRow._fields


def fold(row: Row | None, rec: Record) -> Row | None:
    """The row after `rec`, given the row before it (None: not yet known)."""
    if rec.kind in r.CALL_KINDS:
        return fold_call(row if isinstance(row, CallRow) else None, rec)
    if rec.kind in r.ALERT_KINDS:
        return fold_alert(row if isinstance(row, AlertRow) else None, rec)
    if rec.kind == r.CARRY:
        return carried(rec.payload)
    return row


def carried(payload: dict[str, Any]) -> Row:
    """The row a carry record restates (written by retention for calls and alerts it splits)."""
    values = payload["row"]
    if payload["table"] == "calls":
        return CallRow(**values)
    return AlertRow(**values)


def row_payload(row: Row) -> dict[str, Any]:
    """The payload of a carry record restating `row`."""
    table = "calls" if isinstance(row, CallRow) else "alerts"
    key = row.call_id if isinstance(row, CallRow) else row.alert_id
    values = row._asdict()
    if isinstance(row, AlertRow):
        values["consistent"] = bool(row.consistent)  # SQLite hands back 0/1
    return {"table": table, "key": key, "row": values}


def fold_call(row: CallRow | None, rec: Record) -> CallRow | None:
    """A calls row after one call record."""
    p = rec.payload
    kind = rec.kind
    if row is None:
        if kind != r.CALL_STARTED:
            return None
        return CallRow(
            rid=rec.id,
            call_id=p["call_id"],
            direction=p["direction"],
            operator=p["operator"],
            rung_utc_ms=rec.utc_ms,
            answered_utc_ms=None,
            answered_by=None,
            ended_utc_ms=None,
            outcome=None,
            ended_by=None,
            transmissions=0,
            transmit_ms=0,
            notes="[]",
            recording=None,
        )
    if kind == r.CALL_ANSWERED and row.answered_utc_ms is None:
        return row._replace(answered_utc_ms=rec.utc_ms, answered_by=p["operator"])
    if kind == r.TRANSMISSION:
        return row._replace(
            transmissions=row.transmissions + 1, transmit_ms=row.transmit_ms + p["duration_ms"]
        )
    if kind == r.CALL_ENDED and row.ended_utc_ms is None:
        return row._replace(ended_utc_ms=rec.utc_ms, outcome=p["outcome"], ended_by=p["operator"])
    if kind == r.CALL_NOTE:
        notes = json.loads(row.notes)
        notes.append({"utc_ms": rec.utc_ms, "operator": p["operator"], "text": p["text"]})
        return row._replace(notes=canonical(notes))
    if kind == r.CALL_RECORDING:
        return row._replace(recording=p["file"])
    return row


def fold_alert(row: AlertRow | None, rec: Record) -> AlertRow | None:
    """An alerts row after one alert record."""
    p = rec.payload
    kind = rec.kind
    if row is None:
        if kind != r.ALERT_RECEIVED:
            return None
        return AlertRow(
            rid=rec.id,
            alert_id=p["alert_id"],
            boot_id=p["boot_id"],
            alert_seq=p["alert_seq"],
            pair_id=p["pair_id"],
            severity=p["severity"],
            consistent=p["consistent"],
            received_utc_ms=rec.utc_ms,
            fields=rec.text_of("fields"),
            acked_utc_ms=None,
            acked_by=None,
            closed_utc_ms=None,
            closed_reason=None,
        )
    if kind == r.ALERT_ACKNOWLEDGED and row.acked_utc_ms is None:
        return row._replace(acked_utc_ms=rec.utc_ms, acked_by=p["operator"])
    if kind == r.ALERT_CLOSED and row.closed_utc_ms is None:
        return row._replace(closed_utc_ms=rec.utc_ms, closed_reason=p["reason"])
    return row
