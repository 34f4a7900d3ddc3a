"""Distance from aircraft to the deconfliction line, and the time to reach it.

The line is a polyline of (lat, lon) points joined by geodesics. Each segment is densified along
its geodesic (Vincenty's direct formula) every ``DENSIFY_M`` at most; between those points the
great circle of the ellipsoid normals (n-vectors) stays within millimetres of the geodesic. For
each aircraft the (dense) segments are mapped to the gnomonic plane at the aircraft
(great circles become straight lines there), scaled by the local radii of curvature so that
short distances are true. In that plane: the closest point (the foot), whether and when the
aircraft's straight path crosses the line, and otherwise its closest approach. The reported
distance is the geodesic from the aircraft to the foot (Vincenty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from terminal.kernel.geodesy import (
    F64,
    WGS84_A,
    WGS84_E2,
    geodesic_inverse,
    nvector_latlon,
    unit,
)
from terminal.kernel.line_shape import (  # re-exported: defined there, free of NumPy
    DENSIFY_M as DENSIFY_M,
)
from terminal.kernel.line_shape import (
    Line as Line,
)
from terminal.kernel.picture import Geometry, Picture

_MIN_COS = 0.2  # segments more than ~78 degrees away are out of reach anyway
_EPS = 1e-12


@dataclass(frozen=True, eq=False)
class LineMetrics:
    """Each listed aircraft against the line."""

    i: NDArray[np.intp]  # track index
    segment: NDArray[np.intp]  # closest segment (0-based)
    foot_lat: F64
    foot_lon: F64
    hsep_m: F64  # geodesic distance to the foot
    range_rate: F64  # d(distance)/dt, negative while approaching
    tcpa_s: F64  # time to reach the line (miss 0), or to the closest approach
    miss_m: F64  # 0 if the path crosses the line, else the closest approach

    def __len__(self) -> int:
        return len(self.i)


def _radii(lat: F64) -> tuple[F64, F64]:
    """Meridional (M) and prime-vertical (N) radii of curvature, m."""
    s2 = np.sin(np.radians(lat)) ** 2
    w = np.sqrt(1.0 - WGS84_E2 * s2)
    return WGS84_A * (1 - WGS84_E2) / w**3, WGS84_A / w


def _cross2(ax: F64, ay: F64, bx: F64, by: F64) -> F64:
    return ax * by - ay * bx


def near_line(geo: Geometry, line: Line, reach_m: F64) -> NDArray[np.intp]:
    """Tracks that might be within ``reach_m`` (per track) of the line.

    Any point of the line is within half a piece of a dense point, and a chord is never longer
    than the geodesic, so a track whose chord to the nearest dense point exceeds its reach plus
    half the longest piece is out of reach."""
    if len(reach_m) == 0:
        return np.zeros(0, dtype=np.intp)
    tree, half = line.tree
    slack = half + 1.0
    dist, _ = tree.query(geo.surface, k=1, distance_upper_bound=float(reach_m.max()) + slack)
    return np.flatnonzero(dist <= reach_m + slack).astype(np.intp)


def line_metrics(picture: Picture, geo: Geometry, line: Line, idx: NDArray[np.intp]) -> LineMetrics:
    """Distance, foot, time to reach and miss for tracks ``idx`` against ``line``."""
    idx = np.asarray(idx, dtype=np.intp)
    nv, owner = line.dense
    u, e, n = geo.up[idx], geo.east[idx], geo.north[idx]  # (t, 3)
    rm, rn = _radii(picture.lat[idx])
    proj = nv @ u.T  # (m+1, t): cos of the angle to each point
    ok = proj > _MIN_COS
    scale = np.where(ok, proj, 1.0)
    g = nv[:, None, :] / scale[:, :, None] - u[None, :, :]  # gnomonic plane, (m+1, t, 3)
    x = np.einsum("ptk,tk->pt", g, e) * rn[None, :]
    y = np.einsum("ptk,tk->pt", g, n) * rm[None, :]
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]  # (m, t)
    valid = ok[:-1] & ok[1:]
    dx, dy = bx - ax, by - ay
    dd = np.maximum(dx * dx + dy * dy, _EPS)
    w = np.clip(-(ax * dx + ay * dy) / dd, 0.0, 1.0)
    fx, fy = ax + w * dx, ay + w * dy
    dist = np.where(valid, np.hypot(fx, fy), np.inf)
    seg = np.argmin(dist, axis=0)
    cols = np.arange(len(idx))
    fxs, fys, dmin = fx[seg, cols], fy[seg, cols], dist[seg, cols]
    vx, vy = picture.ve[idx], picture.vn[idx]
    # crossing of the straight path with each segment: t*v = A + w*(B - A)
    den = _cross2(vx[None, :], vy[None, :], dx, dy)
    has = valid & (np.abs(den) > _EPS)
    den_safe = np.where(has, den, 1.0)
    t_x = _cross2(ax, ay, dx, dy) / den_safe
    w_x = _cross2(ax, ay, vx[None, :], vy[None, :]) / den_safe
    crosses = has & (t_x >= 0) & (w_x >= -_EPS) & (w_x <= 1 + _EPS)
    t_cross = np.where(crosses, t_x, np.inf).min(axis=0)
    # otherwise the closest approach: at t=0 or to a vertex of the line (a point at rest)
    px, py = x, y  # vertices (m+1, t)
    vv = vx * vx + vy * vy
    moving = vv > _EPS
    along = (px * vx + py * vy) / np.where(moving, vv, 1.0)
    t_v = np.where(moving[None, :], np.maximum(0.0, along), 0.0)
    miss_v = np.where(ok, np.hypot(px - vx * t_v, py - vy * t_v), np.inf)
    k = np.argmin(miss_v, axis=0)
    best_v, best_t = miss_v[k, cols], t_v[k, cols]
    use_now = dmin <= best_v
    miss = np.where(use_now, dmin, best_v)
    tcpa = np.where(use_now, 0.0, best_t)
    crossing = np.isfinite(t_cross)
    miss = np.where(crossing, 0.0, miss)
    tcpa = np.where(crossing, t_cross, tcpa)
    rate = np.where(dmin > 0, -(fxs * vx + fys * vy) / np.where(dmin > 0, dmin, 1.0), 0.0)
    foot_n = unit(u + (fxs / rn)[:, None] * e + (fys / rm)[:, None] * n)
    flat, flon = nvector_latlon(foot_n)
    hsep = np.atleast_1d(geodesic_inverse(picture.lat[idx], picture.lon[idx], flat, flon))
    far = ~np.isfinite(dmin)
    hsep = np.where(far, np.inf, hsep)
    return LineMetrics(idx, owner[seg], flat, flon, hsep, rate, tcpa, miss)
