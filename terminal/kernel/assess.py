"""One kernel cycle: every pair and every aircraft-to-line proximity that meets a threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from terminal.kernel.index import all_pairs, candidate_pairs
from terminal.kernel.line import Line, LineMetrics, line_metrics, near_line
from terminal.kernel.pairs import PairMetrics, pair_metrics, pair_severity, severity
from terminal.kernel.picture import Geometry, Picture
from terminal.kernel.thresholds import DEFAULT_TABLE, Table


@dataclass(frozen=True, eq=False)
class Assessment:
    """What one cycle found: pairs and line proximities with severity >= ADVISORY."""

    picture: Picture
    pairs: PairMetrics
    pair_severity: NDArray[np.int8]
    line: LineMetrics | None
    line_severity: NDArray[np.int8]
    candidates: int  # pairs computed exactly


def line_severity(table: Table, geo: Geometry, m: LineMetrics) -> NDArray[np.int8]:
    """Severity of each aircraft against the line: horizontal thresholds of its band only (the
    line is a vertical curtain at rest)."""
    zero = np.zeros(len(m), dtype=np.float64)
    band = table.band(geo.alt_m[m.i])
    return severity(table, band, m.hsep_m, m.range_rate, zero, zero, m.miss_m, zero)


def _take_pairs(m: PairMetrics, keep: NDArray[np.bool_]) -> PairMetrics:
    return PairMetrics(
        m.i[keep], m.j[keep], m.hsep_m[keep], m.range_rate[keep], m.tcpa_s[keep],
        m.miss_m[keep], m.dz_m[keep], m.vz[keep], m.vsep_cpa_m[keep],
    )  # fmt: skip


def _take_line(m: LineMetrics, keep: NDArray[np.bool_]) -> LineMetrics:
    return LineMetrics(
        m.i[keep], m.segment[keep], m.foot_lat[keep], m.foot_lon[keep], m.hsep_m[keep],
        m.range_rate[keep], m.tcpa_s[keep], m.miss_m[keep],
    )  # fmt: skip


def assess(
    picture: Picture,
    line: Line | None = None,
    table: Table = DEFAULT_TABLE,
    *,
    exhaustive: bool = False,
) -> Assessment:
    """Run the kernel over ``picture``. ``exhaustive`` computes every pair (the reference the
    spatial index is tested against); otherwise only the index's candidates."""
    geo = Geometry.of(picture)
    n = len(picture)
    i, j = all_pairs(n) if exhaustive else candidate_pairs(picture, geo, table)
    pm = pair_metrics(picture, geo, i, j)
    sev = pair_severity(table, pm, geo)
    keep = sev > 0
    lm: LineMetrics | None = None
    lsev = np.zeros(0, dtype=np.int8)
    if line is not None and n:
        reach = geo.speed_h * table.max_tau_s + table.max_dmod_m
        idx = np.arange(n, dtype=np.intp) if exhaustive else near_line(geo, line, reach)
        full = line_metrics(picture, geo, line, idx)
        lsev_all = line_severity(table, geo, full)
        lkeep = lsev_all > 0
        lm, lsev = _take_line(full, lkeep), lsev_all[lkeep]
    return Assessment(picture, _take_pairs(pm, keep), sev[keep], lm, lsev, len(i))
