"""The record's benchmark runs end to end on a small log (its figures are `make perf`'s; this
only checks that it still runs against the log's current API and logs in the compact format)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def _small(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("HOTLINE_BENCH_RECORD_ALERTS", "300")
    monkeypatch.setenv("HOTLINE_BENCH_RECORD_VERIFY", "600")
    import bench.bench_record as module

    return importlib.reload(module)


def test_bench_record_runs_and_reports_every_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    bench_record = _small(monkeypatch)
    try:
        figures = bench_record.run()
    finally:
        monkeypatch.undo()
        importlib.reload(bench_record)
    names = [f.name for f in figures]
    assert len(names) == 5
    assert any(name.startswith("log verify --key") for name in names)
    assert all(isinstance(f.value, int | float) for f in figures)


def test_bench_record_logs_alerts_in_the_compact_format() -> None:
    from bench.bench_log import alert_fields
    from terminal.log import records

    fields = alert_fields(7, "warning")
    kind, payload = records.alert_received(
        fields, boot_id="bench", alert_seq=7, pair_id=fields["pair_id"], severity="warning",
        consistent=True,
    )  # fmt: skip
    assert records.prepare(kind, payload, 0).text.startswith("[2,")
