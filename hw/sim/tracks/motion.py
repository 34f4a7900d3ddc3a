"""Moving tracks forward: dead reckoning along geodesics, and ids the wire accepts."""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike

from terminal.kernel.geodesy import F64, FT, geodesic_direct_azimuth
from terminal.kernel.picture import Picture

_BAD_ID = re.compile(r"[^A-Za-z0-9._:/-]")
ID_MAX = 24
ALT_FT_MIN, ALT_FT_MAX = -2000.0, 99_999.0
SPEED_MAX = 1999.0


def track_id(text: str) -> str:
    """``text`` as a wire identifier: disallowed characters become ``_``, at most 24 long."""
    cleaned = _BAD_ID.sub("_", text.strip())[:ID_MAX]
    return cleaned or "_"


def extrapolate(
    ids: tuple[str, ...],
    lat: ArrayLike,
    lon: ArrayLike,
    alt_ft: ArrayLike,
    vn: ArrayLike,
    ve: ArrayLike,
    vu: ArrayLike,
    dt: ArrayLike,
) -> Picture:
    """Tracks flown ``dt`` seconds ahead along their geodesics at constant speed and climb rate;
    the velocity turns with the geodesic (its heading at the new place)."""
    la, lo = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    n, e, u = (np.asarray(x, np.float64) for x in (vn, ve, vu))
    t = np.broadcast_to(np.asarray(dt, np.float64), la.shape)
    speed = np.hypot(n, e)
    heading = np.degrees(np.arctan2(e, n))
    lat2, lon2, azi2 = geodesic_direct_azimuth(la, lo, heading, speed * t)
    rad = np.radians(azi2)
    return picture(
        ids, np.atleast_1d(lat2), np.atleast_1d(lon2),
        np.asarray(alt_ft, np.float64) + u * t / FT,
        np.atleast_1d(speed * np.cos(rad)), np.atleast_1d(speed * np.sin(rad)), u,
    )  # fmt: skip


def picture(
    ids: tuple[str, ...], lat: F64, lon: F64, alt_ft: F64, vn: F64, ve: F64, vu: F64
) -> Picture:
    """A picture from arrays, held to the wire's ranges (latitude, altitude, speed)."""

    def clip(x: ArrayLike, lo: float, hi: float) -> F64:
        return np.ascontiguousarray(np.clip(np.asarray(x, np.float64), lo, hi))

    return Picture(
        ids, clip(lat, -90.0, 90.0), clip(lon, -180.0, 180.0),
        clip(alt_ft, ALT_FT_MIN, ALT_FT_MAX), clip(vn, -SPEED_MAX, SPEED_MAX),
        clip(ve, -SPEED_MAX, SPEED_MAX), clip(vu, -SPEED_MAX, SPEED_MAX),
    )  # fmt: skip
