"""A live SBS-1 "BaseStation" feed: the CSV text lines dump1090 and readsb serve on TCP 30003.

`SbsSource` is pure: fed one line at a time with the time it arrived, it keeps each aircraft's
latest position (MSG,3: altitude, latitude, longitude) and velocity (MSG,4: ground speed in
knots, track, vertical rate in ft/min), and gives the picture at any time, each aircraft flown on
from its last position. Aircraft on the ground, without altitude, or not heard from for
``stale_s`` are left out. Tracks are named by their ICAO 24-bit address (hex ident).
`SbsClient` reads a feed over TCP on the loop, reconnecting with back-off.

Fields (0-based): 0 ``MSG``, 1 transmission type, 4 hex ident, 10 callsign, 11 altitude (ft),
12 ground speed (kt), 13 track (deg), 14 latitude, 15 longitude, 16 vertical rate (ft/min),
21 on ground (``-1`` or ``1`` true).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hw.sim.tracks.motion import extrapolate, track_id
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture

log = logging.getLogger(__name__)

KT = 1852.0 / 3600.0
FPM = 0.3048 / 60.0
DEFAULT_STALE_S = 30.0
SBS_FIELDS = 22


@dataclass
class _Aircraft:
    """What is known of one aircraft."""

    callsign: str = ""
    lat: float = math.nan
    lon: float = math.nan
    alt_ft: float = math.nan
    t_pos: float = -math.inf
    vn: float = 0.0
    ve: float = 0.0
    vu: float = 0.0
    on_ground: bool = False


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class SbsSource:
    """Aircraft from SBS-1 lines; ``picture(t)`` in the same time as the lines were fed."""

    def __init__(self, stale_s: float = DEFAULT_STALE_S, line: Line | None = None) -> None:
        self.stale_s = stale_s
        self.line = line
        self.reboots: tuple[float, ...] = ()
        self.stats: Counter[str] = Counter()
        self._aircraft: dict[str, _Aircraft] = {}

    def feed(self, text: str, t: float) -> bool:
        """One line of the feed, arrived at t; False (counted) if it is not understood."""
        self.stats["lines"] += 1
        f = text.strip().split(",")
        if len(f) < SBS_FIELDS - 4 or f[0] != "MSG" or not f[4].strip():
            self.stats["ignored"] += 1
            return False
        ac = self._aircraft.setdefault(track_id(f[4].strip().upper()), _Aircraft())
        if f[10].strip():
            ac.callsign = f[10].strip()
        if len(f) > 21 and f[21].strip() in ("-1", "1"):
            ac.on_ground = True
        elif len(f) > 21 and f[21].strip() == "0":
            ac.on_ground = False
        kind = f[1].strip()
        if kind == "3":
            return self._position(ac, f, t)
        if kind == "4":
            return self._velocity(ac, f)
        if kind in ("5", "7"):
            alt = _float(f[11])
            if alt is not None:
                ac.alt_ft = alt
        self.stats["other"] += 1
        return True

    def _position(self, ac: _Aircraft, f: list[str], t: float) -> bool:
        alt, lat, lon = _float(f[11]), _float(f[14]), _float(f[15])
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.stats["bad"] += 1
            return False
        ac.lat, ac.lon, ac.t_pos = lat, lon, t
        if alt is not None:
            ac.alt_ft = alt
        self.stats["positions"] += 1
        return True

    def _velocity(self, ac: _Aircraft, f: list[str]) -> bool:
        gs, trk = _float(f[12]), _float(f[13])
        if gs is None or trk is None:
            self.stats["bad"] += 1
            return False
        vr = _float(f[16])
        speed, heading = gs * KT, math.radians(trk)
        ac.vn, ac.ve = speed * math.cos(heading), speed * math.sin(heading)
        ac.vu = vr * FPM if vr is not None else 0.0
        self.stats["velocities"] += 1
        return True

    def __len__(self) -> int:
        return len(self._aircraft)

    def forget_stale(self, t: float) -> None:
        """Drop aircraft not positioned for ``stale_s`` (keeps the table small)."""
        gone = [k for k, a in self._aircraft.items() if t - a.t_pos > self.stale_s]
        for k in gone:
            del self._aircraft[k]

    def picture(self, t: float) -> Picture:
        """Airborne aircraft with a recent position and an altitude, flown on to t."""
        self.forget_stale(t)
        ids, rows = [], []
        for k, a in self._aircraft.items():
            if a.on_ground or math.isnan(a.alt_ft) or math.isnan(a.lat):
                continue
            ids.append(k)
            rows.append((a.lat, a.lon, a.alt_ft, a.vn, a.ve, a.vu, t - a.t_pos))
        if not rows:
            return Picture.empty()
        c = np.array(rows, dtype=np.float64)
        return extrapolate(tuple(ids), *(c[:, k] for k in range(7)))


class SbsClient:
    """Reads an SBS-1 feed from host:port into a source, reconnecting while running."""

    def __init__(
        self,
        host: str,
        port: int,
        source: SbsSource,
        clock: Callable[[], float],
        *,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.source = source
        self.clock = clock
        self.reconnect_min_s, self.reconnect_max_s = reconnect_min_s, reconnect_max_s
        self.connected = False
        self.connections = 0
        self.last_error = ""

    async def run(self) -> None:
        """Read until cancelled."""
        delay = self.reconnect_min_s
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                self.last_error = str(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.reconnect_max_s)
                continue
            self.connected, delay = True, self.reconnect_min_s
            self.connections += 1
            try:
                await self._read(reader)
            except (OSError, asyncio.IncompleteReadError) as exc:
                self.last_error = str(exc)
            finally:
                self.connected = False
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            await asyncio.sleep(delay)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            raw = await reader.readline()
            if not raw:
                return
            if len(raw) > 1024:
                continue  # not an SBS line
            self.source.feed(raw.decode("ascii", errors="replace"), self.clock())
