"""A CAT062 or CAT021 record's items to a track report (`hw.sim.tracks.asterix`).

Compiled with mypyc at `make setup`, with the reader (`hw.sim.tracks.asterix_lib`); the same
mapping reads the quick reader's records (`asterix_read.Found`) and those of libasterix's full
parse, so the two can be compared (tests/coproc/test_asterix_decode.py).
"""

from __future__ import annotations

import math
from typing import Protocol

from hw.sim.tracks.asterix_report import FPM, NM, Decoded, TrackReport, stereographic_to_wgs84


class Items(Protocol):
    """A record's items read, by item name (``380.ADR``: a subitem of a compound item) and
    subitem; a quantity in the unit libasterix's edition gives it."""

    def has(self, name: str) -> bool: ...

    def uint(self, name: str, sub: str | None = None) -> int | None: ...

    def quantity(self, name: str, sub: str | None, unit: str) -> float: ...

    def text(self, name: str) -> str: ...


def record062(rec: Items, ref: tuple[float, float] | None, out: Decoded) -> None:
    sac, sic = (rec.uint("010", "SAC"), rec.uint("010", "SIC")) if rec.has("010") else (0, 0)
    tn = rec.uint("040")
    address = rec.uint("380.ADR")
    callsign = rec.text("380.ID")
    terminated = rec.uint("080", "TSE") == 1
    coasted = rec.uint("080", "CST") == 1
    lat = lon = math.nan
    if rec.has("105"):
        lat, lon = rec.quantity("105", "LAT", "°"), rec.quantity("105", "LON", "°")
    elif ref is not None and rec.has("100"):
        x, y = rec.quantity("100", "X", "m"), rec.quantity("100", "Y", "m")
        lat, lon = stereographic_to_wgs84(x, y, ref)
    alt = math.nan
    if rec.has("136"):
        alt = rec.quantity("136", None, "FL") * 100.0
    elif rec.has("130"):
        alt = rec.quantity("130", None, "ft")
    vn = ve = math.nan
    if rec.has("185"):
        ve, vn = rec.quantity("185", "VX", "m/s"), rec.quantity("185", "VY", "m/s")
    vu = rec.quantity("220", None, "ft/min") * FPM if rec.has("220") else 0.0
    if tn is None and address is None:
        out.errors.append("CAT062 record with neither track number (I062/040) nor address")
        return
    key = f"62/{sac}/{sic}/{tn}" if tn is not None else f"62/{sac}/{sic}/A{address:06X}"
    report = TrackReport(62, key, address, callsign, tn, lat, lon, alt, vn, ve, vu,
                         coasted=coasted, terminated=terminated)  # fmt: skip
    if not report.has_position and not terminated:
        out.no_position += 1
        return
    out.reports.append(report)


def record021(rec: Items, out: Decoded) -> None:
    address = rec.uint("080")
    if address is None:
        out.errors.append("CAT021 report without a target address (I021/080)")
        return
    lat = lon = math.nan
    if rec.has("131"):
        lat, lon = rec.quantity("131", "LAT", "°"), rec.quantity("131", "LON", "°")
    elif rec.has("130"):
        lat, lon = rec.quantity("130", "LAT", "°"), rec.quantity("130", "LON", "°")
    if math.isnan(lat):
        out.no_position += 1
        return
    alt = math.nan
    if rec.has("145"):
        alt = rec.quantity("145", None, "FL") * 100.0
    elif rec.has("140"):
        alt = rec.quantity("140", None, "ft")
    vn = ve = math.nan
    if rec.has("160"):
        speed = rec.quantity("160", "GS", "NM/s") * NM
        angle = math.radians(rec.quantity("160", "TA", "°"))
        vn, ve = speed * math.cos(angle), speed * math.sin(angle)
    vu = 0.0
    if rec.has("155"):
        vu = rec.quantity("155", "BVR", "ft/min") * FPM
    elif rec.has("157"):
        vu = rec.quantity("157", "GVR", "ft/min") * FPM
    on_ground = rec.uint("040", "GBS") == 1
    out.reports.append(
        TrackReport(21, f"21/{address:06X}", address, rec.text("170"), None,
                    lat, lon, alt, vn, ve, vu, on_ground=on_ground)
    )  # fmt: skip


__all__ = ["Items", "record021", "record062"]
