"""A live SBS-1 "BaseStation" feed: the CSV text lines dump1090 and readsb serve on TCP 30003.

`SbsSource` is pure: fed one line at a time with the time it arrived, it keeps what is known of
each aircraft, every quantity with the time it was measured: position (MSG,3 latitude and
longitude), altitude (MSG,3, MSG,5 or MSG,7, in feet), velocity (MSG,4: ground speed in knots,
track, vertical rate in ft/min), callsign and the on-ground flag. The picture at any time flies
each aircraft on from its last position (horizontally) and from its last altitude (vertically).
Aircraft on the ground, without an altitude, or whose last position is older than ``coast_s``
are left out; an aircraft not heard at all for ``coast_s`` is forgotten. Tracks are named by their
ICAO 24-bit address (hex ident). An empty field means "not in this message": the value known
before stays (senders fill only the fields a message type carries).

`SbsClient` reads a feed over TCP on the loop, reconnecting with back-off. Any input leaves it
running: it reads chunks and splits the lines itself, so a line of any length (a port that is not
SBS) is counted and skipped; an unexpected error is logged and the connection made again. It
reports its `FeedHealth`.

Fields (0-based): 0 ``MSG``, 1 transmission type, 4 hex ident, 10 callsign, 11 altitude (ft),
12 ground speed (kt), 13 track (deg), 14 latitude, 15 longitude, 16 vertical rate (ft/min),
21 on ground (``-1`` or ``1`` true, ``0`` false, empty unchanged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hw.sim.tracks.health import FeedHealth
from hw.sim.tracks.motion import extrapolate, track_id
from hw.sim.tracks.rate import RateMeter
from terminal.kernel.geodesy import FT
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture

log = logging.getLogger(__name__)

KT = 1852.0 / 3600.0
FPM = 0.3048 / 60.0
DEFAULT_COAST_S = 30.0
SBS_FIELDS = 22
LINE_MAX = 1024
"""Longer lines are not SBS (a real one is under 200 characters): counted, skipped."""
CHUNK = 64 * 1024
"""Bytes asked of the socket at a time: lines are split by the reader itself."""
OTHER_TYPES = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
"""SBS message types that carry nothing for the picture: not used, not errors."""
DECODE_ERRORS = ("bad", "garbage", "too_long")
"""The `SbsSource.stats` keys that count lines that could not be read."""


@dataclass
class _Aircraft:
    """What is known of one aircraft, each quantity with the time it was measured."""

    t_heard: float
    callsign: str = ""
    lat: float = math.nan
    lon: float = math.nan
    t_pos: float = -math.inf
    alt_ft: float = math.nan
    t_alt: float = -math.inf
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

    def __init__(self, coast_s: float = DEFAULT_COAST_S, line: Line | None = None) -> None:
        if not (coast_s > 0 and math.isfinite(coast_s)):
            raise ValueError(f"coast_s must be a positive number of seconds, got {coast_s!r}")
        self.coast_s = coast_s
        self.line = line
        self.reboots: tuple[float, ...] = ()
        self.stats: Counter[str] = Counter()
        self.last_error = ""
        self._aircraft: dict[str, _Aircraft] = {}

    @property
    def decode_errors(self) -> int:
        """Lines that could not be read, since start."""
        return sum(self.stats[k] for k in DECODE_ERRORS)

    def count_error(self, key: str, what: str) -> None:
        """Count a line that could not be read (``key`` one of DECODE_ERRORS) and remember why."""
        self.stats[key] += 1
        self.last_error = what

    def feed(self, text: str, t: float) -> bool:
        """One line of the feed, arrived at t; False (counted) if it is not used."""
        self.stats["lines"] += 1
        f = text.strip().split(",")
        if f[0] in OTHER_TYPES:
            self.stats["other"] += 1
            return False
        if len(f) < SBS_FIELDS - 4 or f[0] != "MSG" or not f[4].strip():
            self.count_error("garbage", f"not an SBS line: {text.strip()[:40]!r}")
            return False
        tid = track_id(f[4].strip().upper())
        ac = self._aircraft.get(tid)
        if ac is None:
            ac = self._aircraft[tid] = _Aircraft(t)
        ac.t_heard = max(ac.t_heard, t)
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
            self._altitude(ac, f[11], t)
        self.stats["other"] += 1
        return True

    def _altitude(self, ac: _Aircraft, text: str, t: float) -> bool:
        alt = _float(text)
        if alt is None:
            return False
        ac.alt_ft, ac.t_alt = alt, t
        return True

    def _position(self, ac: _Aircraft, f: list[str], t: float) -> bool:
        if not f[14].strip() and not f[15].strip():  # altitude only: position not decoded yet
            if self._altitude(ac, f[11], t):
                self.stats["altitudes"] += 1
                return True
            self.count_error("bad", f"MSG,3 for {f[4].strip()} with neither position nor altitude")
            return False
        lat, lon = _float(f[14]), _float(f[15])
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.count_error("bad", f"MSG,3 for {f[4].strip()}: bad position {f[14]!r},{f[15]!r}")
            return False
        ac.lat, ac.lon, ac.t_pos = lat, lon, t
        self._altitude(ac, f[11], t)
        self.stats["positions"] += 1
        return True

    def _velocity(self, ac: _Aircraft, f: list[str]) -> bool:
        gs, trk = _float(f[12]), _float(f[13])
        if gs is None or trk is None:
            self.count_error("bad", f"MSG,4 for {f[4].strip()}: bad velocity {f[12]!r},{f[13]!r}")
            return False
        vr = _float(f[16])
        speed, heading = gs * KT, math.radians(trk)
        ac.vn, ac.ve = speed * math.cos(heading), speed * math.sin(heading)
        ac.vu = vr * FPM if vr is not None else 0.0
        self.stats["velocities"] += 1
        return True

    def __len__(self) -> int:
        return len(self._aircraft)

    def callsign(self, track: str) -> str:
        """The callsign heard for a track ("" if none or unknown)."""
        ac = self._aircraft.get(track)
        return ac.callsign if ac is not None else ""

    def forget_stale(self, t: float) -> None:
        """Drop aircraft not heard at all for ``coast_s`` (keeps the table small)."""
        gone = [k for k, a in self._aircraft.items() if t - a.t_heard > self.coast_s]
        for k in gone:
            del self._aircraft[k]

    def picture(self, t: float) -> Picture:
        """Airborne aircraft with an altitude and a position at most ``coast_s`` old, flown on
        to t: horizontally from the position's time, vertically from the altitude's."""
        self.forget_stale(t)
        ids, rows = [], []
        for k, a in self._aircraft.items():
            if a.on_ground or math.isnan(a.alt_ft) or math.isnan(a.lat):
                continue
            if t - a.t_pos > self.coast_s:
                continue
            # extrapolate() climbs from the position's time: start it where the measured
            # altitude, flown from its own time, puts it then
            alt = a.alt_ft + a.vu * (a.t_pos - a.t_alt) / FT
            ids.append(k)
            rows.append((a.lat, a.lon, alt, a.vn, a.ve, a.vu, t - a.t_pos))
        if not rows:
            return Picture.empty()
        c = np.array(rows, dtype=np.float64)
        return extrapolate(tuple(ids), *(c[:, k] for k in range(7)))


def connect_error(exc: OSError) -> str:
    """Why a connection failed, in words (``connection refused``, not ``Connect call failed``)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    if exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc) or type(exc).__name__


