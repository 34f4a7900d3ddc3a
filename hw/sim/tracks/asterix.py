"""ASTERIX datagrams to track reports: CAT062 system tracks and CAT021 ADS-B reports.

Decoded with libasterix (EUROCONTROL's ASTERIX as generated Python classes, one per category
edition; never a hand-written bit parser here). Each datablock is parsed strictly: its records
must fill it exactly as the edition says, or the whole datablock is counted as a decode error and
skipped. A datagram may hold several datablocks, of either category. Only the items read are
decoded (`hw.sim.tracks.asterix_read`): each record's FSPEC is parsed by libasterix, an item of a
fixed length is stepped over by the length libasterix's tables give it, a compound item walked
the same way, an extended item parsed by libasterix (once per distinct octet string), and each
subitem read is libasterix's content class on the bits its tables place it at; the mapping to
track reports is `hw.sim.tracks.asterix_map`. ``every_item=True`` is libasterix's strict parse
of every item, read through its object tree, with the same mapping: the reference, which the
tests check the quick reading against (the same records accepted and refused, the same reports);
the quick one runs at five to ten times its rate in `make perf`.

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

from typing import Any

from hw.sim.tracks.asterix_lib import base, generated
from hw.sim.tracks.asterix_lib import mapping as mapped
from hw.sim.tracks.asterix_lib import reader as read
from hw.sim.tracks.asterix_report import (
    FPM,
    FT,
    NM,
    Decoded,
    TrackReport,
    stereographic_to_wgs84,
)

Bits = base.Bits
RawDatablock = base.RawDatablock
gen = generated

Cat062 = gen.Cat_062_1_20
Cat021 = gen.Cat_021_2_6
EDITIONS: dict[int, Any] = {62: Cat062, 21: Cat021}
FIELDS = {
    62: (("010", "SAC", None), ("010", "SIC", None), ("040", None, None), ("380.ADR", None, None),
         ("380.ID", None, None), ("080", "TSE", None), ("080", "CST", None),
         ("105", "LAT", "°"), ("105", "LON", "°"), ("100", "X", "m"), ("100", "Y", "m"),
         ("136", None, "FL"), ("130", None, "ft"), ("185", "VX", "m/s"), ("185", "VY", "m/s"),
         ("220", None, "ft/min")),
    21: (("080", None, None), ("131", "LAT", "°"), ("131", "LON", "°"), ("130", "LAT", "°"),
         ("130", "LON", "°"), ("145", None, "FL"), ("140", None, "ft"), ("160", "GS", "NM/s"),
         ("160", "TA", "°"), ("155", "BVR", "ft/min"), ("157", "GVR", "ft/min"),
         ("040", "GBS", None), ("170", None, None)),
}  # fmt: skip
"""Each (item, subitem or None for the item itself, unit of a quantity) read."""


def _spec(cat: int, name: str) -> Any:
    """libasterix's class of item ``name`` (``380.ADR``: a subitem of a compound)."""
    item, _, sub = name.partition(".")
    nsp: Any = EDITIONS[cat].cv_record.cv_items_dict[item]
    return nsp.cv_rule.cv_variation.cv_items_dict[sub] if sub else nsp


def _fields(cat: int) -> read.Fields:
    found = {}
    for name, sub, unit in FIELDS[cat]:
        where = read.field(_spec(cat, name), sub)
        if unit is not None and getattr(where.content, "cv_unit", None) != unit:
            raise TypeError(f"I{cat:03d}/{name} {sub}: not in {unit}")
        found[name, sub] = where
    return found


def _layout(cat: int) -> read.Layout:
    record: Any = EDITIONS[cat].cv_uap.cv_record  # one UAP in either
    names = frozenset(name for name, _sub, _unit in FIELDS[cat])
    return read.layout(record.cv_items_list, record.cv_fspec_max_bytes,
                       names | {name.split(".")[0] for name in names})  # fmt: skip


LAYOUTS = {cat: _layout(cat) for cat in EDITIONS}
FIELD_AT = {cat: _fields(cat) for cat in EDITIONS}


class _Parsed:
    """The items of one record of libasterix's strict parse of every item, read through its
    object tree (``get_item``, ``variation``, ``content``): the reference the quick reading is
    checked against."""

    __slots__ = ("record",)

    def __init__(self, record: Any) -> None:
        self.record = record

    def has(self, name: str) -> bool:
        return self._node(name) is not None

    def _node(self, name: str) -> Any:
        item, _, sub = name.partition(".")
        node = self.record.get_item(item)
        return node.variation.get_item(sub) if sub and node is not None else node

    def content(self, name: str, sub: str | None) -> Any:
        node = self._node(name)
        if node is not None and sub is not None:
            node = node.variation.get_item(sub)
        return None if node is None else node.variation.content

    def uint(self, name: str, sub: str | None = None) -> int | None:
        found = self.content(name, sub)
        return None if found is None else int(found.as_uint())

    def quantity(self, name: str, sub: str | None, unit: str) -> float:
        return float(self.content(name, sub).as_quantity(unit))

    def text(self, name: str) -> str:
        found = self.content(name, None)
        return "" if found is None else str(found.as_string()).strip()


def _read_records(cat: int, raw: Any) -> list[read.Found] | ValueError:
    """The records of a datablock with only the items read found (`asterix_read.records`)."""
    return read.records(LAYOUTS[cat], FIELD_AT[cat], raw.bs, raw.bit_offset1, raw.bit_offset2)


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
            records: list[Any] | ValueError
            if not every_item:
                records = _read_records(cat, raw)
            else:
                parsed = EDITIONS[cat].cv_uap.parse(raw)
                records = parsed if isinstance(parsed, ValueError) else list(map(_Parsed, parsed))
            if isinstance(records, ValueError):
                out.errors.append(f"CAT{cat:03d} datablock does not decode: {_reason(records)}")
                continue
            out.records += len(records)
            for rec in records:
                if cat == 62:
                    mapped.record062(rec, ref, out)
                else:
                    mapped.record021(rec, out)
        except Exception as exc:  # a decoder library on hostile input: counted, never fatal
            out.errors.append(f"CAT{cat:03d} datablock: {type(exc).__name__}: {exc}")
    return out


__all__ = ["EDITIONS", "FPM", "FT", "NM", "Bits", "Cat021", "Cat062", "Decoded", "RawDatablock",
           "TrackReport", "decode", "stereographic_to_wgs84"]  # fmt: skip
