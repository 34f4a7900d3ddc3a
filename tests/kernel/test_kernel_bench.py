"""The kernel benchmark runs, shrunk to a moment."""

from __future__ import annotations

import pytest

from bench import bench_kernel


def test_kernel_benchmark_reports_each_size_and_the_growth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_kernel, "SIZES", (100, 400))
    monkeypatch.setattr(bench_kernel, "RUNS", {100: 1, 400: 1})
    figures = {f.name: f for f in bench_kernel.run()}
    assert set(figures) == {
        "kernel_cycle_100", "kernel_candidates_per_track_100", "kernel_cycle_400",
        "kernel_candidates_per_track_400", "kernel_growth_100_to_400",
        "kernel_cpu_per_track", "kernel_cpu_per_track_pi4_estimate",
    }  # fmt: skip
    assert all(figures[f"kernel_cycle_{n}"].value > 0 for n in (100, 400))
    assert figures["kernel_growth_100_to_400"].ratio_of == "linear growth"


def test_the_benchmark_picture_has_the_stated_density() -> None:
    import numpy as np

    from terminal.kernel.geodesy import geodesic_inverse

    pic, line = bench_kernel.picture(2000)  # type: ignore[misc]
    assert len(pic) == 2000 and len(line.points) == 3
    # the cap holds n * 1,000 km^2: its angular radius gives the farthest track's distance
    far = float(np.max(geodesic_inverse(*bench_kernel.CENTRE, pic.lat, pic.lon)))
    assert far == pytest.approx(np.sqrt(2000 * 1000e6 / np.pi), rel=0.05)
