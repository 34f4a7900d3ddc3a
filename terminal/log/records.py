"""The kinds of record, their payloads, and typed builders so the engine never hand-writes dicts.

A builder returns an `Entry` = (kind, payload); hand it to `LogWriter.submit(*entry, utc_ms=t)`
with `t` the Zulu time of the event (the record's time: ring, answer, hang-up, arrival ...).
Identifiers (`call_id`, `alert_id`) must be unique over the life of the log, not just one run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from terminal.log.chain import canonical, canonical_parts
from terminal.log.compact import encode_alert
from terminal.log.errors import RecordError

Payload = dict[str, Any]
Entry = tuple[str, Payload]
Direction = Literal["incoming", "outgoing"]
Outcome = Literal["answered", "missed", "rejected", "link_lost", "no_answer", "cancelled"]
Severity = Literal["advisory", "warning", "critical"]

DIRECTIONS: frozenset[str] = frozenset({"incoming", "outgoing"})
OUTCOMES: frozenset[str] = frozenset(
    {"answered", "missed", "rejected", "link_lost", "no_answer", "cancelled"}
)
SEVERITIES: frozenset[str] = frozenset({"advisory", "warning", "critical"})

CALL_STARTED = "call_started"
CALL_ANSWERED = "call_answered"
TRANSMISSION = "transmission"
CALL_ENDED = "call_ended"
CALL_NOTE = "call_note"
CALL_RECORDING = "call_recording"
ALERT_RECEIVED = "alert_received"
ALERT_ACKNOWLEDGED = "alert_acknowledged"
ALERT_CLOSED = "alert_closed"
JOURNAL = "journal"
CHECKPOINT = "checkpoint"
CARRY = "carry"
SIGNED_CHECKPOINT = "signed_checkpoint"
CLOCK_FAULT = "clock_fault"
LINE_VERSION = "line_version"

CALL_KINDS: frozenset[str] = frozenset(
    {CALL_STARTED, CALL_ANSWERED, TRANSMISSION, CALL_ENDED, CALL_NOTE, CALL_RECORDING}
)
ALERT_KINDS: frozenset[str] = frozenset({ALERT_RECEIVED, ALERT_ACKNOWLEDGED, ALERT_CLOSED})
ENTITY_KINDS: frozenset[str] = CALL_KINDS | ALERT_KINDS | {CARRY, CHECKPOINT, SIGNED_CHECKPOINT}
CHECKPOINT_ENTITY = "chk:"
SIGNED_ENTITY = "sig:"
"""The entity of every signed checkpoint (docs/record.md): indexed, so the last is found fast."""

_NoneType = type(None)
_STR = (str,)
_OPT_STR = (str, _NoneType)
_INT = (int,)
_BOOL = (bool,)
_DICT = (dict,)
_LIST = (list,)

_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    CALL_STARTED: {"call_id": _STR, "direction": _STR, "operator": _OPT_STR},
    CALL_ANSWERED: {"call_id": _STR, "operator": _OPT_STR},
    TRANSMISSION: {"call_id": _STR, "duration_ms": _INT, "operator": _OPT_STR, "reason": _STR},
    CALL_ENDED: {"call_id": _STR, "outcome": _STR, "operator": _OPT_STR},
    CALL_NOTE: {"call_id": _STR, "operator": _OPT_STR, "text": _STR},
    CALL_RECORDING: {"call_id": _STR, "file": _STR},
    ALERT_RECEIVED: {
        "alert_id": _STR,
        "boot_id": _STR,
        "alert_seq": _INT,
        "pair_id": _STR,
        "severity": _STR,
        "consistent": _BOOL,
        "fields": _DICT,
    },
    ALERT_ACKNOWLEDGED: {"alert_id": _STR, "operator": _OPT_STR},
    ALERT_CLOSED: {"alert_id": _STR, "reason": _STR},
    JOURNAL: {"stream": _STR, "name": _STR, "data": _DICT},
    CHECKPOINT: {"through_id": _INT, "through_hash": _STR, "archive": _STR, "count": _INT},
    CARRY: {"table": _STR, "key": _STR, "row": _DICT},
    SIGNED_CHECKPOINT: {
        "head_id": _INT,
        "head_hash": _STR,
        "desk": _STR,
        "key": _STR,
        "next_key": _OPT_STR,
        "signature": _STR,
    },
    CLOCK_FAULT: {"change": _STR, "status": _STR, "reason": _STR, "since_utc_ms": _INT},
    LINE_VERSION: {
        "version": _INT,
        "name": _STR,
        "points": _LIST,
        "effective_utc_ms": _INT,
        "entered_by": _OPT_STR,
        "call_id": _OPT_STR,
        "desk": _STR,
    },
}
KINDS: frozenset[str] = frozenset(_FIELDS)
_ENUMS: dict[str, frozenset[str]] = {
    "direction": DIRECTIONS,
    "outcome": OUTCOMES,
    "severity": SEVERITIES,
    "stream": frozenset({"event", "effect"}),
    "table": frozenset({"calls", "alerts"}),
    "change": frozenset({"started", "ended"}),
}
_KIND_TEXT = re.compile(r"^[a-z_]{1,32}$")


class Prepared(NamedTuple):
    """A validated record waiting for its id.

    `text` is the canonical payload (what is stored and hashed); `payload` is a shallow copy
    whose scalars the projections read; `nested` holds the canonical text of each nested value,
    so the projections never read objects the caller might still change.
    """

    kind: str
    utc_ms: int
    text: str
    payload: Payload
    nested: dict[str, str]


def validate(kind: str, payload: Mapping[str, Any]) -> None:
    """Raise RecordError unless `payload` is a well-formed record of `kind` (extra keys allowed)."""
    spec = _FIELDS.get(kind)
    if spec is None or not _KIND_TEXT.match(kind):
        raise RecordError(f"unknown record kind {kind!r}")
    for name, types in spec.items():
        if name not in payload:
            raise RecordError(f"{kind}: missing field {name!r}")
        value = payload[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise RecordError(f"{kind}: field {name!r} has the wrong type ({value!r})")
        allowed = _ENUMS.get(name)
        if allowed is not None and value not in allowed:
            raise RecordError(f"{kind}: {name} {value!r} is not one of {sorted(allowed)}")


def prepare(kind: str, payload: Mapping[str, Any], utc_ms: int) -> Prepared:
    """Validate and freeze a record: the payload becomes canonical text (and a private copy);
    an alert_received in the compact format 2 when its fields are an ALERT's (docs/log.md)."""
    validate(kind, payload)
    if isinstance(utc_ms, bool) or not isinstance(utc_ms, int):
        raise RecordError(f"{kind}: utc_ms must be an integer, not {utc_ms!r}")
    try:
        compact = encode_alert(payload) if kind == ALERT_RECEIVED else None
        if compact is None:
            text, nested = canonical_parts(payload)
        else:  # format 2 (terminal/log/compact.py); the row still wants the fields' text
            text, nested = compact, {"fields": canonical(payload["fields"])}
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{kind}: payload is not JSON: {exc}") from None
    return Prepared(kind, utc_ms, text, dict(payload), nested)


