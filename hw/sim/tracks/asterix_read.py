"""Reading only the ASTERIX items used, with libasterix's parsers and its tables of each edition.

A record's FSPEC (and a compound item's) is parsed by libasterix (``Fspec.parse``, its bits by
``Fspec``'s own iteration). Each item it announces is then found in the record:

- an item of a fixed length (an element or a group) is stepped over by the length libasterix's
  tables give it; when read, where it starts is kept;
- a compound item is walked the same way, one level down (its own FSPEC, its subitems);
- an extended item is parsed by libasterix the first time its octets are seen; the octets it
  took are kept, and the same octets later are known to be the same item (a parse reads an
  item's own octets and nothing past them, so octets that made a whole item before make the
  same item wherever they are; track status and the like take few values);
- any other item (repetitive, explicit) is parsed by libasterix to find its end.

Every FSPEC bit is honoured, so a datablock is accepted here exactly when libasterix's strict
parse of every item accepts it (tests/coproc/test_asterix_decode.py checks both on random
bytes). A subitem read is libasterix's content class of that subitem on that subitem's bits
(``as_uint``, ``as_quantity``, ``as_string``), found at the offset the edition's tables give
it: the same call libasterix's object tree ends in, without building the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hw.sim.tracks.asterix_lib import base  # compiled or pure: chosen there first

Bits = base.Bits
Fspec = base.Fspec
STRICT = base.ParsingMode.StrictParsing

KNOWN_EXTENDED_MAX = 4096
"""Distinct octet strings of extended items kept as parsed (then forgotten, and parsed again)."""


@dataclass(frozen=True, slots=True)
class Field:
    """Where a subitem is, from the start of its item, and libasterix's content class for it."""

    offset: int
    size: int
    content: Any


FIXED, COMPOUND, EXTENDED, OTHER = range(4)


@dataclass(slots=True)
class Step:
    """One FSPEC bit of a record or compound item: the item it announces."""

    name: str
    nsp: Any
    kind: int
    size: int
    """Bits, for FIXED."""
    read: bool
    inner: Layout | None = None
    """For COMPOUND: its subitems."""
    known: set[bytes] | None = None
    """For EXTENDED: octet strings libasterix has parsed as a whole item of this kind."""
    octets: int = 0
    """For EXTENDED: the most octets it can take."""


@dataclass(slots=True)
class Layout:
    """The items of a record (or of a compound item), one per FSPEC bit, None for spare."""

    steps: list[Step | None]
    fspec_max: int


def _kind(nsp: Any) -> tuple[int, int]:
    variation = getattr(nsp.cv_rule, "cv_variation", None)
    if variation is not None and issubclass(variation, base.Element | base.Group):
        return FIXED, int(variation.cv_bit_size)
    if variation is not None and issubclass(variation, base.Compound):
        return COMPOUND, 0
    if variation is not None and issubclass(variation, base.Extended):
        return EXTENDED, 0
    return OTHER, 0


