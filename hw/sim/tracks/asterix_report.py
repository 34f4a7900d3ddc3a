"""What an ASTERIX record gives (`hw.sim.tracks.asterix`): a track report, what a datagram gave,
and the units and the tracker's plane they are given in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from terminal.kernel.geodesy import geodesic_direct_azimuth

FT = 0.3048
NM = 1852.0
FPM = FT / 60.0
WGS84_A = 6_378_137.0
WGS84_E2 = 6.694_379_990_14e-3


@dataclass(frozen=True, slots=True)
class TrackReport:
    """One record's worth of a track: NaN where the record did not say."""

    cat: int
    key: str
    """The track's identity in the source: ``62/SAC/SIC/TN`` or ``21/ADDRESS``."""
    address: int | None
    callsign: str
    track_number: int | None
    lat: float
    lon: float
    alt_ft: float
    vn: float
    ve: float
    vu: float
    coasted: bool = False
    terminated: bool = False
    on_ground: bool = False

    @property
    def has_position(self) -> bool:
        return not (math.isnan(self.lat) or math.isnan(self.lon))


@dataclass(slots=True)
class Decoded:
    """What one datagram gave."""

    reports: list[TrackReport] = field(default_factory=list)
    records: int = 0
    errors: list[str] = field(default_factory=list)
    other_category: int = 0
    no_position: int = 0
    """Records with no position (and no terminated status to act on): counted, skipped."""


def stereographic_to_wgs84(
    x: float, y: float, ref: tuple[float, float]
) -> tuple[float, float]:
    """Cartesian (x east, y north, metres) in a tracker's stereographic plane at ``ref`` to
    latitude and longitude: the plane distance brought back onto the conformal sphere of radius
    sqrt(M N) at the reference latitude, then along the geodesic at the plane's bearing."""
    phi = math.radians(ref[0])
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    radius = WGS84_A * math.sqrt(1.0 - WGS84_E2) / w
    rho = math.hypot(x, y)
    distance = 2.0 * radius * math.atan(rho / (2.0 * radius))
    bearing = math.degrees(math.atan2(x, y))
    lat, lon, _az = geodesic_direct_azimuth(ref[0], ref[1], bearing, distance)
    return float(lat), float(lon)


__all__ = ["FPM", "FT", "NM", "Decoded", "TrackReport", "stereographic_to_wgs84"]
