"""The air picture: every track's position and velocity at one instant, as arrays.

Units as on the wire: latitude and longitude in degrees (WGS-84), altitude in feet, velocity
north, east and up in metres per second. ``Geometry`` holds what the kernel derives once per
picture (ECEF positions on the ellipsoid, local axes, horizontal velocity in ECEF).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from terminal.kernel.geodesy import F64, FT, ecef, enu_axes


@dataclass(frozen=True, eq=False)
class Picture:
    """Tracks at one instant; all arrays have one entry per id."""

    ids: tuple[str, ...]
    lat: F64
    lon: F64
    alt_ft: F64
    vn: F64
    ve: F64
    vu: F64

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("lat", "lon", "alt_ft", "vn", "ve", "vu"):
            arr = getattr(self, name)
            if arr.shape != (n,):
                raise ValueError(f"{name} has shape {arr.shape}, expected ({n},)")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} holds a NaN or an infinity")
        if len(set(self.ids)) != n:
            raise ValueError("track ids must be unique")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, float, float, float, float, float, float]]
    ) -> Picture:
        """From (id, lat, lon, alt_ft, vn, ve, vu) rows."""
        items = list(rows)
        ids = tuple(r[0] for r in items)
        cols = np.array([r[1:] for r in items], dtype=np.float64).reshape(len(items), 6)
        return cls(ids, *(np.ascontiguousarray(cols[:, k]) for k in range(6)))

    @classmethod
    def empty(cls) -> Picture:
        """No tracks."""
        return cls.from_rows(())

    def take(self, index: Sequence[int] | F64) -> Picture:
        """The tracks at ``index``, in that order."""
        idx = np.asarray(index, dtype=np.intp)
        return Picture(
            tuple(self.ids[k] for k in idx),
            self.lat[idx], self.lon[idx], self.alt_ft[idx],
            self.vn[idx], self.ve[idx], self.vu[idx],
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Geometry:
    """Per-track quantities derived once per picture (all ECEF rows are (n, 3))."""

    surface: F64  # position on the ellipsoid (altitude 0), m
    east: F64
    north: F64
    up: F64  # ellipsoid normal (n-vector)
    vh: F64  # horizontal velocity, m/s
    alt_m: F64
    speed_h: F64  # horizontal speed, m/s

    @classmethod
    def of(cls, picture: Picture) -> Geometry:
        """The geometry of ``picture``."""
        east, north, up = enu_axes(picture.lat, picture.lon)
        vh = picture.vn[:, None] * north + picture.ve[:, None] * east
        return cls(
            surface=ecef(picture.lat, picture.lon).reshape(-1, 3),
            east=east.reshape(-1, 3),
            north=north.reshape(-1, 3),
            up=up.reshape(-1, 3),
            vh=vh.reshape(-1, 3),
            alt_m=picture.alt_ft * FT,
            speed_h=np.hypot(picture.vn, picture.ve),
        )
