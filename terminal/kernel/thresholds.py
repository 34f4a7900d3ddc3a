"""Alert thresholds by altitude band: the TCAS II (version 7.1) sensitivity-level table.

Three severities are modelled on TCAS: ADVISORY uses the traffic-advisory (TA) thresholds,
WARNING the resolution-advisory (RA) thresholds, and CRITICAL is an RA whose predicted miss at the
closest point of approach is inside DMOD(RA) horizontally and ALIM vertically (a collision course,
not just a fast pass). A pair is judged with the band of its higher aircraft (the larger
thresholds); the line with the band of the aircraft.

Deviations from TCAS, on purpose: altitudes are pressure altitudes (there is no radio altimeter on
the ground), so "1000 ft AGL" bands are read as altitude; and SL2 (below 1000 ft), where TCAS only
gives TAs, uses the SL3 RA values so the desk still warns low down.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from terminal.kernel.geodesy import FT, NM

ADVISORY = 1
WARNING = 2
CRITICAL = 3
SEVERITY_NAMES = {ADVISORY: "advisory", WARNING: "warning", CRITICAL: "critical"}
"""Severity codes (0 = no alert) and their names, least to most urgent."""


@dataclass(frozen=True, slots=True)
class Band:
    """One sensitivity level: from ``floor_ft`` up to the next band's floor."""

    level: int
    floor_ft: float
    ta_tau_s: float
    ta_dmod_nm: float
    ta_zthr_ft: float
    ra_tau_s: float
    ra_dmod_nm: float
    ra_zthr_ft: float
    alim_ft: float


TCAS_II_TABLE: tuple[Band, ...] = (
    # level floor   TA: tau DMOD  ZTHR  RA: tau DMOD  ZTHR  ALIM
    Band(2, -1e9, 20, 0.30, 850, 15, 0.20, 600, 300),  # < 1000 ft: TCAS TA only; SL3 RA here
    Band(3, 1000, 25, 0.33, 850, 15, 0.20, 600, 300),
    Band(4, 2350, 30, 0.48, 850, 20, 0.35, 600, 300),
    Band(5, 5000, 40, 0.75, 850, 25, 0.55, 600, 350),
    Band(6, 10000, 45, 1.00, 850, 30, 0.80, 600, 400),
    Band(7, 20000, 48, 1.30, 850, 35, 1.10, 700, 600),
    Band(7, 42000, 48, 1.30, 1200, 35, 1.10, 800, 700),
)
"""TCAS II v7.1 sensitivity levels: tau in s, DMOD in NM, ZTHR and ALIM in ft."""


@dataclass(frozen=True)
class Table:
    """A threshold table as arrays (SI units) for vectorised lookup; build with ``from_bands``."""

    floors_m: NDArray[np.float64]
    tau_s: NDArray[np.float64]  # (bands, 2): TA, RA
    dmod_m: NDArray[np.float64]  # (bands, 2)
    zthr_m: NDArray[np.float64]  # (bands, 2)
    alim_m: NDArray[np.float64]  # (bands,)

    @classmethod
    def from_bands(cls, bands: tuple[Band, ...] = TCAS_II_TABLE) -> Table:
        """The table for ``bands`` (sorted by floor)."""
        if not bands or any(b.floor_ft >= c.floor_ft for b, c in itertools.pairwise(bands)):
            raise ValueError("bands must be non-empty with strictly increasing floors")
        return cls(
            floors_m=np.array([b.floor_ft * FT for b in bands]),
            tau_s=np.array([[b.ta_tau_s, b.ra_tau_s] for b in bands], dtype=np.float64),
            dmod_m=np.array([[b.ta_dmod_nm * NM, b.ra_dmod_nm * NM] for b in bands]),
            zthr_m=np.array([[b.ta_zthr_ft * FT, b.ra_zthr_ft * FT] for b in bands]),
            alim_m=np.array([b.alim_ft * FT for b in bands]),
        )

    def band(self, alt_m: ArrayLike) -> NDArray[np.intp]:
        """Band index for each altitude (m)."""
        idx = np.searchsorted(self.floors_m, np.asarray(alt_m, dtype=np.float64), side="right")
        return np.asarray(np.maximum(idx - 1, 0), dtype=np.intp)

    @property
    def max_tau_s(self) -> float:
        """The longest tau of any band and level."""
        return float(self.tau_s.max())

    @property
    def max_dmod_m(self) -> float:
        """The largest DMOD of any band and level."""
        return float(self.dmod_m.max())

    @property
    def max_zthr_m(self) -> float:
        """The largest ZTHR of any band and level."""
        return float(self.zthr_m.max())


DEFAULT_TABLE = Table.from_bands()
"""The TCAS II table, the default until the configuration says otherwise."""
