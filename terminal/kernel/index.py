"""Candidate pairs from a spatial index, so a cycle costs about n log n rather than n^2.

A pair can only meet a threshold if its geodesic range s satisfies s <= tau*|v_rel| + DMOD (from
modified tau <= tau, or s <= DMOD), and |v_rel| <= |v_i| + |v_j|. The straight chord between two
points on the ellipsoid is never longer than the geodesic, so a k-d tree (SciPy cKDTree) over ECEF
positions on the ellipsoid, asked for every pair within tau_max * 2 * v_max + DMOD_max, returns
a superset; each candidate is then held to its own bound with its own speeds, and to the vertical
bound |dz| <= ZTHR_max + tau_max * (|vu_i| + |vu_j|), before any exact computation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from terminal.kernel.picture import Geometry, Picture
from terminal.kernel.thresholds import Table

_SLACK_M = 1.0  # rounding margin on every bound


def search_radius(geo: Geometry, table: Table) -> float:
    """The tree's query radius: largest closure speed times the longest tau, plus DMOD."""
    vmax = float(geo.speed_h.max()) if len(geo.speed_h) else 0.0
    return 2.0 * vmax * table.max_tau_s + table.max_dmod_m + _SLACK_M


def candidate_pairs(
    picture: Picture, geo: Geometry, table: Table
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Index pairs (i < j) that might meet a threshold; every pair that does is among them."""
    n = len(picture)
    if n < 2:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    from scipy.spatial import cKDTree  # here: SciPy costs 0.6 s to import; the terminal
    # itself never builds an index, only the co-processor does

    tree = cKDTree(geo.surface, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(search_radius(geo, table), output_type="ndarray")
    i, j = pairs[:, 0].astype(np.intp), pairs[:, 1].astype(np.intp)
    tau = table.max_tau_s
    # vertical first: it rejects most, and gathers of 1-D arrays are cheap
    climb = np.abs(picture.vu)
    vbound = table.max_zthr_m + tau * (climb[i] + climb[j]) + _SLACK_M
    keep = np.abs(geo.alt_m[j] - geo.alt_m[i]) <= vbound
    i, j = i[keep], j[keep]
    sq = np.zeros(len(i))
    for k in range(3):
        col = geo.surface[:, k]
        sq += (col[j] - col[i]) ** 2
    bound = tau * (geo.speed_h[i] + geo.speed_h[j]) + table.max_dmod_m + _SLACK_M
    keep = sq <= bound * bound
    return i[keep], j[keep]


def all_pairs(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Every pair (i < j) of n tracks: the reference the index is checked against."""
    i, j = np.triu_indices(n, k=1)
    return i.astype(np.intp), j.astype(np.intp)
