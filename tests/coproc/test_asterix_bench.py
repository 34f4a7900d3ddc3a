"""The ASTERIX decode benchmark, shrunk to a moment: its records decode cleanly and the rate is
set against the national feed."""

from __future__ import annotations

import pytest

from bench import bench_asterix
from hw.sim.tracks.asterix import decode


def test_the_benchmark_records_are_realistic_and_decode() -> None:
    (data,) = bench_asterix.national_picture(10)
    decoded = decode(data, (62,))
    assert decoded.errors == [] and len(decoded.reports) == 10
    r = decoded.reports[3]
    assert (r.track_number, r.address, r.callsign, r.alt_ft) == (3, 0x300003, "AFR0003", 35000.0)


def test_asterix_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_asterix, "RECORDS", 40)
    monkeypatch.setattr(bench_asterix, "RUNS", 1)
    figures = {f.name: f for f in bench_asterix.run()}
    rate = figures["asterix_cat062_decode_rate"]
    assert rate.value > 0 and rate.unit == "records/s" and "25,000" in rate.goal
    assert rate.ratio == pytest.approx(rate.value / 1250, rel=0.01)
    assert figures["asterix_cat062_parse_rate"].value > 0
