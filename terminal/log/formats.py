"""Calls and alerts as a table for people, CSV for spreadsheets, JSON lines for tools.

CSV and JSON lines carry every column: times as Zulu text (`*_utc`) beside the raw
milliseconds (`*_utc_ms`); JSON lines keep notes and co-processor fields as objects, CSV as JSON
text. The table is a readable subset.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
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
    stream_rows(lambda: rows, fmt, out)


def stream_rows(fetch: Callable[[], Iterable[Row]], fmt: str, out: TextIO) -> None:
    """Write calls or alerts in `fmt`, a row at a time: CSV and JSON lines in one pass over
    `fetch()`, the table in two (the first sizes its columns), so no list of rows is held.
    Both passes must see the same rows (read them in one snapshot)."""
    if fmt == "jsonl":
        for row in fetch():
            out.write(json.dumps(row_dict(row), ensure_ascii=False, sort_keys=False) + "\n")
    elif fmt == "csv":
        _write_csv(fetch(), out)
    elif fmt == "table":
        _write_table(fetch, out)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _write_csv(rows: Iterable[Row], out: TextIO) -> None:
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


_Columns = Sequence[tuple[str, Callable[[Any], object]]]


def _columns_of(row: Row) -> _Columns:
    return _CALL_TABLE if isinstance(row, CallRow) else _ALERT_TABLE


def _write_table(fetch: Callable[[], Iterable[Row]], out: TextIO) -> None:
    columns: _Columns = ()
    widths: list[int] = []
    for row in fetch():  # first pass: the widest cell of each column
        if not columns:
            columns = _columns_of(row)
            widths = [len(title) for title, _ in columns]
        for i, column in enumerate(columns):
            widths[i] = max(widths[i], len(str(column[1](row))))
    if not columns:
        out.write("(none)\n")
        return

    def line(cells: Iterable[str]) -> None:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip())
        out.write("\n")

    line(title for title, _ in columns)
    line("-" * w for w in widths)
    for row in fetch():
        line(str(get(row)) for _, get in columns)
