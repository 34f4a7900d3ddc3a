"""What a screen reads: a page of alerts and their count, the newest calls, and the query
commands streaming their rows (docs/log.md section 3)."""

from __future__ import annotations

import io

from log_helpers import T0

from terminal.log import LogReader, LogStore, records
from terminal.log.formats import stream_rows, write_rows
from terminal.log.reader import page_key


def _alerts(store: LogStore, count: int, same_ms: bool = False) -> None:
    for n in range(count):
        entry = records.alert_received(
            {"n": n}, boot_id="B", alert_seq=n, pair_id=f"P{n}", severity="warning",
            consistent=True,
        )  # fmt: skip
        store.write(*entry, T0 + (n // 3 if same_ms else n) * 1000)


def test_pages_walk_the_range_once_each_in_order(store: LogStore) -> None:
    _alerts(store, 23, same_ms=True)  # three to a millisecond: the page key needs the rid too
    with LogReader(store.path) as reader:
        since, until = T0 + 1000, T0 + 7000
        everything = reader.alerts(since, until)
        pages, after = [], None
        while page := reader.alerts_page(since, until, limit=4, after=after):
            assert len(page) <= 4
            pages.append(page)
            after = page_key(page[-1])
        assert [row for page in pages for row in page] == everything
        assert len(everything) == 18 and reader.alert_count(since, until) == 18
        assert reader.alert_count() == 23 and reader.alert_count(until_ms=T0) == 0
        assert reader.alerts_page(limit=2) == reader.alerts()[:2]


def test_the_console_reads_the_newest_calls_first(store: LogStore) -> None:
    for n in range(5):
        store.write(*records.call_started(f"c{n}", "incoming", None), T0 + n)
    with LogReader(store.path) as reader:
        assert [c.call_id for c in reader.calls_latest(T0 + 1, limit=3)] == ["c4", "c3", "c2"]
        assert [c.call_id for c in reader.calls_latest(T0 + 4)] == ["c4"]


def test_a_streamed_table_is_the_table(store: LogStore) -> None:
    _alerts(store, 7)
    with LogReader(store.path) as reader:
        rows = reader.alerts()
        for fmt in ("table", "csv", "jsonl"):
            listed, streamed = io.StringIO(), io.StringIO()
            write_rows(rows, fmt, listed)
            stream_rows(lambda: reader.iter_alerts(), fmt, streamed)
            assert streamed.getvalue() == listed.getvalue()
        empty = io.StringIO()
        stream_rows(lambda: reader.iter_alerts(until_ms=T0), "table", empty)
        assert empty.getvalue() == "(none)\n"
