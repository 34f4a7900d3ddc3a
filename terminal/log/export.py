"""`hotline log export`: the record of a time range, written to a directory.

records.jsonl (the chain itself: each record with its hashes, verifiable with
`hotline log verify --archive`), calls.csv and alerts.csv (for people), and manifest.json (range,
chain head at export time, and the SHA-256 of each file). Existing files are never overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from terminal.log.archive import record_line, write_atomically
from terminal.log.errors import LogError
from terminal.log.formats import stream_rows
from terminal.log.reader import LogReader
from terminal.log.rows import Row
from terminal.zulu import now_ms, to_iso

FILES = ("records.jsonl", "calls.csv", "alerts.csv", "manifest.json")


@dataclass(frozen=True)
class ExportSummary:
    """What was exported where."""

    directory: Path
    records: int
    calls: int
    alerts: int


def export(
    db_path: Path, directory: Path, since_ms: int | None = None, until_ms: int | None = None
) -> ExportSummary:
    """Export records, calls and alerts stamped in [since_ms, until_ms) to `directory`: the
    records as the unbroken chain from the first stamped in the range to the last."""
    clashes = [name for name in FILES if (directory / name).exists()]
    if clashes:
        raise LogError(f"{directory} already holds {', '.join(clashes)}; nothing was exported")
    counts = {"records": 0, "calls": 0, "alerts": 0}
    with LogReader(db_path) as reader, reader.snapshot():
        head_id, head_hash = reader.head()
        first_id, last_id = reader.span(since_ms, until_ms)

        def fill_records(out: TextIO) -> None:
            for record in reader.chain(first_id, last_id):  # unbroken, so that it verifies
                out.write(record_line(record))
                counts["records"] += 1

        write_atomically(directory / "records.jsonl", fill_records)

        def counted(name: str, rows: Iterable[Row]) -> Iterator[Row]:
            for row in rows:
                counts[name] += 1
                yield row

        def fill_calls(out: TextIO) -> None:
            rows = counted("calls", reader.iter_calls(since_ms, until_ms))
            stream_rows(lambda: rows, "csv", out)

        def fill_alerts(out: TextIO) -> None:
            rows = counted("alerts", reader.iter_alerts(since_ms, until_ms))
            stream_rows(lambda: rows, "csv", out)

        write_atomically(directory / "calls.csv", fill_calls)
        write_atomically(directory / "alerts.csv", fill_alerts)
    manifest = {
        "database": str(db_path),
        "exported_utc": to_iso(now_ms()),
        "since_utc": to_iso(since_ms) or None,
        "until_utc": to_iso(until_ms) or None,
        "head_id": head_id,
        "head_hash": head_hash.hex(),
        "counts": counts,
        "sha256": {name: _sha256(directory / name) for name in FILES[:-1]},
    }
    text = json.dumps(manifest, indent=2) + "\n"

    def fill_manifest(out: TextIO) -> None:
        out.write(text)

    write_atomically(directory / "manifest.json", fill_manifest)
    return ExportSummary(directory, counts["records"], counts["calls"], counts["alerts"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
