"""A picture as ASTERIX datagrams (CAT062 system tracks or CAT021 ADS-B reports), with libasterix.

The sending side of `hw.sim.tracks.asterix`, in the same editions: what a tracker would send for
these tracks. The tests, the benchmark and a feed simulator use it to serve a scenario over UDP.
A track's target address is its id when that is six hex digits (as SBS-1 names aircraft), else
a 24-bit hash of the id; its callsign is the id, cut to the eight characters ICAO allows.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, cast

from hw.sim.tracks.asterix import FPM, NM, Bits, Cat021, Cat062, RawDatablock
from terminal.kernel.picture import Picture

MAX_DATAGRAM = 1400  # bytes: under a typical path MTU, as trackers send
_HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")
_NOT_ICAO = re.compile(r"[^A-Z0-9 ]")


def address_of(track_id: str) -> int:
    """The 24-bit target address for a track id."""
    if _HEX6.match(track_id):
        return int(track_id, 16)
    return zlib.crc32(track_id.encode()) & 0xFFFFFF


def callsign_of(track_id: str) -> str:
    """The id as an ICAO callsign (A-Z, 0-9, space; at most 8)."""
    return _NOT_ICAO.sub("", track_id.upper())[:8]


def _tod(t: float) -> tuple[float, str]:
    return (math.fmod(max(t, 0.0), 86_400.0), "s")


def cat062_record(
    *, track_number: int, lat: float, lon: float, alt_ft: float, vn: float, ve: float,
    vu: float = 0.0, address: int | None = None, callsign: str = "", sac: int = 0, sic: int = 1,
    tod_s: float = 0.0, coasted: bool = False, terminated: bool = False,
    cartesian: tuple[float, float] | None = None, geometric: bool = False,
) -> Any:
    """One CAT062 system-track record. ``cartesian`` (x, y m) sends I062/100 instead of I062/105;
    ``geometric`` sends I062/130 instead of I062/136."""  # fmt: skip
    items: dict[str, Any] = {
        "010": (("SAC", sac), ("SIC", sic)),
        "070": _tod(tod_s),
        "185": (("VX", (ve, "m/s")), ("VY", (vn, "m/s"))),
        "040": track_number & 0xFFFF,
        "080": (
            (("MON", 0), ("SPI", 0), ("MRH", 0), ("SRC", 0), ("CNF", 0), None),
            (("SIM", 0), ("TSE", int(terminated)), ("TSB", 0), ("FPC", 0), ("AFF", 0),
             ("STP", 0), ("KOS", 0), None),
            (("AMA", 0), ("MD4", 0), ("ME", 0), ("MI", 0), ("MD5", 0), None),
            (("CST", int(coasted)), ("PSR", 0), ("SSR", 0), ("MDS", 0), ("ADS", 0), ("SUC", 0),
             ("AAC", 0), None),
        ),
        "220": (vu / FPM, "ft/min"),
    }  # fmt: skip
    if cartesian is None:
        items["105"] = (("LAT", (lat, "°")), ("LON", (lon, "°")))
    else:
        items["100"] = (("X", (cartesian[0], "m")), ("Y", (cartesian[1], "m")))
    if geometric:
        items["130"] = (alt_ft, "ft")
    else:
        items["136"] = (alt_ft / 100.0, "FL")
    adr: dict[str, Any] = {}
    if address is not None:
        adr["ADR"] = address
    if callsign:
        adr["ID"] = callsign
    if adr:
        items["380"] = adr
    return Cat062.cv_record.create(cast(Any, items))


def cat021_record(
    *, address: int, lat: float, lon: float, alt_ft: float, vn: float, ve: float,
    vu: float = 0.0, callsign: str = "", sac: int = 0, sic: int = 2, tod_s: float = 0.0,
    on_ground: bool = False,
) -> Any:
    """One CAT021 ADS-B report (2.6)."""  # fmt: skip
    speed = math.hypot(vn, ve)
    angle = math.degrees(math.atan2(ve, vn)) % 360.0
    items: dict[str, Any] = {
        "010": (("SAC", sac), ("SIC", sic)),
        "040": (
            (("ATP", 1), ("ARC", 1), ("RC", 0), ("RAB", 0), None),
            (("DCR", 0), ("GBS", int(on_ground)), ("SIM", 0), ("TST", 0), ("SAA", 0),
             ("CL", 0), None),
        ),
        "080": address,
        "131": (("LAT", (lat, "°")), ("LON", (lon, "°"))),
        "073": _tod(tod_s),
        "145": (alt_ft / 100.0, "FL"),
        "155": (("RE", 0), ("BVR", (vu / FPM, "ft/min"))),
        "160": (("RE", 0), ("GS", (speed / NM, "NM/s")), ("TA", (angle, "°"))),
    }  # fmt: skip
    if callsign:
        items["170"] = callsign
    return Cat021.cv_record.create(cast(Any, items))


def datagrams(records: Iterable[Any], cat: int, max_bytes: int = MAX_DATAGRAM) -> list[bytes]:
    """Records packed into datagrams of one datablock each, none over ``max_bytes`` (a record
    bigger than that goes alone)."""
    spec = Cat062 if cat == 62 else Cat021
    out: list[bytes] = []
    batch: list[Any] = []
    size = 3
    for rec in records:
        n = len(rec.unparse()) // 8
        if batch and size + n > max_bytes:
            out.append(spec.create(batch).unparse().to_bytes())
            batch, size = [], 3
        batch.append(rec)
        size += n
    if batch:
        out.append(spec.create(batch).unparse().to_bytes())
    return out


def picture_records(
    picture: Picture, cat: int, *, tod_s: float = 0.0, numbers: dict[str, int] | None = None
) -> list[Any]:
    """One record per track of ``picture``: CAT062 (track numbers from ``numbers``, else by
    order) or CAT021."""
    out = []
    for k, track in enumerate(picture.ids):
        common: dict[str, Any] = {
            "lat": float(picture.lat[k]), "lon": float(picture.lon[k]),
            "alt_ft": float(picture.alt_ft[k]), "vn": float(picture.vn[k]),
            "ve": float(picture.ve[k]), "vu": float(picture.vu[k]),
            "callsign": callsign_of(track), "tod_s": tod_s,
        }  # fmt: skip
        if cat == 62:
            number = (numbers or {}).get(track, k + 1)
            out.append(cat062_record(track_number=number, address=address_of(track), **common))
        else:
            out.append(cat021_record(address=address_of(track), **common))
    return out


def picture_datagrams(picture: Picture, cat: int, *, tod_s: float = 0.0) -> list[bytes]:
    """``picture`` as the datagrams a tracker (62) or an ADS-B ground station (21) would send."""
    return datagrams(picture_records(picture, cat, tod_s=tod_s), cat)


def split_datablocks(data: bytes) -> Sequence[tuple[int, bytes]]:
    """(category, datablock bytes) of each datablock in a datagram (for tests)."""
    blocks = RawDatablock.parse(Bits.from_bytes(data))
    if isinstance(blocks, ValueError):
        raise blocks
    return [(b.get_category(), b.unparse().to_bytes()) for b in blocks]


__all__ = ["MAX_DATAGRAM", "address_of", "callsign_of", "cat021_record", "cat062_record",
           "datagrams", "picture_datagrams", "picture_records", "split_datablocks"]  # fmt: skip
