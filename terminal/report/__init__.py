"""The shift handover report (docs/report.md): the log of a time range as one HTML page.

`write_report(db, out, since_ms, until_ms, line=...)` reads the log read-only through
`LogReader` and writes the page through a temporary file, renamed into place.
"""

from __future__ import annotations

import os
from pathlib import Path

from terminal.log import LogReader
from terminal.report.facts import ShiftFacts, collect
from terminal.report.page import render
from terminal.zulu import now_ms

__all__ = ["ShiftFacts", "collect", "render", "write_report"]


def write_report(
    db: Path,
    out: Path,
    since_ms: int,
    until_ms: int,
    *,
    line: tuple[tuple[float, float], ...] = (),
    line_id: str = "",
    generated_ms: int | None = None,
) -> ShiftFacts:
    """Write the report of [since_ms, until_ms) to `out`; the facts it shows."""
    with LogReader(db) as reader:
        facts = collect(
            reader, since_ms, until_ms,
            generated_ms=now_ms() if generated_ms is None else generated_ms,
            line=line, line_id=line_id,
        )  # fmt: skip
    page = render(facts)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(page)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(out)
    return facts
