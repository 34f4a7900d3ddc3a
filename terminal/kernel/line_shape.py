"""The deconfliction line as data: its id and points, with its densified geodesics computed (by
NumPy, imported then) on first use. Free of NumPy at import, so the desk can hold its line before
it loads the kernel (docs/performance.md, start-up)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from terminal.kernel.geodesy import F64

DENSIFY_M = 20_000.0
"""Longest piece of a densified segment, m."""


@dataclass(frozen=True)
class Line:
    """The deconfliction line: ``id`` and its points (lat, lon), at least two."""

    id: str
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError("a line needs at least two points")
        for lat, lon in self.points:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"point ({lat}, {lon}) is not a latitude/longitude")

    def segment_id(self, k: int) -> str:
        """The id of segment k (0-based): ``<id>-<k+1>``."""
        return f"{self.id}-{k + 1}"

    @cached_property
    def _densified(self) -> tuple[F64, F64, NDArray[np.intp], float]:
        """Dense points (lat, lon), the segment of each piece, and the longest piece (m)."""
        import numpy as np

        from terminal.kernel.geodesy import geodesic_direct, geodesic_inverse_azimuth

        lats: list[F64] = []
        lons: list[F64] = []
        owner: list[int] = []
        longest = 0.0
        for k, ((lat0, lon0), (lat1, lon1)) in enumerate(itertools.pairwise(self.points)):
            dist, az = geodesic_inverse_azimuth(lat0, lon0, lat1, lon1)
            n = max(1, math.ceil(float(dist) / DENSIFY_M))
            la, lo = geodesic_direct(lat0, lon0, az, np.arange(n) / n * float(dist))
            lats.append(np.atleast_1d(la))
            lons.append(np.atleast_1d(lo))
            owner += [k] * n
            longest = max(longest, float(dist) / n)
        lats.append(np.array([self.points[-1][0]]))
        lons.append(np.array([self.points[-1][1]]))
        return np.concatenate(lats), np.concatenate(lons), np.array(owner, np.intp), longest

    @property
    def dense(self) -> tuple[F64, NDArray[np.intp]]:
        """Points along the geodesics as n-vectors (p, 3), and for each dense piece (p - 1) the
        segment it belongs to."""
        return self._nvectors, self._densified[2]

    @cached_property
    def _nvectors(self) -> F64:
        from terminal.kernel.geodesy import enu_axes

        lat, lon, _, _ = self._densified
        return enu_axes(lat, lon)[2]

    @cached_property
    def tree(self) -> tuple[Any, float]:
        """A k-d tree over the dense points (ECEF on the ellipsoid), and half the longest piece."""
        from scipy.spatial import cKDTree  # here: SciPy is slow to import, the terminal needs none

        from terminal.kernel.geodesy import ecef

        lat, lon, _, longest = self._densified
        return cKDTree(ecef(lat, lon).reshape(-1, 3)), longest / 2.0
