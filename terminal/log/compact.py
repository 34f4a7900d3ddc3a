"""The compact payload of an `alert_received` record (format 2, docs/log.md section 2).

Format 1 is the JSON object of `records.alert_received` (every key spelt out, `alert_seq`,
`pair_id` and `severity` twice: beside the fields and among them; `alert_id` beside its two
parts). Format 2 keeps the same facts once, as a canonical JSON array:

    [2, alert_id, consistent, [the ALERT's 23 or 24 field values in wire order]]
    [2, alert_id, consistent, [...], _suspect]

The rest is read off it: `alert_seq` and `pair_id` are the ALERT's fields 1 and 2, `severity`
its field 4 in lower case, `boot_id` the `alert_id` without its `:<alert_seq>` tail. A payload
whose facts do not fit that (other field names, a severity unlike the ALERT's ...) is written in
format 1, so nothing is ever lost. `decode` gives both formats back as the format 1 object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from terminal.log.chain import canonical

FORMAT = 2
"""The first element of a format 2 payload."""

ALERT_WIRE_FIELDS: tuple[str, ...] = (
    "alert_seq", "pair_id", "kind", "severity", "computed_at",
    "a_id", "a_lat", "a_lon", "a_alt_ft", "a_vn", "a_ve", "a_vu",
    "b_id", "b_lat", "b_lon", "b_alt_ft", "b_vn", "b_ve", "b_vu",
    "hsep_m", "vsep_ft", "tcpa_s", "miss_m", "line_version",
)  # fmt: skip
"""The ALERT's fields in wire order (docs/protocol.md 5.4); the 24th is absent from a
co-processor built before LINE."""
SUSPECT = "_suspect"
"""The desk's own key among the fields (docs/log.md): the fifth element when present."""

_KEYS = frozenset(
    {"alert_id", "boot_id", "alert_seq", "pair_id", "severity", "consistent", "fields"}
)
_NAMES = {23: frozenset(ALERT_WIRE_FIELDS[:23]), 24: frozenset(ALERT_WIRE_FIELDS)}
_SEQ, _PAIR, _SEVERITY = 0, 1, 3


def encode_alert(payload: Mapping[str, Any]) -> str | None:
    """The format 2 text of a checked alert_received payload, or None when it does not fit (it
    is then written in format 1)."""
    if payload.keys() != _KEYS:
        return None
    fields = payload["fields"]
    names = fields.keys() - {SUSPECT}
    wanted = _NAMES.get(len(names))
    seq = payload["alert_seq"]
    if (
        wanted is None
        or names != wanted
        or type(fields["alert_seq"]) is not int
        or fields["alert_seq"] != seq
        or type(fields["pair_id"]) is not str
        or fields["pair_id"] != payload["pair_id"]
        or type(fields["severity"]) is not str
        or fields["severity"] != payload["severity"].upper()
        or payload["alert_id"] != f"{payload['boot_id']}:{seq}"
    ):
        return None
    values = [fields[name] for name in ALERT_WIRE_FIELDS[: len(names)]]
    body: list[Any] = [FORMAT, payload["alert_id"], payload["consistent"], values]
    if SUSPECT in fields:
        body.append(fields[SUSPECT])
    return canonical(body)


def decode(kind: str, text: str) -> Any:
    """A stored payload parsed: for an alert_received of format 2, the format 1 object it says
    (ValueError if it is not one); anything else as its JSON."""
    value = json.loads(text)
    if kind == "alert_received" and isinstance(value, list):
        return expand_alert(value)
    return value


def expand_alert(value: list[Any]) -> dict[str, Any]:
    """The format 1 object of a parsed format 2 payload; ValueError if it is malformed."""
    if len(value) not in (4, 5) or value[0] != FORMAT or type(value[0]) is not int:
        raise ValueError("not an alert_received payload of format 2")
    alert_id, consistent, values = value[1], value[2], value[3]
    if not isinstance(alert_id, str) or type(consistent) is not bool:
        raise ValueError("format 2: alert_id or consistent of the wrong type")
    if not isinstance(values, list) or len(values) not in _NAMES:
        raise ValueError("format 2: the ALERT's fields are not 23 or 24 values")
    seq, pair_id, severity = values[_SEQ], values[_PAIR], values[_SEVERITY]
    tail = f":{seq}"
    if type(seq) is not int or not alert_id.endswith(tail):
        raise ValueError(f"format 2: alert_id {alert_id!r} does not end with its alert_seq")
    if not isinstance(pair_id, str) or not isinstance(severity, str):
        raise ValueError("format 2: pair_id or severity of the wrong type")
    fields = dict(zip(ALERT_WIRE_FIELDS, values, strict=False))
    if len(value) == 5:
        fields[SUSPECT] = value[4]
    return {
        "alert_id": alert_id,
        "boot_id": alert_id[: -len(tail)],
        "alert_seq": seq,
        "pair_id": pair_id,
        "severity": severity.lower(),
        "consistent": consistent,
        "fields": fields,
    }
