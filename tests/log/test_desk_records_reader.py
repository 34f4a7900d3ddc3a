"""The desk reads today's calls back from the log on one thread of its own, however often."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from terminal.desk_records import DeskRecords
from terminal.log import LogWriter


def test_reading_the_calls_back_uses_one_thread_and_stops_with_the_desk(tmp_path: Path) -> None:
    writer = LogWriter.open(tmp_path / "hotline.db")
    shown: list[int] = []

    async def main() -> set[str]:
        records = DeskRecords(writer, lambda calls: shown.append(len(calls)))
        records.bind_loop(asyncio.get_running_loop())
        for _ in range(200):  # back to back, each a few ms apart: as a busy desk asks
            records.refresh_calls()
            await asyncio.sleep(0.001)
        while len(shown) < 2 or records._refreshing:
            await asyncio.sleep(0.005)
        names = {t.name for t in threading.enumerate()}
        records.close()
        records.refresh_calls()  # after close: nothing scheduled, nothing raised
        return names

    try:
        names = asyncio.run(main())
    finally:
        writer.close()
    readers = sorted(n for n in names if n.startswith("log-reader"))
    assert readers == ["log-reader_0"], readers
    assert not any(n.startswith("asyncio_") for n in names), "the loop's default executor used"
    assert shown and all(n == 0 for n in shown)
