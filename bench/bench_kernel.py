"""Distance kernel: time per cycle for 100 to 100,000 tracks at a realistic density, on one core.

The air picture: one aircraft per 1,000 km² (denser than the European average at its busiest
hour), spread over a spherical cap whose area grows with the number of tracks; speeds 60-260 m/s
with one in twenty a fast jet up to 500 m/s; altitudes up to FL450; one in five climbing or
descending; and a 2,000 km deconfliction line across the middle. One cycle is what the
co-processor runs: the picture quantised to wire precision, the k-d tree's candidate pairs, exact
separations and severities for those, and every aircraft near the line. Measured in a child
process pinned to one CPU with BLAS threads off; best of several cycles. Goal: 10,000 tracks in
under 100 ms, growing close to linearly.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from bench.pi_budget import pi4_estimate
from bench.report import Figure

SIZES = (100, 1_000, 10_000, 100_000)
KM2_PER_TRACK = 1_000.0
RUNS = {100: 20, 1_000: 10, 10_000: 5, 100_000: 3}  # best of
GOAL_10K_MS = 100.0
ROOT = Path(__file__).resolve().parents[1]
CENTRE = (50.0, 10.0)


def picture(n: int, seed: int = 1) -> object:
    """n tracks at the benchmark's density, and the line (a (Picture, Line) pair)."""
    import numpy as np

    from terminal.kernel.geodesy import geodesic_direct
    from terminal.kernel.line import Line
    from terminal.kernel.picture import Picture

    rng = np.random.default_rng(seed)
    radius_m = 6_371_000.0
    area_m2 = n * KM2_PER_TRACK * 1e6
    # a spherical cap of that area: 2 pi R^2 (1 - cos a)
    cos_a = max(-1.0, 1.0 - area_m2 / (2 * math.pi * radius_m**2))
    ang = np.arccos(rng.uniform(cos_a, 1.0, n))  # uniform over the cap
    lat, lon = geodesic_direct(*CENTRE, rng.uniform(0, 360, n), ang * radius_m)
    speed = rng.uniform(60, 260, n)
    fast = rng.random(n) < 0.05
    speed[fast] = rng.uniform(250, 500, fast.sum())
    heading = np.radians(rng.uniform(0, 360, n))
    vu = np.where(rng.random(n) < 0.2, rng.uniform(-20, 20, n), 0.0)
    pic = Picture(
        tuple(f"T{k:06d}" for k in range(n)), np.asarray(lat), np.asarray(lon),
        rng.uniform(0, 45_000, n), speed * np.cos(heading), speed * np.sin(heading), vu,
    )  # fmt: skip
    a = geodesic_direct(*CENTRE, 270.0, 1_000_000.0)
    b = geodesic_direct(*CENTRE, 90.0, 1_000_000.0)
    line = Line("DL", ((float(a[0]), float(a[1])), CENTRE, (float(b[0]), float(b[1]))))
    return pic, line


def child(n: int, runs: int) -> dict[str, float]:
    """Time one cycle on n tracks (in this process); best of ``runs``."""
    import time

    from terminal.kernel.assess import assess
    from terminal.kernel.report import quantize

    pic, line = picture(n)  # type: ignore[misc]
    best = math.inf
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = assess(quantize(pic), line)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    line_alerts = 0 if result.line is None else len(result.line)
    return {"ms": best * 1000, "candidates": result.candidates, "alerts": len(result.pairs),
            "line_alerts": line_alerts}  # fmt: skip


def _measure(n: int) -> dict[str, float]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}  # fmt: skip
    code = (
        "import json, os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        f"from bench.bench_kernel import child; print(json.dumps(child({n}, {RUNS.get(n, 3)})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run() -> list[Figure]:
    """Cycle time per size; the 10,000-track goal; growth from 10,000 to 100,000."""
    got = {n: _measure(n) for n in SIZES}
    figures = []
    for n in SIZES:
        m = got[n]
        goal = f"< {GOAL_10K_MS:g} ms" if n == 10_000 else "-"  # the 10,000-track goal
        ratio = round(m["ms"] / GOAL_10K_MS, 3) if n == 10_000 else None
        figures.append(Figure(f"kernel_cycle_{n}", round(m["ms"], 2), "ms", goal, ratio,
                              "the 100 ms goal" if ratio is not None else None))  # fmt: skip
        figures.append(Figure(f"kernel_candidates_per_track_{n}",
                              round(m["candidates"] / n, 2), "pairs", "-"))  # fmt: skip
    n = 10_000 if 10_000 in got else SIZES[-1]
    per_track = Figure("kernel_cpu_per_track", round(got[n]["ms"] * 1000 / n, 2), "us",
                       f"- (one cycle of {n:,} tracks, per track; one core)")  # fmt: skip
    figures += [per_track, pi4_estimate(per_track)]
    small, big = SIZES[-2], SIZES[-1]
    growth = got[big]["ms"] / got[small]["ms"]
    linear = big / small
    figures.append(
        Figure(
            f"kernel_growth_{small}_to_{big}",
            round(growth, 2),
            "x",
            f"close to {linear:g}x",
            round(growth / linear, 3),
            "linear growth",
        )
    )
    return figures
