"""Line versions in the log: `line_version` records to and from `LineVersion` (docs/log.md).

The desk reads the history once at start-up (`read_history`), writes the config line as a
version when it is new (`LineHistory.config_version`), and each version the operator enters.
`hotline log lines` and the shift report read the same records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from terminal.core.lines import LineHistory, LineVersion
from terminal.log import LogReader, records
from terminal.log.reader import StoredRecord


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
    for rec in reader.records(None, until_ms, kind=records.LINE_VERSION):
        out.append(version_of(rec))
    return out


def read_history(path: Path | str) -> LineHistory:
    """The line's history in the log at ``path`` (empty for a log without one)."""
    with LogReader(path) as reader:
        return LineHistory(read_versions(reader))