def entity_of(kind: str, payload: Mapping[str, Any]) -> str | None:
    """The call, alert, chain checkpoint or signed checkpoint a record belongs to (None for the
    journal)."""
    if kind in CALL_KINDS:
        return "call:" + str(payload["call_id"])
    if kind in ALERT_KINDS:
        return "alert:" + str(payload["alert_id"])
    if kind == CARRY:
        prefix = "call:" if payload["table"] == "calls" else "alert:"
        return prefix + str(payload["key"])
    if kind == CHECKPOINT:
        return CHECKPOINT_ENTITY
    if kind == SIGNED_CHECKPOINT:
        return SIGNED_ENTITY
    return None


def _entry(kind: str, payload: Payload) -> Entry:
    validate(kind, payload)
    return kind, payload


def call_started(call_id: str, direction: Direction, operator: str | None) -> Entry:
    """A call began: the first ring in, or our call-out. `operator` is the one on duty."""
    return _entry(
        CALL_STARTED, {"call_id": str(call_id), "direction": direction, "operator": operator}
    )


def call_answered(call_id: str, operator: str | None) -> Entry:
    """The call was answered (by `operator` here, or by the far end on a call-out)."""
    return _entry(CALL_ANSWERED, {"call_id": str(call_id), "operator": operator})


def transmission(call_id: str, duration_ms: int, operator: str | None, reason: str) -> Entry:
    """One keying of the transmitter ended (record time = unkey); `reason`: PTT, TOT, LINK ..."""
    payload = {
        "call_id": str(call_id),
        "duration_ms": int(duration_ms),
        "operator": operator,
        "reason": reason,
    }
    return _entry(TRANSMISSION, payload)


