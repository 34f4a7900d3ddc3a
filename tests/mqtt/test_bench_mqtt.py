"""bench/bench_mqtt.py runs (small sizes) and reports its figures with goals."""

from __future__ import annotations

import pytest

from bench import bench_mqtt


def test_the_mqtt_benchmark_runs_end_to_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_mqtt, "BURST", 300)
    monkeypatch.setattr(bench_mqtt, "PACED", 40)
    monkeypatch.setattr(bench_mqtt, "PACE_HZ", 400)
    monkeypatch.setattr(bench_mqtt, "BACKLOG", 300)
    figures = {f.name: f for f in bench_mqtt.run()}
    assert set(figures) == {"mqtt_records_per_s", "mqtt_latency_p50", "mqtt_latency_p99",
                            "mqtt_backlog_drain"}
    assert figures["mqtt_records_per_s"].value > 0 and figures["mqtt_backlog_drain"].value > 0
    assert 0 < figures["mqtt_latency_p50"].value <= figures["mqtt_latency_p99"].value
    assert all(f.goal for f in figures.values())
