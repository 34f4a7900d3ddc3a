"""Named scenarios: simulated tracks at constant velocity, with turns, and their line.

Each flight is flown in the tangent plane at its start point (straight legs and constant-rate
turns, integrated exactly), then placed on the ellipsoid along the geodesic from the start; its
velocity turns with the geodesic. A scenario is pure: ``picture(t)`` for any t >= 0 (seconds
since it began). ``make(name)`` builds one; ``name:N`` sets its size where it has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hw.sim.tracks.health import FeedHealth
from hw.sim.tracks.motion import extrapolate, picture
from terminal.kernel.geodesy import F64, geodesic_direct_azimuth
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture


@dataclass(frozen=True, slots=True)
class Turn:
    """A constant-rate turn: from ``at_s`` for ``duration_s``, ``rate_deg_s`` (+ = right)."""

    at_s: float
    duration_s: float
    rate_deg_s: float


@dataclass(frozen=True, slots=True)
class Flight:
    """One simulated aircraft: where it starts and how it flies (speed m/s, heading deg)."""

    id: str
    lat: float
    lon: float
    alt_ft: float
    speed: float
    heading: float
    vs: float = 0.0  # climb rate, m/s
    turns: tuple[Turn, ...] = ()


Flown = tuple[float, float, float]


def _leg(de: float, dn: float, h: float, v: float, dt: float, rate: float) -> Flown:
    """Fly dt seconds from heading h (rad) at rate (rad/s): new (de, dn, h)."""
    if dt <= 0:
        return de, dn, h
    if rate == 0:
        return de + v * math.sin(h) * dt, dn + v * math.cos(h) * dt, h
    h2 = h + rate * dt
    return (
        de + v / rate * (math.cos(h) - math.cos(h2)),
        dn + v / rate * (math.sin(h2) - math.sin(h)),
        h2,
    )


def flown(f: Flight, t: float) -> Flown:
    """(east, north, heading rad) of a turning flight after t s, in its start's tangent plane."""
    de, dn, h, clock = 0.0, 0.0, math.radians(f.heading), 0.0
    for turn in sorted(f.turns, key=lambda x: x.at_s):
        if turn.at_s >= t:
            break
        de, dn, h = _leg(de, dn, h, f.speed, turn.at_s - clock, 0.0)
        span = min(turn.duration_s, t - turn.at_s)
        de, dn, h = _leg(de, dn, h, f.speed, span, math.radians(turn.rate_deg_s))
        clock = turn.at_s + span
    return _leg(de, dn, h, f.speed, t - clock, 0.0)


@dataclass
class Scenario:
    """Flights, the deconfliction line, and when the co-processor reboots (scenario seconds)."""

    name: str
    flights: tuple[Flight, ...]
    line: Line | None = None
    reboots: tuple[float, ...] = ()
    duration_s: float = 120.0
    description: str = ""
    _cols: dict[str, F64] = field(init=False, repr=False)
    _turning: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        fl = self.flights
        h = np.radians([f.heading for f in fl])
        v = np.array([f.speed for f in fl], dtype=np.float64)
        self._cols = {
            "lat": np.array([f.lat for f in fl], dtype=np.float64),
            "lon": np.array([f.lon for f in fl], dtype=np.float64),
            "alt": np.array([f.alt_ft for f in fl], dtype=np.float64),
            "vn": v * np.cos(h), "ve": v * np.sin(h),
            "vu": np.array([f.vs for f in fl], dtype=np.float64),
        }  # fmt: skip
        self._turning = [k for k, f in enumerate(fl) if f.turns]
        self.ids = tuple(f.id for f in fl)

    def health(self, now: float) -> FeedHealth:
        """A scenario is always healthy: connected, fresh, every flight held."""
        return FeedHealth(f"scenario:{self.name}", "scenario", True, 0.0, 0.0, len(self.flights), 0)

    def picture(self, t: float) -> Picture:
        """Every flight at scenario time t."""
        c = self._cols
        pic = extrapolate(self.ids, c["lat"], c["lon"], c["alt"], c["vn"], c["ve"], c["vu"], t)
        if not self._turning:
            return pic
        lat, lon, vn, ve = pic.lat.copy(), pic.lon.copy(), pic.vn.copy(), pic.ve.copy()
        k = np.array(self._turning, dtype=np.intp)
        de, dn, h = np.array([flown(self.flights[i], t) for i in self._turning]).T
        az1 = np.degrees(np.arctan2(de, dn))
        lat[k], lon[k], az2 = geodesic_direct_azimuth(
            c["lat"][k], c["lon"][k], az1, np.hypot(de, dn)
        )
        local = h + np.radians(az2 - az1)
        speed = np.hypot(c["vn"][k], c["ve"][k])
        vn[k], ve[k] = speed * np.cos(local), speed * np.sin(local)
        return picture(self.ids, lat, lon, pic.alt_ft, vn, ve, pic.vu)


def _toward(lat: float, lon: float, az: float, dist: float) -> tuple[float, float, float]:
    """The point ``dist`` m along ``az`` from (lat, lon), and the heading back from there."""
    la, lo, az2 = geodesic_direct_azimuth(lat, lon, az, dist)
    return float(la), float(lo), (float(az2) + 180.0) % 360.0


