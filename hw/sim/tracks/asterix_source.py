"""Tracks from an ASTERIX feed: the table of what CAT062 and CAT021 records said, and its health.

`AsterixSource` is pure: given each datagram with the time it arrived (the co-processor's source
time, so ``--speed`` works as for the other sources), or what `decode` made of it, it keeps each
track's latest report and gives the picture at any time, each track flown on from its last
position. A terminated CAT062 track (I062/080 TSE) is dropped at once; a track not updated for
``coast_s`` is dropped; one without an altitude or on the ground is held but left out of the
picture. When a CAT062 system track and a CAT021 report carry the same target address, the system
track (which fused that ADS-B already) is the one shown.

Tracks are named as SBS-1 names aircraft, by their ICAO address in six hex digits, or ``TN`` and
the CAT062 track number when no address came; a track keeps the name it was first given.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, replace

import numpy as np

from hw.sim.tracks.asterix import Decoded, TrackReport, decode
from hw.sim.tracks.asterix_spec import DEFAULT_COAST_S
from hw.sim.tracks.health import FeedHealth
from hw.sim.tracks.motion import extrapolate
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture

RATE_WINDOW_S = 10.0


@dataclass(slots=True)
class _Track:
    name: str
    report: TrackReport
    t: float


class AsterixSource:
    """ASTERIX track reports as a track source; ``picture(t)`` in the time they were fed."""

    def __init__(
        self,
        *,
        cats: tuple[int, ...] = (62,),
        ref: tuple[float, float] | None = None,
        coast_s: float = DEFAULT_COAST_S,
        silence_s: float | None = None,
        name: str = "asterix",
        line: Line | None = None,
    ) -> None:
        if coast_s <= 0 or (silence_s is not None and silence_s <= 0):
            raise ValueError("coast_s and silence_s must be positive")
        self.cats, self.ref = cats, ref
        self.coast_s = coast_s
        self.silence_s = coast_s if silence_s is None else silence_s
        self.name = name
        self.line = line
        self.reboots: tuple[float, ...] = ()
        self.stats: Counter[str] = Counter()
        self.last_error = ""
        self._tracks: dict[str, _Track] = {}
        self._names: set[str] = set()
        self._heard: deque[tuple[float, int]] = deque()
        self._last_heard: float | None = None

    # --- input ---------------------------------------------------------------------------

    def feed(self, data: bytes, t: float) -> Decoded:
        """One datagram, arrived at t: decoded here and applied."""
        decoded = decode(data, self.cats, self.ref)
        self.apply(decoded, t)
        return decoded

    def apply(self, decoded: Decoded, t: float) -> None:
        """What one datagram (arrived at t) was decoded to."""
        self.stats["datagrams"] += 1
        self.stats["records"] += decoded.records
        self.stats["decode_errors"] += len(decoded.errors)
        self.stats["other_category"] += decoded.other_category
        self.stats["no_position"] += decoded.no_position
        if decoded.errors:
            self.last_error = decoded.errors[-1]
        self._last_heard = t
        self._heard.append((t, decoded.records))
        self._prune(t)
        for report in decoded.reports:
            self._take(report, t)

    def note_error(self, text: str) -> None:
        """An error of the receiver (bind, join, overload): kept for the health report."""
        self.last_error = text
        self.stats["receiver_errors"] += 1

    def _take(self, report: TrackReport, t: float) -> None:
        if report.terminated:
            self.stats["terminated"] += 1
            gone = self._tracks.pop(report.key, None)
            if gone is not None:
                self._names.discard(gone.name)
            return
        if report.coasted:
            self.stats["coasted"] += 1
        known = self._tracks.get(report.key)
        if known is None:
            self._tracks[report.key] = _Track(self._name_for(report), report, t)
        else:
            known.report, known.t = self._merged(known.report, report), t

    @staticmethod
    def _merged(old: TrackReport, new: TrackReport) -> TrackReport:
        """The new report, with what it left out taken from the old (a record need not repeat
        the callsign or the altitude every time)."""
        return replace(
            new,
            alt_ft=old.alt_ft if math.isnan(new.alt_ft) else new.alt_ft,
            vn=old.vn if math.isnan(new.vn) else new.vn,
            ve=old.ve if math.isnan(new.ve) else new.ve,
            address=old.address if new.address is None else new.address,
            callsign=new.callsign or old.callsign,
        )

    def _name_for(self, report: TrackReport) -> str:
        candidates = []
        if report.address is not None:
            candidates.append(f"{report.address:06X}")
        if report.track_number is not None:
            candidates.append(f"TN{report.track_number}")
        candidates.append(report.key.replace("/", "."))
        for name in candidates:
            if name not in self._names:
                self._names.add(name)
                return name
        n = 2
        while f"{candidates[-1]}.{n}" in self._names:
            n += 1
        self._names.add(f"{candidates[-1]}.{n}")
        return f"{candidates[-1]}.{n}"

    def _prune(self, now: float) -> None:
        while self._heard and self._heard[0][0] <= now - RATE_WINDOW_S:
            self._heard.popleft()

    # --- output --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._tracks)

    def forget_stale(self, t: float) -> None:
        """Drop tracks not updated for ``coast_s``."""
        gone = [k for k, tr in self._tracks.items() if t - tr.t > self.coast_s]
        for k in gone:
            self._names.discard(self._tracks.pop(k).name)
        self.stats["coasted_out"] += len(gone)

    def picture(self, t: float) -> Picture:
        """Airborne tracks with a position and an altitude, flown on to t."""
        self.forget_stale(t)
        system = {tr.report.address for tr in self._tracks.values() if tr.report.cat == 62}
        ids, rows = [], []
        for tr in self._tracks.values():
            r = tr.report
            if r.on_ground or math.isnan(r.alt_ft) or not r.has_position:
                continue
            if r.cat == 21 and r.address in system:
                continue
            vn = 0.0 if math.isnan(r.vn) else r.vn
            ve = 0.0 if math.isnan(r.ve) else r.ve
            ids.append(tr.name)
            rows.append((r.lat, r.lon, r.alt_ft, vn, ve, r.vu, t - tr.t))
        if not rows:
            return Picture.empty()
        c = np.array(rows, dtype=np.float64)
        return extrapolate(tuple(ids), *(c[:, k] for k in range(7)))

    def health(self, now: float) -> FeedHealth:
        """The feed's state at ``now`` (source time): connected while a datagram came within
        ``silence_s``; records per second over the last ten seconds."""
        self._prune(now)
        age = None if self._last_heard is None else max(0.0, now - self._last_heard)
        rate = 0.0
        if self._heard:
            span = min(RATE_WINDOW_S, max(1.0, now - self._heard[0][0]))
            rate = sum(n for _t, n in self._heard) / span
        return FeedHealth(
            name=self.name,
            kind="asterix",
            connected=age is not None and age <= self.silence_s,
            last_message_age_s=age,
            messages_per_s=rate,
            tracks_held=len(self._tracks),
            decode_errors=self.stats["decode_errors"],
            last_error=self.last_error,
        )


__all__ = ["RATE_WINDOW_S", "AsterixSource"]