class SbsClient:
    """Reads an SBS-1 feed from host:port into a source, reconnecting while running.

    ``clock`` is the source's own clock (the co-processor's source time): lines are stamped with
    it, and `health` takes its ``now`` in it."""

    def __init__(
        self,
        host: str,
        port: int,
        source: SbsSource,
        clock: Callable[[], float],
        *,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 10.0,
        name: str = "",
        rate_window_s: float = 10.0,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.host, self.port = host, port
        self.name = name or f"sbs://{host}:{port}"
        self.source = source
        self.clock = clock
        self.reconnect_min_s, self.reconnect_max_s = reconnect_min_s, reconnect_max_s
        self.connect_timeout_s = connect_timeout_s
        self.connected = False
        self.connections = 0
        self.failures = 0
        self.last_error = ""
        self.last_message_t: float | None = None
        self.rate = RateMeter(rate_window_s)

    def health(self, now: float) -> FeedHealth:
        """The feed's state at source time ``now``."""
        age = None if self.last_message_t is None else max(0.0, now - self.last_message_t)
        error = self.source.last_error if self.connected else self.last_error
        return FeedHealth(
            self.name, "sbs", self.connected, age, self.rate.rate(now), len(self.source),
            self.source.decode_errors, error,
        )  # fmt: skip

    async def run(self) -> None:
        """Read until cancelled, whatever arrives."""
        delay = self.reconnect_min_s
        while True:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port, limit=CHUNK),
                    self.connect_timeout_s,
                )
            except OSError as exc:
                self._failed(connect_error(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.reconnect_max_s)
                continue
            self.connected, delay = True, self.reconnect_min_s
            self.connections += 1
            self.last_error = ""
            log.info("%s: connected", self.name)
            try:
                await self._read(reader)
                self._failed("the feed closed the connection")
            except (OSError, asyncio.IncompleteReadError) as exc:
                self._failed(f"connection lost: {exc}")
            except Exception as exc:  # never let the reader die: say it, connect again
                log.exception("%s: reader failed", self.name)
                self._failed(f"reader failed: {type(exc).__name__}: {exc}")
            finally:
                self.connected = False
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            await asyncio.sleep(delay)

    def _failed(self, why: str) -> None:
        """A connection failed or ended: counted, remembered, logged when the reason changes."""
        self.failures += 1
        if why != self.last_error:
            log.warning("%s: %s", self.name, why)
        self.last_error = why

    async def _read(self, reader: asyncio.StreamReader) -> None:
        """Read in chunks and split the lines here: no line, however long, can stop the reader
        (a line longer than LINE_MAX is counted once and dropped up to its end)."""
        pending = b""
        skipping = False  # inside a line already counted as too long: drop up to its end
        while True:
            chunk = await reader.read(CHUNK)
            if not chunk:
                return
            now = self.clock()
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            if skipping and lines:
                lines.pop(0)  # the end of the too-long line
                skipping = False
            if lines:
                self.last_message_t = now
                self.rate.note(now, len(lines))
            for raw in lines:
                if len(raw) > LINE_MAX:
                    self._too_long(f"a line of {len(raw)} bytes")
                    continue
                errors = self.source.decode_errors
                self.source.feed(raw.decode("ascii", errors="replace"), now)
                if self.source.decode_errors != errors:
                    self._say_decode_error()
            if len(pending) > LINE_MAX and not skipping:
                self.last_message_t = now
                self.rate.note(now)
                self._too_long(f"a line over {LINE_MAX} bytes")
                pending, skipping = b"", True
            elif skipping:
                pending = b""

    def _too_long(self, what: str) -> None:
        self.source.count_error("too_long", f"{what}: line too long, is this an SBS port?")
        self.last_error = self.source.last_error
        self._say_decode_error()

    def _say_decode_error(self) -> None:
        """Log the 1st, 10th, 100th, ... decode error (every one is counted)."""
        n = self.source.decode_errors
        if n > 0 and 10 ** round(math.log10(n)) == n:
            log.warning("%s: %s (%d decode errors so far)", self.name, self.source.last_error, n)
