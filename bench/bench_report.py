"""The shift handover report over a big log: 30 days, 300 calls and 100,000 alerts.

The log is built the way bench_log builds one (every record through LogWriter, group commit),
with what a desk writes beside each alert: its journal line, an acknowledgement for one in three,
a close for nine in ten; the calls with answers, transmissions and notes; a radio link outage a
day. Then `write_report` over the whole 30 days, timed (median of 3, a fresh reader each time).
Figures: the report's time (goal < 5 s) and the size of the HTML file.
HOTLINE_BENCH_REPORT_ALERTS=N runs with N alerts instead (for a quick look).
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
from terminal.log import LogWriter, records
from terminal.report import write_report

ALERTS = int(os.environ.get("HOTLINE_BENCH_REPORT_ALERTS", "100000"))
CALLS = 300
DAYS = 30
DAY_MS = 86_400_000
START_MS = 1_778_284_800_000  # 2026-05-09T00:00:00Z
WINDOW = 20_000
RUNS = 3
LINE = ((48.10, 11.55), (48.20, 11.75), (48.25, 11.90))
SEVERITIES = ("advisory", "warning", "critical")


def alert_fields(n: int) -> dict[str, Any]:
    """An ALERT's fields under their wire names (docs/log.md), varied by n."""
    return {
        "alert_seq": n, "pair_id": f"T{n % 977:04d}/T{n % 613:04d}", "kind": "TRACK",
        "severity": SEVERITIES[n % 3].upper(), "computed_at": "2026-05-09T00:00:00.000Z",
        "a_id": f"T{n % 977:04d}", "a_lat": 48.1 + n % 997 / 5000, "a_lon": 11.6 + n % 991 / 3000,
        "a_alt_ft": 18_000.0 + n % 5000, "a_vn": 120.5, "a_ve": -33.25, "a_vu": 0.0,
        "b_id": f"T{n % 613:04d}", "b_lat": 48.12 + n % 983 / 5000,
        "b_lon": 11.62 + n % 977 / 3000, "b_alt_ft": 19_000.0, "b_vn": -110.0, "b_ve": 40.75,
        "b_vu": -2.5, "hsep_m": 1850.0 + n % 100, "vsep_ft": 1000.0, "tcpa_s": 42.5,
        "miss_m": 920.0,
    }  # fmt: skip


def build(path: Path) -> None:
    """The 30-day log."""
    writer = LogWriter.open(path, group_commit_ms=5)
    in_flight: deque[Future[int]] = deque()

    def put(entry: records.Entry, utc_ms: int) -> None:
        in_flight.append(writer.submit(*entry, utc_ms=utc_ms))
        if len(in_flight) > WINDOW:
            in_flight.popleft().result()

    step = DAYS * DAY_MS // ALERTS
    call_every = ALERTS // CALLS
    try:
        for n in range(ALERTS):
            t = START_MS + n * step
            fields = alert_fields(n)
            put(records.journal_event("AlertReceived", fields), t)
            put(records.alert_received(
                fields, boot_id="BENCH", alert_seq=n, pair_id=fields["pair_id"],
                severity=SEVERITIES[n % 3], consistent=n % 50 != 0,
            ), t)  # fmt: skip
            alert_id = records.alert_key("BENCH", n)
            if n % 3 == 0:
                put(records.alert_acknowledged(alert_id, "OPS7"), t + 4000)
            if n % 10:
                put(records.alert_closed(alert_id, "cleared"), t + 9000)
            if n % call_every == 0 and n // call_every < CALLS:
                call_id = f"20260509T000000000Z-{n // call_every + 1}"
                put(records.call_started(call_id, "incoming", "OPS7"), t + 1)
                put(records.call_answered(call_id, "OPS7"), t + 3000)
                put(records.transmission(call_id, 4200, "OPS7", "PTT"), t + 8000)
                put(records.call_note(call_id, "OPS7", "traffic in sight, both turning"), t + 9000)
                put(records.call_ended(call_id, "answered", "OPS7"), t + 20_000)
        for day in range(DAYS):
            t = START_MS + day * DAY_MS + 3_600_000
            put(records.journal_event("LinkDown", {"at": 0.0, "reason": "heartbeat lost"}), t)
            put(records.journal_event("LinkUp", {"at": 0.0}), t + 40_000)
        for future in in_flight:
            future.result()
    finally:
        writer.close()


def run() -> list[Figure]:
    """Build the log, then time the report."""
    with tempfile.TemporaryDirectory(prefix="hotline-bench-report-") as tmp:
        db = Path(tmp) / "hotline.db"
        build(db)
        out = Path(tmp) / "report.html"
        times = []
        facts = None
        for _ in range(RUNS):
            t0 = time.perf_counter()
            facts = write_report(db, out, START_MS, START_MS + DAYS * DAY_MS + DAY_MS,
                                 line=LINE, line_id="BENCH")  # fmt: skip
            times.append(time.perf_counter() - t0)
        assert facts is not None
        if facts.alerts_total != ALERTS or len(facts.calls) != CALLS:
            raise RuntimeError(
                f"the report counted {facts.alerts_total} alerts and {len(facts.calls)} calls"
            )
        size_kb = out.stat().st_size / 1000
    label = f"{DAYS} days, {CALLS} calls, {ALERTS:,} alerts"
    return [
        Figure(f"shift report ({label})", round(statistics.median(times), 2), "s", "< 5 s"),
        Figure(f"shift report file size ({label})", round(size_kb), "kB", "(informative)"),
    ]
