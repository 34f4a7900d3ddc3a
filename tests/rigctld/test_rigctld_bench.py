"""bench/bench_rigctld.py runs (a few presses) and gives every figure it promises; speed itself is
measured by `make perf`, not here."""

from __future__ import annotations

import pytest

from bench import bench_rigctld


def test_the_rigctld_bench_runs_and_reports_each_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_rigctld, "PRESSES", 5)
    names = [f.name for f in bench_rigctld.run()]
    for what in ("ptt_press_to_t1_written", "ptt_press_to_rigctld_keyed",
                 "ptt_release_to_rigctld_unkeyed"):  # fmt: skip
        assert [n for n in names if n.startswith(what)] == [f"{what}_{p}" for p in
                                                             ("p50", "p99", "max")]  # fmt: skip
    assert "rigctld_t0_round_trip_p50" in names
