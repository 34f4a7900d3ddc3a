"""The record under load: 1,000,000 alerts through LogWriter with durable commits.

Alerts carry every field a co-processor ALERT has, as the desk logs them (so in the compact
alert_received payload, format 2: docs/log.md), and are stamped evenly over 30 days, so the same
file then serves a 24-hour query (about 33,000 alerts: full rows, co-processor fields included)
and a full `log verify`.
Figures: insert rate (goal >= 5,000 alerts/s with group commit), one alert's commit latency,
the 24-hour query as a screen shows it (first page and the count, goal < 20 ms, median of 5) and
every row of it streamed (informative), verify time (median of 3 runs with workers one per
core, goal < 10 s), the database size (goal < 500 B per alert), and retention of the first
day (writing its archive, then its checkpoint and removal in short transactions: the longest
hold of the write lock, goal < 200 ms).
HOTLINE_BENCH_LOG_ALERTS=N runs with N alerts instead (for a quick look).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from bench.report import Figure
from terminal.core.alert_events import AlertReceived
from terminal.desk_records import alert_fields as desk_alert_fields
from terminal.kernel.members import Member
from terminal.log import (
    LogReader,
    LogStore,
    LogWriter,
    apply_retention,
    archive_old,
    records,
    verify,
)
from terminal.log.retention import BATCH
from terminal.log.verify_pool import worker_count

ALERTS = int(os.environ.get("HOTLINE_BENCH_LOG_ALERTS", "1000000"))
DAYS = 30
DAY_MS = 86_400_000
START_MS = 1_778_284_800_000  # 2026-05-09T00:00:00Z
GROUP_COMMIT_MS = 5  # the shipped default (config/hotline.toml)
WINDOW = 20_000  # alerts in flight at most: the producer waits beyond that
QUERY_RUNS = 5
PAGE_ROWS = 50  # what the console's list or one screen of `log alerts` holds
LATENCY_SAMPLES = 200
VERIFY_RUNS = 3


def alert_fields(n: int, severity: str) -> dict[str, Any]:
    """What the desk logs of a co-processor ALERT (`terminal.desk_records.alert_fields`: its 24
    wire fields, with the wire's precision), varied by n."""
    a = Member(f"T{n % 977:04d}", round(48.123456 + n % 1000 / 1e5, 6),
               round(11.654321 - n % 1000 / 1e5, 6), float(18_000 + n % 5000), 120.5, -33.2, 0.0)
    b = Member(f"T{n % 613:04d}", 48.133456, 11.664321, 19_000.0, -110.0, 40.7, -2.5)
    alert = AlertReceived(
        0.0, START_MS + n, "bench", n, f"{a.id}/{b.id}", "TRACK", severity,  # type: ignore[arg-type]
        START_MS + n - 40, a, b, 1850.0 + n % 100, 1000.0, 42.5, 920.0, 1 + n % 3,
    )  # fmt: skip
    fields = desk_alert_fields(alert)
    if n % 50 == 0:  # the desk's cross-check disagreed: it says how (docs/log.md)
        fields["_suspect"] = [f"hsep {fields['hsep_m']:g} m, kernel 2412.7 m"]
    return fields


def _insert(path: Path) -> tuple[float, list[float]]:
    """Alerts per second through the writer, then single-alert commit latencies (ms)."""
    writer = LogWriter.open(path, group_commit_ms=GROUP_COMMIT_MS)
    step = DAYS * DAY_MS // ALERTS
    in_flight: deque[Future[int]] = deque()
    severities = ("advisory", "warning", "critical")
    start = time.perf_counter()
    for n in range(ALERTS):
        fields = alert_fields(n, severities[n % 3])
        kind, payload = records.alert_received(
            fields,
            boot_id="bench",
            alert_seq=n,
            pair_id=fields["pair_id"],
            severity=severities[n % 3],  # type: ignore[arg-type]
            consistent=n % 50 != 0,
        )
        in_flight.append(writer.submit(kind, payload, START_MS + n * step))
        if len(in_flight) > WINDOW:
            in_flight.popleft().result()
    for future in in_flight:
        future.result()
    rate = ALERTS / (time.perf_counter() - start)
    latencies = []
    for n in range(LATENCY_SAMPLES):
        entry = records.alert_acknowledged(records.alert_key("bench", n), "OP-BENCH")
        t0 = time.perf_counter()
        writer.submit(*entry).result()
        latencies.append((time.perf_counter() - t0) * 1000)
    writer.close()
    return rate, latencies


def _screen_ms(path: Path, span_ms: int = DAY_MS) -> tuple[float, int]:
    """Median time of what a screen shows of one span mid-file: its first page of alerts and
    how many there are in all (fresh reader each time, as `hotline log` or a report opens one)."""
    since = START_MS + DAYS // 2 * DAY_MS
    times = []
    total = 0
    for _ in range(QUERY_RUNS):
        t0 = time.perf_counter()
        with LogReader(path) as reader:
            page = reader.alerts_page(since, since + span_ms, limit=PAGE_ROWS)
            total = reader.alert_count(since, since + span_ms)
        times.append((time.perf_counter() - t0) * 1000)
        if len(page) != min(PAGE_ROWS, total):
            raise RuntimeError(f"the first page has {len(page)} rows of {total}")
    return statistics.median(times), total


def _stream_ms(path: Path, span_ms: int = DAY_MS) -> tuple[float, int]:
    """Median time of going through every alert of one span, a row at a time (`log alerts`)."""
    since = START_MS + DAYS // 2 * DAY_MS
    times = []
    rows = 0
    for _ in range(QUERY_RUNS):
        t0 = time.perf_counter()
        with LogReader(path) as reader:
            rows = sum(1 for _ in reader.iter_alerts(since, since + span_ms))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), rows


