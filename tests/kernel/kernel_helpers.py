"""Shared helpers for the kernel tests: pictures from headings, and brute-force oracles."""

from __future__ import annotations

import math

import numpy as np
from geographiclib.geodesic import Geodesic
from scipy.optimize import minimize_scalar

from terminal.kernel.picture import Picture

WGS84 = Geodesic.WGS84
Row = tuple[str, float, float, float, float, float, float]


def row(
    name: str, lat: float, lon: float, alt_ft: float, speed: float, heading: float, vu: float = 0.0
) -> Row:
    """A track row from ground speed (m/s) and true heading (deg)."""
    h = math.radians(heading)
    return (name, lat, lon, alt_ft, speed * math.cos(h), speed * math.sin(h), vu)


def offset(lat: float, lon: float, azimuth: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` m from (lat, lon) along ``azimuth`` (GeographicLib)."""
    end = WGS84.Direct(lat, lon, azimuth, distance)
    return float(end["lat2"]), float(end["lon2"])


def pair(
    lat: float, lon: float, *, range_m: float, bearing: float, alt_a: float = 20000.0,
    alt_b: float = 20000.0, va: tuple[float, float] = (0.0, 0.0),
    vb: tuple[float, float] = (0.0, 0.0), vu_a: float = 0.0, vu_b: float = 0.0,
) -> Picture:  # fmt: skip
    """Two tracks: A at (lat, lon), B ``range_m`` away on ``bearing``; v = (speed, heading)."""
    blat, blon = offset(lat, lon, bearing, range_m)
    return Picture.from_rows(
        [row("A", lat, lon, alt_a, *va, vu_a), row("B", blat, blon, alt_b, *vb, vu_b)]
    )


def _position(pic: Picture, k: int, t: float) -> tuple[float, float]:
    speed = math.hypot(pic.vn[k], pic.ve[k])
    heading = math.degrees(math.atan2(pic.ve[k], pic.vn[k]))
    return offset(float(pic.lat[k]), float(pic.lon[k]), heading, speed * t)


def flown_range(pic: Picture, t: float) -> float:
    """Range between tracks 0 and 1 after both fly t seconds along their geodesics."""
    a, b = _position(pic, 0, t), _position(pic, 1, t)
    return float(WGS84.Inverse(*a, *b)["s12"])


def brute_cpa(pic: Picture, horizon_s: float, step_s: float = 0.5) -> tuple[float, float]:
    """(time, range) of the closest approach of tracks 0 and 1 within the horizon: time-stepping
    with GeographicLib, then refined around the best step."""
    times = np.arange(0.0, horizon_s + step_s, step_s)
    ranges = np.array([flown_range(pic, t) for t in times])
    k = int(np.argmin(ranges))
    lo, hi = max(0.0, times[k] - step_s), min(horizon_s, times[k] + step_s)
    res = minimize_scalar(lambda t: flown_range(pic, t), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-4})  # fmt: skip
    if res.fun < ranges[k]:
        return float(res.x), float(res.fun)
    return float(times[k]), float(ranges[k])


def distance_to_geodesic(lat: float, lon: float, p1: tuple[float, float],
                         p2: tuple[float, float]) -> tuple[float, float]:  # fmt: skip
    """(distance, fraction along) from a point to the geodesic segment p1-p2 (GeographicLib)."""
    seg = WGS84.InverseLine(*p1, *p2)
    total = seg.s13

    def dist(f: float) -> float:
        pos = seg.Position(f * total)
        return float(WGS84.Inverse(lat, lon, pos["lat2"], pos["lon2"])["s12"])

    fs = np.linspace(0.0, 1.0, 61)
    ds = np.array([dist(f) for f in fs])
    k = int(np.argmin(ds))
    lo, hi = fs[max(k - 1, 0)], fs[min(k + 1, 60)]
    res = minimize_scalar(dist, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    if res.fun < ds[k]:
        return float(res.fun), float(res.x)
    return float(ds[k]), float(fs[k])
