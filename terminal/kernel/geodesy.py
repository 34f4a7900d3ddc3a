"""WGS-84 geodesy in NumPy: geodesic distance (Vincenty), ECEF positions and local axes.

Every function takes and returns arrays (scalars broadcast). Angles in degrees at the edges,
radians inside; lengths in metres. Pure: no I/O, no clock.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

WGS84_A = 6_378_137.0
"""Semi-major axis, m."""
WGS84_F = 1 / 298.257223563
"""Flattening."""
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)
"""First eccentricity squared."""
FT = 0.3048
"""Metres per foot."""
NM = 1852.0
"""Metres per nautical mile."""

_VINCENTY_TOL = 1e-12
_VINCENTY_MAX_ITER = 60


def _f64(x: ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def wrap180(lon: ArrayLike) -> F64:
    """Longitudes into [-180, 180)."""
    return (_f64(lon) + 180.0) % 360.0 - 180.0


def _terms(lam: F64, su1: F64, cu1: F64, su2: F64, cu2: F64) -> tuple[F64, ...]:
    """Vincenty's auxiliary-sphere terms for longitude difference ``lam``."""
    sl, cl = np.sin(lam), np.cos(lam)
    sin_sigma = np.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
    cos_sigma = su1 * su2 + cu1 * cu2 * cl
    sigma = np.arctan2(sin_sigma, cos_sigma)
    safe = np.where(sin_sigma == 0.0, 1.0, sin_sigma)
    sin_alpha = np.where(sin_sigma == 0.0, 0.0, cu1 * cu2 * sl / safe)
    cos2_alpha = 1.0 - sin_alpha**2
    safe_c2a = np.where(cos2_alpha == 0.0, 1.0, cos2_alpha)
    cos_2sm = np.where(cos2_alpha == 0.0, 0.0, cos_sigma - 2.0 * su1 * su2 / safe_c2a)
    return sin_sigma, cos_sigma, sigma, sin_alpha, cos2_alpha, cos_2sm


def geodesic_inverse(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> F64:
    """Geodesic distance on WGS-84 in metres (Vincenty's inverse, vectorised).

    Sub-millimetre for the distances the desk cares about; not meant for nearly antipodal points
    (where Vincenty converges slowly: the result is then the best iterate, within metres).
    """
    return geodesic_inverse_azimuth(lat1, lon1, lat2, lon2)[0]


def geodesic_inverse_azimuth(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[F64, F64]:
    """Geodesic distance (m) and the azimuth at the first point (degrees from north)."""
    phi1, phi2 = np.radians(_f64(lat1)), np.radians(_f64(lat2))
    big_l = np.radians(wrap180(_f64(lon2) - _f64(lon1)))
    f = WGS84_F
    u1 = np.arctan2((1 - f) * np.sin(phi1), np.cos(phi1))
    u2 = np.arctan2((1 - f) * np.sin(phi2), np.cos(phi2))
    su1, cu1, su2, cu2 = np.sin(u1), np.cos(u1), np.sin(u2), np.cos(u2)
    shape = np.broadcast(big_l, su1, su2).shape
    big_l = np.broadcast_to(big_l, shape)
    lam = big_l.copy()
    for _ in range(_VINCENTY_MAX_ITER):
        sin_sigma, cos_sigma, sigma, sin_alpha, cos2_alpha, cos_2sm = _terms(
            lam, su1, cu1, su2, cu2
        )
        c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha))
        lam_new = big_l + (1.0 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm**2))
        )
        done = bool(np.all(np.abs(lam_new - lam) <= _VINCENTY_TOL))
        lam = lam_new
        if done:
            break
    sin_sigma, cos_sigma, sigma, _, cos2_alpha, cos_2sm = _terms(lam, su1, cu1, su2, cu2)
    big_a, big_b = _ab(cos2_alpha)
    delta_sigma = _delta_sigma(big_b, sin_sigma, cos_sigma, cos_2sm)
    dist = np.asarray(WGS84_B * big_a * (sigma - delta_sigma), dtype=np.float64)
    az = np.degrees(np.arctan2(cu2 * np.sin(lam), cu1 * su2 - su1 * cu2 * np.cos(lam)))
    return dist, np.asarray(az, dtype=np.float64)


def _ab(cos2_alpha: F64) -> tuple[F64, F64]:
    usq = cos2_alpha * (WGS84_A**2 - WGS84_B**2) / WGS84_B**2
    big_a = 1.0 + usq / 16384.0 * (4096.0 + usq * (-768.0 + usq * (320.0 - 175.0 * usq)))
    big_b = usq / 1024.0 * (256.0 + usq * (-128.0 + usq * (74.0 - 47.0 * usq)))
    return big_a, big_b


