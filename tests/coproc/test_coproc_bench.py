"""The alert-burst benchmark runs, shrunk to a moment: nothing lost, a rate against the line."""

from __future__ import annotations

import pytest

from bench import bench_alert_burst


def test_alert_burst_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_alert_burst, "ALERTS", 100)
    figures = {f.name: f for f in bench_alert_burst.run()}
    assert figures["alert_burst_lost"].value == 0
    rate = figures["alert_burst_rate"]
    assert rate.value > 0 and rate.ratio is not None and "115200-baud" in (rate.ratio_of or "")
    assert figures["alert_book_rate"].value > 0
