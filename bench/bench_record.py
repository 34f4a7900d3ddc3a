"""The signed record (docs/record.md): what signed checkpoints cost, and verifying with a key.

1. The durable insert rate through LogWriter (group commit, the shipped 5 ms) without and with
   checkpoints at the default interval (every 100 records or 60 s), in alternating rounds on
   fresh files, median of each; the cost is the drop in rate (goal < 5 %).
2. `hotline log verify --key` (chain, tables, signatures) on 1,000,000 alerts written with
   checkpoints on (goal < 20 s here).
HOTLINE_BENCH_RECORD_ALERTS=N changes the insert rounds' size (default 100,000) and
HOTLINE_BENCH_RECORD_VERIFY=N the verified log's (default 1,000,000), for a quick look.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import deque
from concurrent.futures import Future
from pathlib import Path

from bench.bench_log import GROUP_COMMIT_MS, START_MS, WINDOW, alert_fields
from bench.report import Figure
from terminal.log import LogWriter, records, verify
from terminal.log.checkpoint import Checkpointer
from terminal.log.signing import Signer
from terminal.log.verify import Trust
from terminal.log.verify_pool import worker_count

ROUND_ALERTS = int(os.environ.get("HOTLINE_BENCH_RECORD_ALERTS", "100000"))
VERIFY_ALERTS = int(os.environ.get("HOTLINE_BENCH_RECORD_VERIFY", "1000000"))
ROUNDS = 3
EVERY_RECORDS = 100  # the shipped defaults (config/hotline.toml)
EVERY_S = 60.0


def _insert(path: Path, alerts: int, signer: Signer | None) -> tuple[float, int]:
    """Alerts per second through the writer, and the checkpoints it signed."""
    checkpoints = None
    if signer is not None:
        checkpoints = Checkpointer(signer, every_records=EVERY_RECORDS, every_s=EVERY_S,
                                   desk="BENCH/DESK-1")  # fmt: skip
    writer = LogWriter.open(path, group_commit_ms=GROUP_COMMIT_MS, checkpoints=checkpoints)
    in_flight: deque[Future[int]] = deque()
    start = time.perf_counter()
    for n in range(alerts):
        fields = alert_fields(n, "warning")  # as the desk logs an ALERT (the compact format)
        kind, payload = records.alert_received(
            fields, boot_id="bench", alert_seq=n, pair_id=fields["pair_id"],
            severity="warning", consistent=True,
        )  # fmt: skip
        in_flight.append(writer.submit(kind, payload, START_MS + n * 1000))
        if len(in_flight) > WINDOW:
            in_flight.popleft().result()
    for future in in_flight:
        future.result()
    rate = alerts / (time.perf_counter() - start)
    writer.close()
    signed = 0 if checkpoints is None else writer.head[0] - alerts
    return rate, signed


def run() -> list[Figure]:
    """Alternate unsigned and signed rounds, then verify a signed million."""
    signer = Signer.new()
    plain: list[float] = []
    signed: list[float] = []
    checkpoints = 0
    with tempfile.TemporaryDirectory(prefix="hotline-bench-record-") as tmp:
        for k in range(ROUNDS):
            plain.append(_insert(Path(tmp) / f"plain-{k}.db", ROUND_ALERTS, None)[0])
            rate, checkpoints = _insert(Path(tmp) / f"signed-{k}.db", ROUND_ALERTS, signer)
            signed.append(rate)
        path = Path(tmp) / "million.db"
        _insert(path, VERIFY_ALERTS, signer)
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        report = verify(path, trust=Trust([signer.public]))
        verify_s = time.perf_counter() - t0
        if not report.ok:
            raise RuntimeError(f"verify --key failed on the bench database: {report.first}")
        t0 = time.perf_counter()
        verify(path)
        plain_s = time.perf_counter() - t0
    base, with_cp = statistics.median(plain), statistics.median(signed)
    workers = worker_count(VERIFY_ALERTS)
    cost = (base - with_cp) / base * 100
    label = f"{ROUND_ALERTS:,} alerts, median of {ROUNDS}"
    return [
        Figure(f"log insert without checkpoints ({label})", round(base), "alerts/s",
               "(informative)"),
        Figure(f"log insert with signed checkpoints every {EVERY_RECORDS} ({label}, "
               f"{checkpoints:,} checkpoints)", round(with_cp), "alerts/s", "(informative)"),
        Figure("log signed checkpoints: cost on the durable insert rate", round(cost, 1), "%",
               "< 5 %"),
        Figure(f"log verify --key, chain, tables and {report.signed:,} signatures "
               f"({VERIFY_ALERTS:,} alerts; hashes checked in {workers} process(es), "
               f"load {load:.1f})", round(verify_s, 1), "s", "< 20 s"),
        Figure(f"log verify without --key, same file ({VERIFY_ALERTS:,} alerts)",
               round(plain_s, 1), "s", "(informative: the signatures' share is the difference)"),
    ]  # fmt: skip