def head_on(_: int | None = None) -> Scenario:
    """Two aircraft at FL200 converging head-on at 230 m/s each, passing 150 m apart."""
    lat, lon, back = _toward(51.0, -0.3, 90.0, 40_000.0)
    blat, blon, _b = _toward(lat, lon, 0.0, 150.0)
    flights = (
        Flight("RAF101", 51.0, -0.3, 20000, 230.0, 90.0),
        Flight("4CA2F1", blat, blon, 20000, 230.0, back),
    )
    return Scenario("head-on", flights, duration_s=150.0, description=head_on.__doc__ or "")


def line_crossing(_: int | None = None) -> Scenario:
    """An aircraft flying east at 200 m/s crosses the deconfliction line after 150 s; another
    keeps clear of it."""
    line = Line("DL", ((49.5, 1.0), (51.0, 1.0), (52.5, 1.3)))
    west, wlon, _h = _toward(51.0, 1.0, 270.0, 30_000.0)
    far, flon, _h2 = _toward(50.5, 1.0, 270.0, 20_000.0)
    flights = (
        Flight("RAF201", west, wlon, 9000, 200.0, 90.0),
        Flight("RAF202", far, flon, 9000, 180.0, 270.0),
    )
    return Scenario("line-crossing", flights, line=line, duration_s=240.0,
                    description=line_crossing.__doc__ or "")  # fmt: skip


def crowded(n: int | None = None) -> Scenario:
    """Hundreds of aircraft (default 300) over 300 km x 300 km, on flight levels, some turning
    or climbing; a line across the middle."""
    count = n or 300
    rng = np.random.default_rng(7)
    flights = []
    for k in range(count):
        lat, lon, _ = _toward(52.0, 5.0, float(rng.uniform(0, 360)), float(rng.uniform(0, 150e3)))
        turns: tuple[Turn, ...] = ()
        if rng.random() < 0.3:
            turns = (Turn(float(rng.uniform(20, 200)), float(rng.uniform(10, 30)),
                          float(rng.choice([-3.0, 3.0]))),)  # fmt: skip
        vs = float(rng.uniform(-15, 15)) if rng.random() < 0.2 else 0.0
        flights.append(Flight(
            f"AC{k:04d}", lat, lon, float(rng.integers(5, 41) * 1000), float(rng.uniform(120, 260)),
            float(rng.uniform(0, 360)), vs, turns,
        ))  # fmt: skip
    line = Line("DL", ((50.8, 5.0), (53.2, 5.2)))
    return Scenario("crowded", tuple(flights), line=line, duration_s=600.0,
                    description=crowded.__doc__ or "")  # fmt: skip


def _pairs(n: int, gap_m: float, speed: float, alt_ft: float, prefix: str) -> tuple[Flight, ...]:
    """n pairs flying at each other ``gap_m`` apart, 100 m offset, on a 40 km grid; neighbouring
    pairs 4,000 ft apart, so a pair that has passed does not meet the next one."""
    side = math.ceil(math.sqrt(n))
    flights: list[Flight] = []
    for k in range(n):
        row, col = divmod(k, side)
        lat, lon, _ = _toward(-8.0, 0.0, 0.0, row * 40_000.0)
        lat, lon, _ = _toward(lat, lon, 90.0, col * 40_000.0)
        blat, blon, back = _toward(lat, lon, 90.0, gap_m)
        blat, blon, _ = _toward(blat, blon, 0.0, 100.0)
        alt = alt_ft + 4000.0 * ((row + col) % 2)
        flights.append(Flight(f"{prefix}{k:05d}A", lat, lon, alt, speed, 90.0))
        flights.append(Flight(f"{prefix}{k:05d}B", blat, blon, alt, speed, back))
    return tuple(flights)


def burst(n: int | None = None) -> Scenario:
    """A burst of alerts: n pairs (default 2000) already 12 s from collision, all CRITICAL in
    the first cycle; they pass and clear."""
    flights = _pairs(n or 2000, 6000.0, 250.0, 30000, "BU")
    return Scenario("burst", flights, duration_s=40.0, description=burst.__doc__ or "")


def reboot(n: int | None = None) -> Scenario:
    """n pairs (default 60) converging from 25 km (CPA at 54 s); the co-processor reboots at
    30 s, in the middle of their alerts, and comes back with a new boot id."""
    flights = _pairs(n or 60, 25_000.0, 230.0, 24000, "RB")
    return Scenario("reboot", flights, reboots=(30.0,), duration_s=90.0,
                    description=reboot.__doc__ or "")  # fmt: skip


SCENARIOS: dict[str, Callable[[int | None], Scenario]] = {
    "head-on": head_on,
    "line-crossing": line_crossing,
    "crowded": crowded,
    "burst": burst,
    "reboot": reboot,
}


def make(spec: str) -> Scenario:
    """The scenario ``name`` or ``name:N``; ValueError naming the known ones."""
    name, _, size = spec.partition(":")
    maker = SCENARIOS.get(name)
    if maker is None:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    if size and not (size.isdigit() and int(size) > 0):
        raise ValueError(f"scenario size must be a positive whole number, got {size!r}")
    return maker(int(size) if size else None)


__all__ = ["SCENARIOS", "Flight", "Scenario", "Turn", "flown", "make"]
