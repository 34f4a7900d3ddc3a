"""Line versions in the log: `line_version` records to and from `LineVersion` (docs/log.md).

The desk reads the history once at start-up (`read_history`), writes the config line as a
version when it is new (`LineHistory.config_version`), and each version the operator enters.
`hotline log lines` and the shift report read the same records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from terminal.core.lines import LineHistory, LineVersion, format_points
from terminal.log import LogReader, records
from terminal.log.reader import StoredRecord
from terminal.zulu import to_iso


def version_of(record: StoredRecord) -> LineVersion:
    """The line version a `line_version` record holds (ValueError if malformed)."""
    p: dict[str, Any] = record.payload()
    try:
        points = tuple((float(lat), float(lon)) for lat, lon in p["points"])
        return LineVersion(
            int(p["version"]), str(p["name"]), points, int(p["effective_utc_ms"]),
            p["entered_by"], p["call_id"], record.utc_ms, str(p.get("desk", "")),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"record {record.id}: not a line version ({exc})") from None


def entry_of(v: LineVersion) -> records.Entry:
    """The `line_version` record for a version (its time: ``v.entered_utc_ms``)."""
    return records.line_version(
        v.version, v.name, [[lat, lon] for lat, lon in v.points], v.effective_utc_ms,
        entered_by=v.entered_by, call_id=v.call_id, desk=v.desk,
    )  # fmt: skip


def read_versions(reader: LogReader, until_ms: int | None = None) -> list[LineVersion]:
    """Every line version entered up to ``until_ms`` (all when None), in record order."""
    out = []
    for rec in reader.line_version_records(until_ms):
        out.append(version_of(rec))
    return out


def read_history(path: Path | str) -> LineHistory:
    """The line's history in the log at ``path`` (empty for a log without one)."""
    with LogReader(path) as reader:
        return LineHistory(read_versions(reader))


def version_dict(v: LineVersion, state: str) -> dict[str, Any]:
    """One version as JSON for `hotline log lines --format jsonl` (docs/log.md)."""
    return {
        "version": v.version, "name": v.name, "state": state,
        "effective_utc_ms": v.effective_utc_ms, "effective_utc": to_iso(v.effective_utc_ms),
        "entered_utc_ms": v.entered_utc_ms, "entered_utc": to_iso(v.entered_utc_ms),
        "entered_by": v.entered_by, "call_id": v.call_id, "desk": v.desk,
        "points": [[lat, lon] for lat, lon in v.points],
    }  # fmt: skip


def states(history: LineHistory, now_ms: int) -> dict[int, str]:
    """Each version's state now: `in force`, `pending` (still to take effect) or `superseded`."""
    current = history.in_force(now_ms)
    out = {}
    for v in history.versions():
        if current is not None and v.version == current.version:
            out[v.version] = "in force"
        elif v.effective_utc_ms > now_ms and (current is None or v.version > current.version):
            out[v.version] = "pending"
        else:
            out[v.version] = "superseded"
    return out


def lines_table(history: LineHistory, now_ms: int) -> str:
    """The history as a table for people, oldest version first ("(none)" when empty)."""
    if not len(history):
        return "(none)\n"
    state = states(history, now_ms)
    head = ("VER", "NAME", "STATE", "EFFECTIVE FROM (Z)", "ENTERED (Z)", "BY", "CALL", "POINTS")
    rows = [head] + [
        (str(v.version), v.name, state[v.version], to_iso(v.effective_utc_ms),
         to_iso(v.entered_utc_ms), v.entered_by or "", v.call_id or "", format_points(v.points))
        for v in history.versions()
    ]  # fmt: skip
    widths = [max(len(r[k]) for r in rows) for k in range(len(head) - 1)]
    lines = []
    for k, row in enumerate(rows):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)] + [row[-1]]
        lines.append("  ".join(cells))
        if k == 0:
            lines.append("  ".join(["-" * w for w in widths] + ["-" * len("POINTS")]))
    return "\n".join(lines) + "\n"
