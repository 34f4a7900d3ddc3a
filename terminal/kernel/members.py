"""An alert's members and numbers as plain data, free of NumPy at import (the desk's alert book
holds them before the kernel is loaded: docs/performance.md, start-up)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["TRACK", "LINE"]

PAIR_ID_MAX = 32
TRACK_ID_MAX = 24
ALT_FT_RANGE = (-2000, 99_999)
SPEED_MAX = 2000.0
TCPA_MAX_S = 86_400.0
DIST_MAX_M = 1_000_000.0


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a pair: a track, or the line's closest point (altitude 0, at rest)."""

    id: str
    lat: float
    lon: float
    alt_ft: float
    vn_ms: float
    ve_ms: float
    vu_ms: float


@dataclass(frozen=True, slots=True)
class Separation:
    """An alert's numbers: horizontal separation now (m), vertical separation now (ft), time to
    CPA (s) and horizontal miss distance there (m)."""

    hsep_m: float
    vsep_ft: float
    tcpa_s: float
    miss_m: float
