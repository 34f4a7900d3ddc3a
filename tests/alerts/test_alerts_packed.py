"""An open alert's ALERT is kept packed and comes back identical, every field, type included."""

from __future__ import annotations

import dataclasses
from typing import Any

from alerts_helpers import alert
from hypothesis import given
from hypothesis import strategies as st

from terminal.core.alert_events import AlertReceived
from terminal.core.alert_pack import pack, packed_seq, unpack
from terminal.core.alerts import AlertBook
from terminal.kernel.members import Member


def _fields(value: Any) -> Any:
    """Every field with its type, members included (1 == 1.0, but not the same field)."""
    if dataclasses.is_dataclass(value):
        return tuple((f.name, _fields(getattr(value, f.name))) for f in dataclasses.fields(value))
    return (type(value), repr(value))


def _round_trip(ev: AlertReceived) -> AlertReceived:
    return unpack(pack(ev), ev.boot_id, ev.pair_id)


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**53), 2**53),
)
ids = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/", min_size=1, max_size=24)
members = st.builds(Member, ids, numbers, numbers, numbers, numbers, numbers, numbers)
events = st.builds(
    AlertReceived,
    at=numbers,
    utc_ms=st.integers(-(2**63), 2**63 - 1),
    boot_id=st.sampled_from(["C0FFEE01", "B0070002"]),
    alert_seq=st.integers(0, 2**32 - 1),
    pair_id=st.one_of(ids, st.just("")),
    kind=st.sampled_from(["TRACK", "LINE"]),
    severity=st.sampled_from(["advisory", "warning", "critical"]),
    computed_utc_ms=st.integers(-(2**63), 2**63 - 1),
    a=members,
    b=members,
    hsep_m=numbers,
    vsep_ft=numbers,
    tcpa_s=numbers,
    miss_m=numbers,
    line_version=st.one_of(st.none(), st.integers(0, 2**32)),
)


@given(events, st.booleans())
def test_any_alert_comes_back_identical(ev: AlertReceived, named_as_a_pair: bool) -> None:
    if named_as_a_pair:  # as the kernel names pairs: the ids are cut back out of the pair id
        ev = dataclasses.replace(ev, pair_id=f"{ev.a.id}/{ev.b.id}")
    back = _round_trip(ev)
    assert _fields(back) == _fields(ev)
    assert packed_seq(pack(ev)) == ev.alert_seq


def test_an_alert_as_the_link_builds_it_is_packed_into_one_bytes_object() -> None:
    ev = alert("RAF1/4CA001", 7, "critical", at=3.5)
    packed = pack(ev)
    assert isinstance(packed, bytes)
    assert _fields(_round_trip(ev)) == _fields(ev)
    line = dataclasses.replace(ev, kind="LINE", pair_id="RAF1/L", line_version=3)
    assert _fields(_round_trip(line)) == _fields(line)


def test_what_cannot_come_back_identical_is_kept_as_it_came() -> None:
    ev = alert("RAF1/4CA001", 7)
    for odd in (
        dataclasses.replace(ev, hsep_m=2**60),  # an int no double holds exactly
        dataclasses.replace(ev, utc_ms=2**70),  # beyond 64 bits
        dataclasses.replace(ev, severity="urgent"),  # type: ignore[arg-type]
        dataclasses.replace(ev, a=dataclasses.replace(ev.a, lat="51.5")),  # type: ignore[arg-type]
        dataclasses.replace(ev, line_version=True),
    ):
        assert pack(odd) is odd
        assert _round_trip(odd) is odd
    numbered = dataclasses.replace(ev, pair_id="7/4CA001", a=dataclasses.replace(ev.a, id=7))  # type: ignore[arg-type]
    assert _fields(_round_trip(numbered)) == _fields(numbered)  # the id an int still


def test_the_book_gives_back_each_open_alert_as_received() -> None:
    book = AlertBook()
    sent = [alert(f"RAF{i}/4CA{i:03d}", i + 1, "critical", at=float(i)) for i in range(50)]
    sent.append(dataclasses.replace(alert("RAF99/4CA099", 99), pair_id="RAF99/4CA:1F2E3D4C"))
    for ev in sent:
        book.handle(ev)
    for ev in sent:
        assert _fields(book._open[ev.pair_id].last) == _fields(ev)
    update = alert("RAF3/4CA003", 200, "advisory", at=60.0)
    book.handle(update)
    assert _fields(book._open["RAF3/4CA003"].last) == _fields(update)
