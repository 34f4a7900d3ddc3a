"""ASTERIX datagrams to track reports: CAT062 system tracks and CAT021 ADS-B reports.

Decoded with libasterix (EUROCONTROL's ASTERIX as generated Python classes, one per category
edition; never a hand-written bit parser here). Each datablock is parsed strictly: its records
must fill it exactly as the edition says, or the whole datablock is counted as a decode error and
skipped. A datagram may hold several datablocks, of either category. Only the items read are
decoded: each record's FSPEC is walked with libasterix's parser and an item of a fixed length
that is not read is stepped over by its length (about twice the rate of parsing every item in
`make perf`; the same records accepted, which the tests check against the full parse).

Editions: CAT062 1.20 and CAT021 2.6. A tracker and a receiver of different editions still agree
when the items read here have one layout in both: for CAT062 every edition libasterix has
(1.16 to 1.21) encodes I062/010, 040, 070, 080, 100, 105, 130, 136, 185, 220 and 380 (ADR, ID)
byte for byte alike, and for CAT021 2.1 to 2.7 do so for I021/010, 040, 080, 130, 131, 140, 145,
155, 157, 160 and 170 (tests/coproc/test_asterix_decode.py checks both). 1.20 and 2.6 are the
newest editions that trackers in service and the independent decoder the tests use as an oracle
(asterix-decoder: CAT062 1.18, CAT021 2.6) share; a record using an item a newer edition added
is refused rather than misread.

Items read:

- CAT062: I062/010 (SAC, SIC), I062/040 track number, I062/105 WGS-84 position, or else I062/100
  Cartesian X, Y from the system reference point (given, ``ref``); I062/185 velocity (VX east,
  VY north, m/s); I062/136 measured flight level, or else I062/130 geometric altitude;
  I062/220 rate of climb; I062/380 ADR (target address) and ID (callsign); I062/080 track status:
  TSE (track service end: the track is dropped) and CST (coasted: kept, counted).
- CAT021: I021/080 target address (the track's key), I021/131 high-resolution position, or else
  I021/130; I021/160 ground vector (speed, track angle); I021/145 flight level, or else I021/140
  geometric height; I021/155 barometric or else I021/157 geometric vertical rate; I021/170
  callsign; I021/040 GBS (on the ground: left out of the picture).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hw.sim.tracks.asterix_lib import base, generated
from terminal.kernel.geodesy import geodesic_direct_azimuth

Bits = base.Bits
RawDatablock = base.RawDatablock
Element = base.Element
Fspec = base.Fspec
Group = base.Group
ParsingMode = base.ParsingMode
UapItem = base.UapItem
gen = generated

Cat062 = gen.Cat_062_1_20
Cat021 = gen.Cat_021_2_6
EDITIONS = {62: Cat062, 21: Cat021}
READ = {
    62: frozenset({"010", "040", "080", "100", "105", "130", "136", "185", "220", "380"}),
    21: frozenset({"040", "080", "130", "131", "140", "145", "155", "157", "160", "170"}),
}
"""The items read: the others of a fixed length are stepped over by their length."""

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


class _Items:
    """The items of one record that are read, by name (a stand-in for libasterix's Record).
    An item of a fixed length is parsed by libasterix when first asked for (its parse cannot
    fail once its bits are there, which the walk checked): I062/100 is never parsed when the
    record has I062/105, nor I062/130 beside I062/136."""

    __slots__ = ("fixed", "items")

    def __init__(self, items: dict[str, Any], fixed: dict[str, tuple[Any, Any]]) -> None:
        self.items = items
        self.fixed = fixed

    def get_item(self, name: str) -> Any:
        item = self.items.get(name)
        if item is None and name in self.fixed:
            nsp, bits = self.fixed.pop(name)
            parsed = nsp.parse(bits)
            if isinstance(parsed, ValueError):  # not with its bits there; kept as a decode error
                raise parsed
            item = self.items[name] = parsed[0]
        return item


Step = tuple[str, Any, int | None, bool] | None
"""Per FSPEC bit: (item name, its libasterix class, its bit length if fixed, whether it is
read), or None for a slot the edition leaves spare."""


def _plan(cat: int) -> tuple[list[Step], int]:
    record: Any = (Cat062 if cat == 62 else Cat021).cv_uap.cv_record  # one UAP in either
    steps: list[Step] = []
    for slot in record.cv_items_list:
        if not issubclass(slot, UapItem):
            steps.append(None)
            continue
        nsp: Any = slot.cv_non_spare
        variation: Any = getattr(nsp.cv_rule, "cv_variation", None)
        fixed = variation is not None and issubclass(variation, Element | Group)
        size = variation.cv_bit_size if fixed else None
        steps.append((nsp.cv_name, nsp, size, nsp.cv_name in READ[cat]))
    return steps, record.cv_fspec_max_bytes


PLANS = {cat: _plan(cat) for cat in EDITIONS}


def _read_records(cat: int, bits: Bits) -> list[_Items] | ValueError:
    """The records of a datablock with only the items read parsed (libasterix's FSPEC and item
    parsers); items of a fixed length are stepped over (those read kept, to be parsed when
    asked for), those of a variable length (extended, repetitive, compound, explicit) parsed to
    find their end. Every FSPEC bit is honoured, so a datablock decodes here exactly when
    libasterix's strict parse accepts it."""
    steps, fspec_max = PLANS[cat]
    out: list[_Items] = []
    while len(bits) > 0:
        parsed = Fspec.parse(ParsingMode.StrictParsing, fspec_max, bits)
        if isinstance(parsed, ValueError):
            return parsed
        fspec, rest = parsed
        items: dict[str, Any] = {}
        fixed: dict[str, tuple[Any, Any]] = {}
        for frn, present in enumerate(fspec):
            if not present:
                continue
            step = steps[frn] if frn < len(steps) else None
            if step is None:
                return ValueError(f"FSPEC bit {frn + 1} names no item of this edition")
            name, nsp, size, read = step
            if size is not None:
                if len(rest) < size:
                    return ValueError(f"insufficient data, item {name}")
                if read:
                    fixed[name] = (nsp, rest)
                rest = rest.drop(size)
                continue
            item = nsp.parse(rest)
            if isinstance(item, ValueError):
                return ValueError(f"item {name}: {_reason(item)}")
            items[name], rest = item
        out.append(_Items(items, fixed))
        bits = rest
    return out


def _q(item: Any, unit: str) -> float:
    """A quantity subitem in ``unit``."""
    return float(item.variation.content.as_quantity(unit))


def _sub(item: Any, name: str, unit: str) -> float:
    """Subitem ``name`` of a group item, in ``unit``."""
    return _q(item.variation.get_item(name), unit)


def _callsign(item: Any) -> str:
    return "" if item is None else str(item.variation.content.as_string()).strip()


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


def _record062(rec: Any, ref: tuple[float, float] | None, out: Decoded) -> None:
    i010, i040 = rec.get_item("010"), rec.get_item("040")
    sac, sic = (
        (i010.variation.get_item("SAC").as_uint(), i010.variation.get_item("SIC").as_uint())
        if i010 is not None
        else (0, 0)
    )
    tn = i040.as_uint() if i040 is not None else None
    address, callsign = None, ""
    i380 = rec.get_item("380")
    if i380 is not None:
        adr = i380.variation.get_item("ADR")
        address = adr.as_uint() if adr is not None else None
        callsign = _callsign(i380.variation.get_item("ID"))
    coasted = terminated = False
    i080 = rec.get_item("080")
    if i080 is not None:
        tse, cst = i080.variation.get_item("TSE"), i080.variation.get_item("CST")
        terminated = tse is not None and tse.as_uint() == 1
        coasted = cst is not None and cst.as_uint() == 1
    lat = lon = math.nan
    i105 = rec.get_item("105")
    if i105 is not None:
        lat, lon = _sub(i105, "LAT", "°"), _sub(i105, "LON", "°")
    elif ref is not None and (i100 := rec.get_item("100")) is not None:
        lat, lon = stereographic_to_wgs84(_sub(i100, "X", "m"), _sub(i100, "Y", "m"), ref)
    alt = math.nan
    i136 = rec.get_item("136")
    if i136 is not None:
        alt = _q(i136, "FL") * 100.0
    elif (i130 := rec.get_item("130")) is not None:
        alt = _q(i130, "ft")
    vn = ve = math.nan
    i185 = rec.get_item("185")
    if i185 is not None:
        ve, vn = _sub(i185, "VX", "m/s"), _sub(i185, "VY", "m/s")
    i220 = rec.get_item("220")
    vu = _q(i220, "ft/min") * FPM if i220 is not None else 0.0
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


def _record021(rec: Any, out: Decoded) -> None:
    i080 = rec.get_item("080")
    if i080 is None:
        out.errors.append("CAT021 report without a target address (I021/080)")
        return
    address = i080.as_uint()
    lat = lon = math.nan
    i131 = rec.get_item("131")
    if i131 is not None:
        lat, lon = _sub(i131, "LAT", "°"), _sub(i131, "LON", "°")
    elif (i130 := rec.get_item("130")) is not None:
        lat, lon = _sub(i130, "LAT", "°"), _sub(i130, "LON", "°")
    if math.isnan(lat):
        out.no_position += 1
        return
    alt = math.nan
    i145 = rec.get_item("145")
    if i145 is not None:
        alt = _q(i145, "FL") * 100.0
    elif (i140 := rec.get_item("140")) is not None:
        alt = _q(i140, "ft")
    vn = ve = math.nan
    i160 = rec.get_item("160")
    if i160 is not None:
        speed = _sub(i160, "GS", "NM/s") * NM
        angle = math.radians(_sub(i160, "TA", "°"))
        vn, ve = speed * math.cos(angle), speed * math.sin(angle)
    vu = 0.0
    i155 = rec.get_item("155")
    if i155 is not None:
        vu = _sub(i155, "BVR", "ft/min") * FPM
    elif (i157 := rec.get_item("157")) is not None:
        vu = _sub(i157, "GVR", "ft/min") * FPM
    on_ground = False
    i040 = rec.get_item("040")
    if i040 is not None:
        gbs = i040.variation.get_item("GBS")
        on_ground = gbs is not None and gbs.as_uint() == 1
    out.reports.append(
        TrackReport(21, f"21/{address:06X}", address, _callsign(rec.get_item("170")), None,
                    lat, lon, alt, vn, ve, vu, on_ground=on_ground)
    )  # fmt: skip


def _reason(error: ValueError) -> str:
    return str(error.args[0]) if error.args else "invalid"


MAX_DATABLOCKS = 256
"""More datablocks than this in one datagram (senders put one, or a few) refuse the datagram."""


def _datablocks(data: bytes) -> list[Any] | ValueError:
    """The datagram's datablocks (libasterix's datablock parser, one at a time: its own
    recursive split of a whole datagram is as deep as the datablocks are many)."""
    blocks: list[Any] = []
    rest = Bits.from_bytes(data)
    while len(rest) > 0:
        if len(blocks) == MAX_DATABLOCKS:
            return ValueError(f"more than {MAX_DATABLOCKS} datablocks")
        parsed = RawDatablock.parse_single(rest)
        if isinstance(parsed, ValueError):
            return parsed
        block, rest = parsed
        blocks.append(block)
    return blocks


def decode(
    data: bytes, cats: tuple[int, ...] = (62, 21), ref: tuple[float, float] | None = None,
    *, every_item: bool = False,
) -> Decoded:
    """The track reports in one datagram. Never raises: a datagram or datablock that does not
    decode is in ``errors``, a datablock of a category not in ``cats`` in ``other_category``.
    ``every_item``: libasterix's own strict parse of every item (slower; the same result)."""
    out = Decoded()
    blocks = _datablocks(bytes(data))
    if isinstance(blocks, ValueError):
        out.errors.append(f"not ASTERIX ({len(data)} bytes): {_reason(blocks)}")
        return out
    for block in blocks:
        cat = block.get_category()
        if cat not in cats:
            out.other_category += 1
            continue
        try:
            raw = block.get_raw_records()
            records: Any
            if not every_item:
                records = _read_records(cat, raw)
            else:
                records = Cat062.cv_uap.parse(raw) if cat == 62 else Cat021.cv_uap.parse(raw)
            if isinstance(records, ValueError):
                out.errors.append(f"CAT{cat:03d} datablock does not decode: {_reason(records)}")
                continue
            out.records += len(records)
            for rec in records:
                if cat == 62:
                    _record062(rec, ref, out)
                else:
                    _record021(rec, out)
        except Exception as exc:  # a decoder library on hostile input: counted, never fatal
            out.errors.append(f"CAT{cat:03d} datablock: {type(exc).__name__}: {exc}")
    return out


__all__ = ["EDITIONS", "Bits", "Cat021", "Cat062", "Decoded", "RawDatablock", "TrackReport",
           "decode", "stereographic_to_wgs84"]  # fmt: skip