def _retention(path: Path, archive_dir: Path) -> tuple[float, float, float, int]:
    """Move the first day out: time to write the archive; then the checkpoint and removal in
    short transactions: all of it, and the longest any one held the write lock."""
    t0 = time.perf_counter()
    archive = archive_old(path, START_MS + DAY_MS, archive_dir)
    t1 = time.perf_counter()
    if archive is None:
        raise RuntimeError("nothing to retain in the bench database")
    store = LogStore.open(path, check=False)
    try:
        result = apply_retention(store, archive)
    finally:
        store.close()
    return t1 - t0, time.perf_counter() - t1, result.longest_lock_s, archive.count


def _verify_s(path: Path) -> tuple[float, int, float]:
    """Median wall time of VERIFY_RUNS full verifies (as `hotline log verify` runs it: workers
    one per core), the worker processes, and the 1-minute load average before the first."""
    load = os.getloadavg()[0]
    times = []
    for _ in range(VERIFY_RUNS):
        t0 = time.perf_counter()
        report = verify(path)
        times.append(time.perf_counter() - t0)
        if not report.ok:
            raise RuntimeError(f"verify failed on the bench database: {report.first}")
    return statistics.median(times), worker_count(ALERTS + LATENCY_SAMPLES), load


def run() -> list[Figure]:
    """Build the database, then measure it."""
    with tempfile.TemporaryDirectory(prefix="hotline-bench-log-") as tmp:
        path = Path(tmp) / "hotline.db"
        rate, latencies = _insert(path)
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        query_ms, rows = _screen_ms(path)
        stream_ms, _ = _stream_ms(path)
        hour_ms, hour_rows = _stream_ms(path, DAY_MS // 24)
        verify_s, workers, load = _verify_s(path)
        export_s, removal_s, locked_s, moved = _retention(path, Path(tmp) / "archive")
        after = verify(path)
        if not after.ok:
            raise RuntimeError(f"verify failed after retention: {after.first}")
    p50 = statistics.median(latencies)
    p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1]
    label = f"{ALERTS:,} alerts"
    return [
        Figure(f"log insert, durable group commit ({label})", round(rate), "alerts/s", ">= 5000"),
        Figure("log commit latency of one record, p50", round(p50, 2), "ms", "(informative)"),
        Figure("log commit latency of one record, p99", round(p99, 2), "ms", "(informative)"),
        Figure(
            f"log 24-hour alert query, as a screen shows it: first page of {PAGE_ROWS} and the "
            f"count ({rows:,} alerts)",
            round(query_ms, 1),
            "ms",
            "< 20 ms",
        ),
        Figure(
            f"log 24-hour alert query, every row streamed ({rows:,} rows)",
            round(stream_ms, 1),
            "ms",
            "(informative)",
        ),
        Figure(
            f"log 1-hour alert query, every row streamed ({hour_rows:,} rows)",
            round(hour_ms, 1),
            "ms",
            "(informative)",
        ),
        Figure(
            f"log verify, chain and tables ({label}; median of {VERIFY_RUNS}, hashes checked "
            f"in {workers} process(es), load {load:.1f})",
            round(verify_s, 1),
            "s",
            "< 10 s",
        ),
        Figure(f"log database size ({label})", round(size_mb, 1), "MB", "(informative)"),
        Figure(
            "log database size per alert record (records, rows and indexes)",
            round(size_mb * 1e6 / ALERTS),
            "B",
            "< 500 B",
        ),
        Figure(
            f"log retention of one day ({moved:,} records): archive file",
            round(export_s, 2),
            "s",
            "(informative)",
        ),
        Figure(
            f"log retention of one day: checkpoint and removal in transactions of {BATCH:,} rows",
            round(removal_s, 2),
            "s",
            "(informative)",
        ),
        Figure(
            "log retention of one day: longest hold of the write lock",
            round(locked_s * 1000, 1),
            "ms",
            "< 200 ms",
        ),
    ]
