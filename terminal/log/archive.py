"""Records as JSON lines (export and retention archives), and writing files so a crash leaves
either the whole file or none of it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from terminal.log.chain import canonical
from terminal.log.reader import StoredRecord


def record_line(record: StoredRecord) -> str:
    """One record as a JSON line; the payload is embedded as the object its text encodes."""
    return (
        f'{{"id":{record.id},"kind":{json.dumps(record.kind)},"utc_ms":{record.utc_ms},'
        f'"payload":{record.text},"prev_hash":"{record.prev_hash.hex()}",'
        f'"hash":"{record.hash.hex()}"}}\n'
    )


def read_records(path: Path) -> Iterator[StoredRecord]:
    """Records back from a JSON-lines file (the payload re-encoded canonically, as it was)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            obj = json.loads(line)
            yield StoredRecord(
                int(obj["id"]),
                str(obj["kind"]),
                int(obj["utc_ms"]),
                canonical(obj["payload"]),
                bytes.fromhex(obj["prev_hash"]),
                bytes.fromhex(obj["hash"]),
            )


def write_atomically(path: Path, fill: Callable[[TextIO], None]) -> None:
    """Write `path` through a temporary file, fsynced and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        fill(out)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    _fsync_dir(path.parent)


def write_records(path: Path, records: Iterable[StoredRecord]) -> tuple[int, StoredRecord | None]:
    """Write records as JSON lines, atomically; return how many and the last one."""
    count = 0
    last: StoredRecord | None = None

    def fill(out: TextIO) -> None:
        nonlocal count, last
        for record in records:
            out.write(record_line(record))
            count += 1
            last = record

    write_atomically(path, fill)
    return count, last


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