def call_ended(call_id: str, outcome: Outcome, operator: str | None) -> Entry:
    """The call ended with `outcome`."""
    return _entry(CALL_ENDED, {"call_id": str(call_id), "outcome": outcome, "operator": operator})


def call_note(call_id: str, operator: str | None, text: str) -> Entry:
    """A free-text note on a call, by `operator`."""
    return _entry(CALL_NOTE, {"call_id": str(call_id), "operator": operator, "text": text})


def call_recording(call_id: str, file: str) -> Entry:
    """The call's audio recording file."""
    return _entry(CALL_RECORDING, {"call_id": str(call_id), "file": file})


def alert_key(boot_id: str, alert_seq: int) -> str:
    """The alert's identifier in the log: co-processor boot id and its sequence number."""
    return f"{boot_id}:{alert_seq}"


def alert_received(
    fields: Mapping[str, Any],
    *,
    boot_id: str,
    alert_seq: int,
    pair_id: str,
    severity: Severity,
    consistent: bool,
) -> Entry:
    """A proximity alert arrived: every field the co-processor sent, and our consistency check."""
    payload = {
        "alert_id": alert_key(boot_id, alert_seq),
        "boot_id": boot_id,
        "alert_seq": alert_seq,
        "pair_id": pair_id,
        "severity": severity,
        "consistent": consistent,
        "fields": dict(fields),
    }
    return _entry(ALERT_RECEIVED, payload)


def alert_acknowledged(alert_id: str, operator: str | None) -> Entry:
    """The operator acknowledged the alert."""
    return _entry(ALERT_ACKNOWLEDGED, {"alert_id": alert_id, "operator": operator})


def alert_closed(alert_id: str, reason: str) -> Entry:
    """The alert is over (cleared by the co-processor, superseded, ...)."""
    return _entry(ALERT_CLOSED, {"alert_id": alert_id, "reason": reason})


def clock_fault(
    change: Literal["started", "ended"],
    status: str,
    reason: str,
    since_utc_ms: int,
    *,
    est_error_ms: float | None,
    started_utc_ms: int | None = None,
) -> Entry:
    """A clock fault started (the clock became untrustworthy) or ended; `since_utc_ms` is the
    first reading of the bad (or good again) run, `started_utc_ms` on an end when it began."""
    payload: Payload = {
        "change": change, "status": status, "reason": reason, "since_utc_ms": since_utc_ms,
        "est_error_ms": est_error_ms,
    }  # fmt: skip
    if started_utc_ms is not None:
        payload["started_utc_ms"] = started_utc_ms
    return _entry(CLOCK_FAULT, payload)


def line_version(
    version: int,
    name: str,
    points: list[list[float]],
    effective_utc_ms: int,
    *,
    entered_by: str | None,
    call_id: str | None,
    desk: str,
) -> Entry:
    """A version of the deconfliction line (record time = when it was entered): its points
    ``[[lat, lon], ...]``, from when it is in force, who entered it, the call it was agreed on."""
    payload: Payload = {
        "version": version, "name": name, "points": [[float(a), float(b)] for a, b in points],
        "effective_utc_ms": effective_utc_ms, "entered_by": entered_by, "call_id": call_id,
        "desk": desk,
    }  # fmt: skip
    return _entry(LINE_VERSION, payload)


def journal_event(name: str, data: Mapping[str, Any]) -> Entry:
    """An input event as fed to the core (`name` = event class, `data` = its fields)."""
    return _entry(JOURNAL, {"stream": "event", "name": name, "data": dict(data)})


def journal_effect(name: str, data: Mapping[str, Any]) -> Entry:
    """An effect the core returned (`name` = effect class, `data` = its fields)."""
    return _entry(JOURNAL, {"stream": "effect", "name": name, "data": dict(data)})


def journal_of(stream: Literal["event", "effect"], item: Any) -> Entry:
    """Journal a core event or effect dataclass: its class name and fields (enums by value).

    Replay: `{cls.__name__: cls for cls in EVENT_TYPES}[entry.name](**entry.data)` for each
    `LogReader.journal()` entry of stream "event", fed to the core in order.
    """
    if not dataclasses.is_dataclass(item) or isinstance(item, type):
        raise RecordError(f"journal_of needs a dataclass instance, not {item!r}")
    data = {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item)}
    return _entry(JOURNAL, {"stream": stream, "name": type(item).__name__, "data": data})


def _plain(value: Any) -> Any:
    """A dataclass field as JSON: enums by value, datetimes as ISO text, tuples as lists."""
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
