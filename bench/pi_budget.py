"""From a CPU cost measured here to an estimate for a Raspberry Pi 4: one stated ratio.

Not a benchmark (no ``bench_`` prefix): the service, PTT and kernel benchmarks use it to print,
beside each CPU-per-unit figure, what the same work would cost on a Pi 4 core. The ratio is an
assumption, not a measurement: a Cortex-A72 core at 1.5 GHz runs CPython several times slower
than a current x86 server core; PI4_SLOWDOWN takes 4. On a Pi, `make perf` measures the real
figure and this estimate is not needed. docs/performance.md says how the budget is worked out.
"""

from __future__ import annotations

from bench.report import Figure

PI4_SLOWDOWN = 4.0
"""Assumed: one Pi 4 core (Cortex-A72, 1.5 GHz) takes this many times the CPU time of one core of
the machine `make perf` runs on, for the same Python work."""


def pi4_estimate(figure: Figure) -> Figure:
    """The Pi 4 estimate of a CPU-time figure, labelled as an estimate."""
    return Figure(
        f"{figure.name}_pi4_estimate",
        round(figure.value * PI4_SLOWDOWN, 1),
        figure.unit,
        f"estimate, not measured: {PI4_SLOWDOWN:g}x this machine (bench/pi_budget.py)",
    )
