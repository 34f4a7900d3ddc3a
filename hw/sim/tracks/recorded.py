"""A recorded track file, replayed: CSV (with a header) or JSON lines, one report per row.

Columns (JSON keys): ``t`` seconds from any origin, or ``time`` as an ISO 8601 UTC stamp; ``id``;
``lat``, ``lon`` (degrees); ``alt_ft``; and the velocity either as ``vn``, ``ve``, ``vu`` (m/s) or
as ``gs_kt``, ``track_deg``, ``vs_fpm`` (as ADS-B gives it). Missing velocity means at rest.

Replay time 0 is the earliest report. At time t each track is its latest report at or before t,
flown on to t; a track whose latest report is older than ``stale_s`` has gone.
"""

from __future__ import annotations

import bisect
import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from hw.sim.tracks.health import FeedHealth
from hw.sim.tracks.motion import extrapolate, track_id
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture

KT = 1852.0 / 3600.0
FPM = 0.3048 / 60.0
DEFAULT_STALE_S = 20.0


class TrackFileError(ValueError):
    """A track file that cannot be read: names the row and what is wrong."""


def _num(row: Mapping[str, Any], key: str, where: str) -> float:
    value = row.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TrackFileError(f"{where}: {key} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise TrackFileError(f"{where}: {key} must be finite, got {value!r}")
    return number


def _time(row: Mapping[str, Any], where: str) -> float:
    if row.get("t") not in (None, ""):
        return _num(row, "t", where)
    stamp = row.get("time")
    if not isinstance(stamp, str) or not stamp:
        raise TrackFileError(f"{where}: needs t (seconds) or time (ISO 8601 UTC)")
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise TrackFileError(f"{where}: time {stamp!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise TrackFileError(f"{where}: time {stamp!r} has no time zone (use Z)")
    return moment.timestamp()


def _velocity(row: Mapping[str, Any], where: str) -> tuple[float, float, float]:
    def has(key: str) -> bool:
        return row.get(key) not in (None, "")

    if has("vn") or has("ve"):
        vu = _num(row, "vu", where) if has("vu") else 0.0
        return _num(row, "vn", where), _num(row, "ve", where), vu
    if has("gs_kt"):
        gs, trk = _num(row, "gs_kt", where) * KT, math.radians(_num(row, "track_deg", where))
        vu = _num(row, "vs_fpm", where) * FPM if has("vs_fpm") else 0.0
        return gs * math.cos(trk), gs * math.sin(trk), vu
    return 0.0, 0.0, 0.0


Report = tuple[float, float, float, float, float, float, float]  # t lat lon alt vn ve vu


def parse_row(row: Mapping[str, Any], where: str) -> tuple[str, Report]:
    """One report: (id, (t, lat, lon, alt_ft, vn, ve, vu)); TrackFileError if malformed."""
    raw = row.get("id")
    if raw in (None, ""):
        raise TrackFileError(f"{where}: id is missing")
    lat, lon = _num(row, "lat", where), _num(row, "lon", where)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise TrackFileError(f"{where}: ({lat}, {lon}) is not a latitude and longitude")
    report = (_time(row, where), lat, lon, _num(row, "alt_ft", where), *_velocity(row, where))
    return track_id(str(raw)), report


def read_rows(path: Path) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(where, row) for every report in a CSV or JSON-lines file."""
    with path.open(encoding="utf-8", newline="") as f:
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            for n, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except ValueError as exc:
                        raise TrackFileError(f"{path.name}:{n}: not JSON ({exc})") from None
                    if not isinstance(obj, dict):
                        raise TrackFileError(f"{path.name}:{n}: not a JSON object")
                    yield f"{path.name}:{n}", obj
        else:
            for n, row in enumerate(csv.DictReader(f), start=2):
                yield f"{path.name}:{n}", row


@dataclass
class RecordedSource:
    """Tracks replayed from reports; build with `load` or from (id, report) pairs."""

    reports: list[tuple[str, Report]]
    stale_s: float = DEFAULT_STALE_S
    line: Line | None = None
    reboots: tuple[float, ...] = ()
    name: str = ""
    _tracks: dict[str, tuple[list[float], list[Report]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        t0 = min((r[0] for _, r in self.reports), default=0.0)
        by_id: dict[str, list[Report]] = {}
        for tid, r in self.reports:
            by_id.setdefault(tid, []).append((r[0] - t0, *r[1:]))
        self._tracks = {}
        for tid, rows in by_id.items():
            rows.sort(key=lambda r: r[0])
            self._tracks[tid] = ([r[0] for r in rows], rows)

    @classmethod
    def load(cls, path: Path, stale_s: float = DEFAULT_STALE_S) -> RecordedSource:
        """Read a CSV or JSONL file; TrackFileError naming the first bad row."""
        reports = [parse_row(row, where) for where, row in read_rows(path)]
        if not reports:
            raise TrackFileError(f"{path.name}: no reports")
        return cls(reports, stale_s, name=f"file:{path}")

    @property
    def duration_s(self) -> float:
        """Time of the last report, from the first."""
        return max((times[-1] for times, _ in self._tracks.values()), default=0.0)

    def health(self, now: float) -> FeedHealth:
        """A file is always healthy: connected, fresh; held: the tracks reporting at ``now``."""
        held = 0
        for times, _ in self._tracks.values():
            k = bisect.bisect_right(times, now) - 1
            held += k >= 0 and now - times[k] <= self.stale_s
        return FeedHealth(self.name or "file", "file", True, 0.0, 0.0, held, 0)

    def picture(self, t: float) -> Picture:
        """The tracks at replay time t."""
        ids: list[str] = []
        rows: list[Report] = []
        for tid, (times, reps) in self._tracks.items():
            k = bisect.bisect_right(times, t) - 1
            if k < 0 or t - times[k] > self.stale_s:
                continue
            ids.append(tid)
            rows.append(reps[k])
        if not rows:
            return Picture.empty()
        a = np.array(rows, dtype=np.float64)
        return extrapolate(tuple(ids), a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6],
                           t - a[:, 0])  # fmt: skip
