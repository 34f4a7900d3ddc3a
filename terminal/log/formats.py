"""Calls and alerts as a table for people, CSV for spreadsheets, JSON lines for tools.

CSV and JSON lines carry every column: times as Zulu text (`*_utc`) beside the raw
milliseconds (`*_utc_ms`); JSON lines keep notes and co-processor fields as objects, CSV as JSON
text. The table is a readable subset.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal, TextIO

from terminal.log.rows import AlertRow, CallRow, Row
from terminal.zulu import to_iso

Format = Literal["table", "csv", "jsonl"]
FORMATS: tuple[str, ...] = ("table", "csv", "jsonl")
_TABLE_TEXT_MAX = 40


def row_dict(row: Row) -> dict[str, Any]:
    """Every column, with Zulu text beside each time and JSON columns parsed."""
    out: dict[str, Any] = {}
    for name, value in row._asdict().items():
        if name in ("notes", "fields"):
            out[name] = json.loads(value)
        elif name == "consistent":
            out[name] = bool(value)
        else:
            out[name] = value
        if name.endswith("_utc_ms"):
            out[name.removesuffix("_ms")] = to_iso(value)
    return out


def write_rows(rows: Sequence[Row], fmt: str, out: TextIO) -> None:
    """Write calls or alerts in `fmt` (table, csv or jsonl)."""
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row_dict(row), ensure_ascii=False, sort_keys=False) + "\n")
    elif fmt == "csv":
        _write_csv(rows, out)
    elif fmt == "table":
        _write_table(rows, out)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _write_csv(rows: Sequence[Row], out: TextIO) -> None:
    writer: Any = None
    for row in rows:
        flat = {
            key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
            for key, value in row_dict(row).items()
        }
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
            writer.writeheader()
        writer.writerow(flat)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TABLE_TEXT_MAX else text[: _TABLE_TEXT_MAX - 1] + "…"


def _notes(row: CallRow) -> str:
    notes = json.loads(row.notes)
    if not notes:
        return ""
    more = f" (+{len(notes) - 1})" if len(notes) > 1 else ""
    return _short(str(notes[-1]["text"])) + more


_CALL_TABLE: tuple[tuple[str, Callable[[CallRow], object]], ...] = (
    ("CALL", lambda c: c.call_id),
    ("DIR", lambda c: c.direction),
    ("RUNG (Z)", lambda c: to_iso(c.rung_utc_ms)),
    ("ANSWERED (Z)", lambda c: to_iso(c.answered_utc_ms)),
    ("ENDED (Z)", lambda c: to_iso(c.ended_utc_ms)),
    ("OUTCOME", lambda c: c.outcome or "(open)"),
    ("TX", lambda c: c.transmissions),
    ("TX S", lambda c: f"{c.transmit_ms / 1000:.1f}"),
    ("OPERATOR", lambda c: c.answered_by or c.operator or ""),
    ("NOTES", _notes),
)
_ALERT_TABLE: tuple[tuple[str, Callable[[AlertRow], object]], ...] = (
    ("ALERT", lambda a: a.alert_id),
    ("RECEIVED (Z)", lambda a: to_iso(a.received_utc_ms)),
    ("SEVERITY", lambda a: a.severity),
    ("PAIR", lambda a: a.pair_id),
    ("CONSISTENT", lambda a: "yes" if a.consistent else "NO"),
    ("ACKED (Z)", lambda a: to_iso(a.acked_utc_ms)),
    ("BY", lambda a: a.acked_by or ""),
    ("CLOSED (Z)", lambda a: to_iso(a.closed_utc_ms)),
    ("FIELDS", lambda a: _short(a.fields)),
)


def _write_table(rows: Sequence[Row], out: TextIO) -> None:
    if not rows:
        out.write("(none)\n")
        return
    columns: Sequence[tuple[str, Callable[[Any], object]]] = (
        _CALL_TABLE if isinstance(rows[0], CallRow) else _ALERT_TABLE
    )
    cells = [[str(get(row)) for _, get in columns] for row in rows]
    headers = [title for title, _ in columns]
    widths = [max(len(h), *(len(line[i]) for line in cells)) for i, h in enumerate(headers)]
    for line in (headers, ["-" * w for w in widths], *cells):
        out.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        out.write("\n")