def layout(items: list[Any], fspec_max: int, read: frozenset[str], prefix: str = "") -> Layout:
    """The layout of a record (``items``: its UAP's slots) or of a compound item (its subitems,
    None for spare); ``read``: the names (``380`` or ``380.ADR``) whose position is kept."""
    steps: list[Step | None] = []
    for slot in items:
        nsp = getattr(slot, "cv_non_spare", slot)
        if nsp is None or not issubclass(nsp, base.NonSpare):
            steps.append(None)
            continue
        name = prefix + nsp.cv_name
        kind, size = _kind(nsp)
        step = Step(name, nsp, kind, size, name in read)
        if kind == COMPOUND:
            inner = nsp.cv_rule.cv_variation
            step.inner = layout(inner.cv_items_list, inner.cv_fspec_max_bytes, read, name + ".")
        elif kind == EXTENDED:
            step.known = set()
            bits = sum(1 if i is None else i[1] for i in _flat(nsp.cv_rule.cv_variation))
            step.octets = -(-bits // 8)
        steps.append(step)
    return Layout(steps, fspec_max)


def _flat(extended: Any) -> list[Any]:
    return [i for group in extended.cv_items_list for i in group]


Spans = dict[str, tuple[int, int]]
"""Item (or subitem) name to its first and past-the-end bit in the datagram."""


def _extended_end(step: Step, bs: bytes, pos: int, end: int) -> int | ValueError:
    """Where the extended item at ``pos`` ends (libasterix's parse, or octets it parsed before)."""
    known = step.known
    assert known is not None
    if pos % 8 == 0:
        first = pos // 8
        for octets in range(1, step.octets + 1):
            if (first + octets) * 8 > end:
                break
            if bs[first : first + octets] in known:
                return pos + octets * 8
    parsed = step.nsp.parse(Bits(bs, pos, end))
    if isinstance(parsed, ValueError):
        return parsed
    stop = int(parsed[1].bit_offset1)
    if pos % 8 == 0 and stop % 8 == 0:
        if len(known) >= KNOWN_EXTENDED_MAX:
            known.clear()
        known.add(bs[pos // 8 : stop // 8])
    return stop


def walk(plan: Layout, bs: bytes, pos: int, end: int, spans: Spans) -> int | ValueError:
    """One record (or compound item) at bit ``pos``: where it ends; the positions of the items
    read go into ``spans``. A ValueError where libasterix's strict parse would refuse it."""
    parsed = Fspec.parse(STRICT, plan.fspec_max, Bits(bs, pos, end))
    if isinstance(parsed, ValueError):
        return parsed
    fspec, rest = parsed
    pos = rest.bit_offset1
    steps = plan.steps
    count = len(steps)
    for frn, present in enumerate(fspec):
        if not present:
            continue
        step = steps[frn] if frn < count else None
        if step is None:
            return ValueError(f"FSPEC bit {frn + 1} names no item of this edition")
        kind = step.kind
        stop: int | ValueError
        if kind == FIXED:
            stop = pos + step.size
            if stop > end:
                return ValueError(f"insufficient data, item {step.name}")
        elif kind == COMPOUND:
            assert step.inner is not None
            stop = walk(step.inner, bs, pos, end, spans)
        elif kind == EXTENDED:
            stop = _extended_end(step, bs, pos, end)
        else:
            item = step.nsp.parse(Bits(bs, pos, end))
            stop = item if isinstance(item, ValueError) else int(item[1].bit_offset1)
        if isinstance(stop, ValueError):
            return ValueError(f"item {step.name}: {stop.args[0] if stop.args else 'invalid'}")
        if step.read:
            spans[step.name] = (pos, stop)
        pos = stop
    return pos


def field(nsp: Any, sub: str | None) -> Field:
    """Subitem ``sub`` of item ``nsp`` (None: the item itself, an element), from libasterix's
    tables: its offset in the item and its content class."""
    variation = nsp.cv_rule.cv_variation
    if sub is None:
        return _element(0, variation)
    offset = 0
    if issubclass(variation, base.Group):
        slots = list(variation.cv_items_list)
    elif issubclass(variation, base.Extended):
        slots = [(None, 1) if i is None else i for i in _flat(variation)]  # FX: one bit
    else:
        raise TypeError(f"{nsp.cv_name}: not a group or extended item")
    for cls, size in slots:
        inner = getattr(cls, "cv_non_spare", None)
        if inner is not None and inner.cv_name == sub:
            found = field(inner, None)
            return Field(offset + found.offset, found.size, found.content)
        offset += size
    raise KeyError(f"{nsp.cv_name} has no subitem {sub}")


def _element(offset: int, variation: Any) -> Field:
    if not issubclass(variation, base.Element):
        raise TypeError(f"{variation.__name__} is not an element")
    rule = variation.cv_rule
    if not issubclass(rule, base.RuleContentContextFree):
        raise TypeError(f"{variation.__name__}: content depends on another item")
    return Field(offset, int(variation.cv_bit_size), rule.cv_content)


Fields = dict[tuple[str, str | None], Field]
"""Each (item, subitem or None for the item itself) read."""


class Found:
    """The items read of one record: each subitem read is libasterix's content class on its
    bits."""

    __slots__ = ("bs", "fields", "spans")

    def __init__(self, bs: bytes, spans: Spans, fields: Fields) -> None:
        self.bs = bs
        self.spans = spans
        self.fields = fields

    def has(self, name: str) -> bool:
        return name in self.spans

    def content(self, name: str, sub: str | None) -> Any:
        """libasterix's content of a subitem of the item ``name`` (None when absent from the
        record or beyond the octets of an extended item)."""
        span = self.spans.get(name)
        if span is None:
            return None
        where = self.fields[name, sub]
        start = span[0] + where.offset
        stop = start + where.size
        if stop > span[1]:
            return None
        return where.content(Bits(self.bs, start, stop))

    def uint(self, name: str, sub: str | None = None) -> int | None:
        found = self.content(name, sub)
        return None if found is None else int(found.as_uint())

    def quantity(self, name: str, sub: str | None, unit: str) -> float:
        """A quantity in ``unit`` (the unit of libasterix's edition: the caller checks it)."""
        return float(self.content(name, sub).as_quantity(unit))

    def text(self, name: str) -> str:
        found = self.content(name, None)
        return "" if found is None else str(found.as_string()).strip()


def records(
    plan: Layout, fields: Fields, bs: bytes, pos: int, end: int
) -> list[Found] | ValueError:
    """The records of a datablock (bits ``pos`` to ``end`` of ``bs``) with the items read found."""
    out: list[Found] = []
    while pos < end:
        spans: Spans = {}
        stop = walk(plan, bs, pos, end, spans)
        if isinstance(stop, ValueError):
            return stop
        out.append(Found(bs, spans, fields))
        pos = stop
    return out


__all__ = ["COMPOUND", "EXTENDED", "FIXED", "OTHER", "Field", "Fields", "Found", "Layout", "Spans",
           "Step", "field", "layout", "records", "walk"]  # fmt: skip
