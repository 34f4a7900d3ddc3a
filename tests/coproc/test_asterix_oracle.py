"""The project's reading of ASTERIX datagrams checked against a second, independent decoder:
asterix-decoder (C++, Croatia Control's XML category definitions: CAT062 1.18, CAT021 2.6), in
the test extra only. Both packages install a Python package named ``asterix``; the oracle is
used through its C module ``_asterix``, loaded with its own definition files."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import _asterix
from hypothesis import given, settings
from hypothesis import strategies as st

from hw.sim.tracks.asterix import NM, TrackReport, decode
from hw.sim.tracks.asterix_encode import cat021_record, cat062_record, datagrams

_spec = importlib.util.find_spec("_asterix")
assert _spec is not None and _spec.origin is not None
CONFIG = Path(_spec.origin).parent / "asterix" / "config"
for _name in ("asterix_bds.xml", "asterix_cat062_1_18.xml", "asterix_cat021_2_6.xml"):
    _asterix.init(str(CONFIG / _name))  # again if the package did: the same definitions


def oracle(data: bytes) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = _asterix.parse(data, False)
    return records


def val(rec: dict[str, Any], item: str, *path: str) -> Any:
    node = rec[item]
    for key in path:
        node = node[key]
    return node["val"]


def same_062(ours: TrackReport, theirs: dict[str, Any]) -> None:
    assert theirs["category"] == 62
    assert ours.track_number == val(theirs, "I040", "TrkN")
    assert math.isclose(ours.lat, val(theirs, "I105", "Lat"), abs_tol=1e-9)
    assert math.isclose(ours.lon, val(theirs, "I105", "Lon"), abs_tol=1e-9)
    assert math.isclose(ours.alt_ft, val(theirs, "I136", "MFL"), abs_tol=1e-6)
    assert math.isclose(ours.ve, val(theirs, "I185", "Vx"), abs_tol=1e-9)
    assert math.isclose(ours.vn, val(theirs, "I185", "Vy"), abs_tol=1e-9)
    assert math.isclose(ours.vu / 0.00508, val(theirs, "I220", "RoC"), abs_tol=1e-6)
    assert f"{ours.address:06X}" == val(theirs, "I380", "ADR", "ADR")
    assert ours.callsign == val(theirs, "I380", "ID", "ACID").strip()
    assert ours.terminated == (val(theirs, "I080", "TSE") == 1)
    assert ours.coasted == (val(theirs, "I080", "CST") == 1)


def same_021(ours: TrackReport, theirs: dict[str, Any]) -> None:
    assert theirs["category"] == 21
    assert f"{ours.address:06X}" == val(theirs, "I080", "TAddr")
    assert math.isclose(ours.lat, val(theirs, "I131", "Lat"), abs_tol=1e-9)
    assert math.isclose(ours.lon, val(theirs, "I131", "Lon"), abs_tol=1e-9)
    assert math.isclose(ours.alt_ft, val(theirs, "I145", "FL") * 100.0, abs_tol=1e-6)
    speed, angle = val(theirs, "I160", "GS") * NM, math.radians(val(theirs, "I160", "TA"))
    assert math.isclose(ours.vn, speed * math.cos(angle), abs_tol=1e-6)
    assert math.isclose(ours.ve, speed * math.sin(angle), abs_tol=1e-6)
    assert math.isclose(ours.vu / 0.00508, val(theirs, "I155", "BVR"), abs_tol=1e-6)
    assert ours.callsign == val(theirs, "I170", "TId").strip()
    assert ours.on_ground == (val(theirs, "I040", "GBS") == 1)


CALLSIGN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)
TRACK = st.fixed_dictionaries({
    "lat": st.floats(-89.9, 89.9), "lon": st.floats(-179.9, 179.9),
    "alt_ft": st.floats(-1000.0, 60_000.0), "vn": st.floats(-400.0, 400.0),
    "ve": st.floats(-400.0, 400.0), "vu": st.floats(-60.0, 60.0),
    "address": st.integers(0, 0xFFFFFF), "callsign": CALLSIGN,
})  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(TRACK, st.integers(0, 0xFFFF), st.booleans(), st.booleans()),
             min_size=1, max_size=12),
)  # fmt: skip
def test_cat062_as_the_oracle_reads_it(tracks: list[tuple[dict[str, Any], int, bool, bool]]) -> None:  # noqa: E501
    records = [cat062_record(track_number=tn, coasted=cst, terminated=tse, **t)
               for t, tn, cst, tse in tracks]  # fmt: skip
    for data in datagrams(records, 62, max_bytes=400):
        ours, theirs = decode(data, (62,)), oracle(data)
        assert ours.errors == [] and len(ours.reports) == len(theirs) == ours.records
        for a, b in zip(ours.reports, theirs, strict=True):
            same_062(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TRACK, st.booleans()), min_size=1, max_size=12))
def test_cat021_as_the_oracle_reads_it(tracks: list[tuple[dict[str, Any], bool]]) -> None:
    records = [cat021_record(on_ground=g, **t) for t, g in tracks]
    for data in datagrams(records, 21, max_bytes=400):
        ours, theirs = decode(data, (21,)), oracle(data)
        assert ours.errors == [] and len(ours.reports) == len(theirs) == ours.records
        for a, b in zip(ours.reports, theirs, strict=True):
            same_021(a, b)


def test_a_datagram_of_both_categories() -> None:
    t = {"lat": 50.5, "lon": 4.25, "alt_ft": 31000.0, "vn": 150.0, "ve": -90.0, "vu": -7.5,
         "address": 0x4CA2F1, "callsign": "KLM1023"}  # fmt: skip
    data = datagrams([cat062_record(track_number=1234, **t)], 62)[0] + datagrams(
        [cat021_record(**t)], 21)[0]  # fmt: skip
    ours, theirs = decode(data, (62, 21)), oracle(data)
    assert [r["category"] for r in theirs] == [62, 21] and len(ours.reports) == 2
    same_062(ours.reports[0], theirs[0])
    same_021(ours.reports[1], theirs[1])
