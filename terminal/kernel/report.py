"""One alert's members and numbers, at the precision the wire carries them.

The co-processor quantises the picture to wire precision before it runs the kernel, so the
numbers it sends are exactly those the terminal recomputes from the positions in the message
(``measure``); any disagreement then means something is wrong, not rounding.
"""

from __future__ import annotations

from hashlib import blake2b

import numpy as np

from terminal.kernel.geodesy import F64, FT
from terminal.kernel.line import Line, line_metrics
from terminal.kernel.members import (  # re-exported: defined there, free of NumPy
    ALT_FT_RANGE as ALT_FT_RANGE,
)
from terminal.kernel.members import (
    DIST_MAX_M as DIST_MAX_M,
)
from terminal.kernel.members import (
    PAIR_ID_MAX as PAIR_ID_MAX,
)
from terminal.kernel.members import (
    SPEED_MAX as SPEED_MAX,
)
from terminal.kernel.members import (
    TCPA_MAX_S as TCPA_MAX_S,
)
from terminal.kernel.members import (
    TRACK_ID_MAX as TRACK_ID_MAX,
)
from terminal.kernel.members import (
    Kind as Kind,
)
from terminal.kernel.members import (
    Member as Member,
)
from terminal.kernel.members import (
    Separation as Separation,
)
from terminal.kernel.pairs import pair_metrics
from terminal.kernel.picture import Geometry, Picture


def pair_id(a: str, b: str) -> str:
    """The pair's id ``a/b``; shortened with a hash when longer than 32 characters."""
    text = f"{a}/{b}"
    if len(text) <= PAIR_ID_MAX:
        return text
    digest = blake2b(text.encode(), digest_size=4).hexdigest().upper()
    return f"{a[:11]}/{b[:11]}:{digest}"


def quantize(picture: Picture) -> Picture:
    """The picture at wire precision: 6 decimals of a degree, whole feet, 0.1 m/s; clamped to
    the wire's ranges."""
    lo, hi = ALT_FT_RANGE

    def speed(v: F64) -> F64:
        return np.asarray(np.round(np.clip(v, -SPEED_MAX, SPEED_MAX), 1), dtype=np.float64)

    return Picture(
        picture.ids,
        np.asarray(np.round(np.clip(picture.lat, -90.0, 90.0), 6), dtype=np.float64),
        np.asarray(np.round(np.clip(picture.lon, -180.0, 180.0), 6), dtype=np.float64),
        np.asarray(np.clip(np.round(picture.alt_ft), lo, hi), dtype=np.float64),
        speed(picture.vn),
        speed(picture.ve),
        speed(picture.vu),
    )


def member(picture: Picture, k: int) -> Member:
    """Track k of ``picture`` as a pair member."""
    return Member(
        picture.ids[k], float(picture.lat[k]), float(picture.lon[k]), float(picture.alt_ft[k]),
        float(picture.vn[k]), float(picture.ve[k]), float(picture.vu[k]),
    )  # fmt: skip


def separation(hsep_m: float, dz_m: float, tcpa_s: float, miss_m: float) -> Separation:
    """Numbers as the wire carries them (vertical in whole feet, time capped at a day)."""
    return Separation(
        min(float(hsep_m), DIST_MAX_M),
        float(round(abs(dz_m) / FT)),
        min(float(tcpa_s), TCPA_MAX_S),
        min(float(miss_m), DIST_MAX_M),
    )


def _two(a: Member, b: Member) -> Picture:
    ids = ("a", "b")
    return Picture.from_rows(
        [(ids[k], m.lat, m.lon, m.alt_ft, m.vn_ms, m.ve_ms, m.vu_ms) for k, m in enumerate((a, b))]
    )


def measure_pair(a: Member, b: Member) -> Separation:
    """The numbers of a TRACK alert, recomputed from its two members."""
    pic = _two(a, b)
    m = pair_metrics(pic, Geometry.of(pic), [0], [1])
    return separation(m.hsep_m[0], m.dz_m[0], m.tcpa_s[0], m.miss_m[0])


def measure_line(a: Member, line: Line) -> tuple[Separation, Member]:
    """The numbers of a LINE alert for track ``a``, and the line's closest point."""
    pic = Picture.from_rows([("a", a.lat, a.lon, a.alt_ft, a.vn_ms, a.ve_ms, a.vu_ms)])
    m = line_metrics(pic, Geometry.of(pic), line, np.array([0], dtype=np.intp))
    foot = Member(
        line.segment_id(int(m.segment[0])),
        round(float(m.foot_lat[0]), 6), round(float(m.foot_lon[0]), 6), 0.0, 0.0, 0.0, 0.0,
    )  # fmt: skip
    return separation(m.hsep_m[0], 0.0, m.tcpa_s[0], m.miss_m[0]), foot
