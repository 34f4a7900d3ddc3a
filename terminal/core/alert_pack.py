"""An open alert's ALERT kept packed: its numbers in one bytes object, not some twenty Python
objects, and built back into the same `AlertReceived` when the book needs it (shown, updated,
re-checked). A burst leaves thousands open, and the book keeps every one (docs/performance.md,
"The alert book's per-alert state").

What is packed: the numbers (as C doubles and 64-bit ints, exact), kind and severity (as codes),
whether there is a line version, and which float fields held ints (built back as ints). The
members' ids are not kept when the pair id is ``a/b`` (as the kernel names pairs): they are cut
back out of it. The pair id and the boot id are kept by the book as strings (the pair id is its
key, the boot id one interned string per boot).

An event that cannot come back identical this way (a number of another type, an int beyond
what a double holds exactly, an unknown kind or severity) is kept as it is: `pack` returns it.
"""

from __future__ import annotations

import struct

from terminal.core.alert_events import AlertReceived, Kind, Severity
from terminal.kernel.members import Member

KINDS: tuple[Kind, ...] = ("TRACK", "LINE")
SEVERITY_CODES: tuple[Severity, ...] = ("advisory", "warning", "critical")
_KIND = {name: k for k, name in enumerate(KINDS)}
_SEVERITY = {name: k for k, name in enumerate(SEVERITY_CODES)}

# at, utc_ms, alert_seq, computed_utc_ms, a's six numbers, b's six, four separations,
# line_version, the int mask (of the 17 float fields), flags, len(a.id) (0xFFFF: ids apart).
_LAYOUT = struct.Struct("<dqqq6d6d4dqIBH")
_SEQ = struct.Struct("<q")
_SEQ_OFFSET = 16
_FLOAT_FIELDS = 17
_EXACT = 2**53
_IDS_APART = 0xFFFF
_HAS_VERSION = 0x08

Packed = bytes | tuple[bytes, str, str] | AlertReceived
"""What the book keeps for an ALERT: bytes; bytes with the member ids when the pair id is not
``a/b``; or the event itself when it cannot be packed exactly."""


def _numbers(m: Member) -> tuple[float, ...]:
    return (m.lat, m.lon, m.alt_ft, m.vn_ms, m.ve_ms, m.vu_ms)


def pack(ev: AlertReceived) -> Packed:
    """``ev`` packed (without its pair and boot ids, kept apart); ``ev`` itself if it would not
    come back identical."""
    kind, severity = _KIND.get(ev.kind), _SEVERITY.get(ev.severity)
    floats = (ev.at, *_numbers(ev.a), *_numbers(ev.b), ev.hsep_m, ev.vsep_ft, ev.tcpa_s, ev.miss_m)
    ints = (ev.utc_ms, ev.alert_seq, ev.computed_utc_ms)
    version = ev.line_version
    if kind is None or severity is None or not all(type(n) is int for n in ints):
        return ev
    if version is not None and type(version) is not int:
        return ev
    mask = 0
    for k, n in enumerate(floats):
        if type(n) is int:
            if not -_EXACT <= n <= _EXACT:
                return ev
            mask |= 1 << k
        elif type(n) is not float:
            return ev
    a_id, b_id = ev.a.id, ev.b.id
    joined = (
        type(a_id) is str and type(b_id) is str and type(ev.pair_id) is str
        and len(a_id) < _IDS_APART and ev.pair_id == f"{a_id}/{b_id}"
    )  # fmt: skip
    flags = kind | severity << 1 | (0 if version is None else _HAS_VERSION)
    try:
        data = _LAYOUT.pack(
            floats[0], *ints, *floats[1:], 0 if version is None else version, mask, flags,
            len(a_id) if joined else _IDS_APART,
        )  # fmt: skip
    except struct.error:  # an int beyond 64 bits
        return ev
    return data if joined else (data, a_id, b_id)


def unpack(packed: Packed, boot_id: str, pair_id: str) -> AlertReceived:
    """The `AlertReceived` that was packed, every field as it came."""
    if isinstance(packed, AlertReceived):
        return packed
    data = packed if isinstance(packed, bytes) else packed[0]
    at, utc_ms, seq, computed, *rest = _LAYOUT.unpack(data)
    *nums, version, mask, flags, a_len = rest
    if mask:
        floats = [at, *nums]
        for k in range(_FLOAT_FIELDS):
            if mask >> k & 1:
                floats[k] = int(floats[k])
        at, *nums = floats
    if isinstance(packed, tuple):
        a_id, b_id = packed[1], packed[2]
    else:
        a_id, b_id = pair_id[:a_len], pair_id[a_len + 1 :]
    hsep_m, vsep_ft, tcpa_s, miss_m = nums[12:16]
    return AlertReceived(
        at, utc_ms, boot_id, seq, pair_id, KINDS[flags & 1], SEVERITY_CODES[flags >> 1 & 3],
        computed, Member(a_id, *nums[0:6]), Member(b_id, *nums[6:12]),
        hsep_m, vsep_ft, tcpa_s, miss_m, version if flags & _HAS_VERSION else None,
    )  # fmt: skip


def packed_seq(packed: Packed) -> int:
    """The packed ALERT's alert_seq, read without building the event."""
    if isinstance(packed, AlertReceived):
        return packed.alert_seq
    data = packed if isinstance(packed, bytes) else packed[0]
    seq: int = _SEQ.unpack_from(data, _SEQ_OFFSET)[0]
    return seq