def _delta_sigma(big_b: F64, sin_sigma: F64, cos_sigma: F64, cos_2sm: F64) -> F64:
    c2 = cos_2sm**2
    inner = cos_sigma * (-1.0 + 2.0 * c2) - big_b / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma**2) * (
        -3.0 + 4.0 * c2
    )
    return np.asarray(big_b * sin_sigma * (cos_2sm + big_b / 4.0 * inner), dtype=np.float64)


def geodesic_direct(
    lat1: ArrayLike, lon1: ArrayLike, azimuth: ArrayLike, distance: ArrayLike
) -> tuple[F64, F64]:
    """The point ``distance`` m from (lat1, lon1) along the geodesic leaving at ``azimuth``
    (degrees from north): Vincenty's direct formula, vectorised. Returns (lat, lon) degrees."""
    lat, lon, _ = geodesic_direct_azimuth(lat1, lon1, azimuth, distance)
    return lat, lon


def geodesic_direct_azimuth(
    lat1: ArrayLike, lon1: ArrayLike, azimuth: ArrayLike, distance: ArrayLike
) -> tuple[F64, F64, F64]:
    """As `geodesic_direct`, with the geodesic's azimuth at the end point (degrees)."""
    f = WGS84_F
    phi1 = np.radians(_f64(lat1))
    a1 = np.radians(_f64(azimuth))
    s = _f64(distance)
    u1 = np.arctan2((1 - f) * np.sin(phi1), np.cos(phi1))
    su1, cu1 = np.sin(u1), np.cos(u1)
    sa1, ca1 = np.sin(a1), np.cos(a1)
    sigma1 = np.arctan2(np.tan(u1), ca1)
    sin_alpha = cu1 * sa1
    cos2_alpha = 1.0 - sin_alpha**2
    big_a, big_b = _ab(cos2_alpha)
    sigma0 = s / (WGS84_B * big_a)
    sigma = sigma0
    for _ in range(_VINCENTY_MAX_ITER):
        cos_2sm = np.cos(2.0 * sigma1 + sigma)
        new = sigma0 + _delta_sigma(big_b, np.sin(sigma), np.cos(sigma), cos_2sm)
        done = bool(np.all(np.abs(new - sigma) <= _VINCENTY_TOL))
        sigma = new
        if done:
            break
    ss, cs = np.sin(sigma), np.cos(sigma)
    cos_2sm = np.cos(2.0 * sigma1 + sigma)
    phi2 = np.arctan2(
        su1 * cs + cu1 * ss * ca1, (1 - f) * np.hypot(sin_alpha, su1 * ss - cu1 * cs * ca1)
    )
    lam = np.arctan2(ss * sa1, cu1 * cs - su1 * ss * ca1)
    c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha))
    big_l = lam - (1.0 - c) * f * sin_alpha * (
        sigma + c * ss * (cos_2sm + c * cs * (-1.0 + 2.0 * cos_2sm**2))
    )
    azi2 = np.degrees(np.arctan2(sin_alpha, -su1 * ss + cu1 * cs * ca1))
    return np.degrees(phi2), wrap180(_f64(lon1) + np.degrees(big_l)), azi2


def ecef(lat: ArrayLike, lon: ArrayLike, alt_m: ArrayLike = 0.0) -> F64:
    """Earth-centred, Earth-fixed coordinates (..., 3) in metres."""
    phi, lam = np.radians(_f64(lat)), np.radians(_f64(lon))
    h = _f64(alt_m)
    sp, cp = np.sin(phi), np.cos(phi)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * sp**2)
    x = (n + h) * cp * np.cos(lam)
    y = (n + h) * cp * np.sin(lam)
    z = (n * (1.0 - WGS84_E2) + h) * sp
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def enu_axes(lat: ArrayLike, lon: ArrayLike) -> tuple[F64, F64, F64]:
    """Unit vectors east, north and up (the ellipsoid normal) in ECEF, each (..., 3)."""
    phi, lam = np.radians(_f64(lat)), np.radians(_f64(lon))
    sp, cp, sl, cl = np.sin(phi), np.cos(phi), np.sin(lam), np.cos(lam)
    zero = np.zeros_like(sp * sl)
    east = np.stack(np.broadcast_arrays(-sl, cl, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sp * cl, -sp * sl, cp), axis=-1)
    up = np.stack(np.broadcast_arrays(cp * cl, cp * sl, sp), axis=-1)
    return east, north, up


def nvector_latlon(n: ArrayLike) -> tuple[F64, F64]:
    """Geodetic latitude and longitude (degrees) of ellipsoid normals (n-vectors), (..., 3)."""
    v = _f64(n)
    lat = np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    return lat, lon


def dot(a: F64, b: F64) -> F64:
    """Row-wise dot product of (..., 3) arrays."""
    return np.asarray(np.einsum("...i,...i->...", a, b), dtype=np.float64)


def unit(v: F64) -> F64:
    """Row-wise normalised vectors (zero rows stay zero)."""
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(np.divide(v, norm, out=np.zeros_like(v), where=norm > 0), dtype=np.float64)
