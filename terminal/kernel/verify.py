"""Trust but verify: recompute an alert's numbers from its own positions and compare.

A number disagrees when it differs from the recomputed one by more than ``tolerance_pct`` percent
of the larger of the two AND by more than the absolute floor of its kind (rounding on the wire is
well inside the floors). For a LINE alert without the line at hand only the separations are
checked (time and miss need the line's shape); with it, all four.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from terminal.kernel.line_shape import Line
from terminal.kernel.members import Kind, Member, Separation


@dataclass(frozen=True, slots=True)
class Floors:
    """Absolute differences never called a disagreement."""

    distance_m: float = 15.0
    vertical_ft: float = 25.0
    time_s: float = 1.0


DEFAULT_FLOORS = Floors()


def _differs(reported: float, expected: float, pct: float, floor: float) -> bool:
    if not (math.isfinite(reported) and math.isfinite(expected)):
        return reported != expected
    diff = abs(reported - expected)
    return diff > floor and diff > pct / 100.0 * max(abs(reported), abs(expected))


def recompute(kind: Kind, a: Member, b: Member, line: Line | None = None) -> Separation | None:
    """The kernel's numbers for this alert (None for a LINE alert when no line is known)."""
    # The kernel (NumPy) is loaded here, not when this module is: the service loads it in a
    # thread just after READY, and an alert that comes sooner waits here for that import.
    from terminal.kernel.report import measure_line, measure_pair

    if kind == "TRACK":
        return measure_pair(a, b)
    if line is None:
        return None
    return measure_line(a, line)[0]


def disagreements(
    kind: Kind,
    a: Member,
    b: Member,
    reported: Separation,
    *,
    tolerance_pct: float,
    floors: Floors = DEFAULT_FLOORS,
    line: Line | None = None,
) -> tuple[str, ...]:
    """What in ``reported`` disagrees with the kernel, as short texts (empty: consistent)."""
    out: list[str] = []
    expected = recompute(kind, a, b, line)
    checks: list[tuple[str, float, float, float, str]] = []
    if expected is None:  # a LINE alert, line unknown: the distance to the point given
        from terminal.kernel.report import measure_pair

        hsep = measure_pair(a, b).hsep_m
        checks.append(("hsep", reported.hsep_m, hsep, floors.distance_m, "m"))
        checks.append(("vsep", reported.vsep_ft, 0.0, floors.vertical_ft, "ft"))
    else:
        checks += [
            ("hsep", reported.hsep_m, expected.hsep_m, floors.distance_m, "m"),
            ("vsep", reported.vsep_ft, expected.vsep_ft, floors.vertical_ft, "ft"),
            ("tcpa", reported.tcpa_s, expected.tcpa_s, floors.time_s, "s"),
            ("miss", reported.miss_m, expected.miss_m, floors.distance_m, "m"),
        ]
    for name, got, want, floor, unit in checks:
        if _differs(got, want, tolerance_pct, floor):
            out.append(f"{name} {got:g} {unit}, kernel {want:.1f} {unit}")
    return tuple(out)
