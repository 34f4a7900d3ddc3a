"""The line's history is read through its own index, not by reading every record (schema 4)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from terminal.log import LogReader, LogWriter, records
from terminal.log.schema import LINE_VERSIONS_INDEX


def test_line_version_records_use_their_index_and_come_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    writer = LogWriter.open(path)
    try:
        for n in range(3):
            writer.submit(*records.journal_event("test", {"n": n})).result(5)
        for version in (1, 2):
            writer.submit(
                *records.line_version(
                    version,
                    "DL",
                    [[51.5, -0.2], [51.5, -0.08]],
                    1_000 * version,
                    entered_by="config",
                    call_id=None,
                    desk="S/D",
                )
            ).result(5)
        writer.submit(*records.journal_event("test", {"n": 9})).result(5)
    finally:
        writer.close()
    with LogReader(path) as reader:
        got = list(reader.line_version_records())
    assert [r.kind for r in got] == [records.LINE_VERSION] * 2
    assert [r.id for r in got] == sorted(r.id for r in got)
    conn = sqlite3.connect(path)
    try:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM records WHERE kind = 'line_version' "
                "AND utc_ms >= 0 AND utc_ms < 9e18 ORDER BY id"
            )
        )
    finally:
        conn.close()
    assert LINE_VERSIONS_INDEX in plan, plan
