"""ASTERIX decoding (hw/sim/tracks/asterix.py): the items mapped, the editions, and datagrams that
do not decode (counted, never raised)."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hw.sim.tracks.asterix import FPM, NM, decode, stereographic_to_wgs84
from hw.sim.tracks.asterix_encode import (
    address_of,
    callsign_of,
    cat021_record,
    cat062_record,
    datagrams,
    picture_datagrams,
)
from hw.sim.tracks.asterix_lib import generated as gen
from hw.sim.tracks.scenarios import make
from terminal.kernel.geodesy import geodesic_inverse

TRACK = {"lat": 51.25, "lon": -0.5, "alt_ft": 24000.0, "vn": -120.0, "ve": 80.0, "vu": 5.08}


def one(data: bytes, cats: tuple[int, ...] = (62, 21), ref: tuple[float, float] | None = None):
    decoded = decode(data, cats, ref)
    assert decoded.errors == []
    (report,) = decoded.reports
    return report


def test_a_cat062_track_is_read_item_by_item() -> None:
    rec = cat062_record(track_number=4711, address=0x4CA2F1, callsign="BAW123", sac=25, sic=9,
                        **TRACK)  # fmt: skip
    r = one(datagrams([rec], 62)[0])
    assert (r.cat, r.key, r.track_number, r.address, r.callsign) == (
        62, "62/25/9/4711", 4711, 0x4CA2F1, "BAW123")  # fmt: skip
    assert r.lat == pytest.approx(51.25, abs=6e-6) and r.lon == pytest.approx(-0.5, abs=6e-6)
    assert r.alt_ft == 24000.0  # I062/136, FL240
    assert (r.vn, r.ve) == (-120.0, 80.0)  # I062/185 VY, VX
    assert r.vu == pytest.approx(5.08, abs=6.25 * FPM)  # I062/220, 6.25 ft/min
    assert not (r.coasted or r.terminated or r.on_ground)


def test_cat062_status_geometric_altitude_and_no_address() -> None:
    rec = cat062_record(track_number=7, coasted=True, geometric=True, **TRACK)
    r = one(datagrams([rec], 62)[0])
    assert r.coasted and not r.terminated
    assert r.alt_ft == 24000.0  # I062/130, ft
    assert r.address is None and r.callsign == ""
    end = cat062_record(track_number=7, terminated=True, **TRACK)
    assert one(datagrams([end], 62)[0]).terminated


def test_cat062_cartesian_needs_the_reference_point() -> None:
    ref = (50.0, 4.0)
    rec = cat062_record(track_number=3, cartesian=(30_000.0, -40_000.0), **TRACK)
    data = datagrams([rec], 62)[0]
    bare = decode(data, (62,))
    assert bare.reports == [] and bare.no_position == 1 and bare.errors == []
    r = one(data, (62,), ref)
    # 50 km from the reference point at the bearing of (x east, y north)
    assert float(geodesic_inverse(*ref, r.lat, r.lon)) == pytest.approx(50_000.0, rel=2e-4)
    lat, lon = stereographic_to_wgs84(0.0, 0.0, ref)
    assert (lat, lon) == pytest.approx(ref)


def test_a_cat021_report_is_read_item_by_item() -> None:
    rec = cat021_record(address=0x400ABC, callsign="EZY12AB", **TRACK)
    r = one(datagrams([rec], 21)[0])
    assert (r.cat, r.key, r.address, r.callsign, r.track_number) == (
        21, "21/400ABC", 0x400ABC, "EZY12AB", None)  # fmt: skip
    assert r.lat == pytest.approx(51.25, abs=2e-7) and r.lon == pytest.approx(-0.5, abs=2e-7)
    assert r.alt_ft == 24000.0
    speed = math.hypot(-120.0, 80.0)
    assert math.hypot(r.vn, r.ve) == pytest.approx(speed, abs=6.2e-5 * NM)
    assert math.degrees(math.atan2(r.ve, r.vn)) == pytest.approx(
        math.degrees(math.atan2(80.0, -120.0)), abs=0.01)  # fmt: skip
    assert r.vu == pytest.approx(5.08, abs=6.25 * FPM)
    grounded = cat021_record(address=0x400ABC, on_ground=True, **TRACK)
    assert one(datagrams([grounded], 21)[0]).on_ground


def test_both_categories_in_one_datagram_and_a_category_not_asked_for() -> None:
    pic = make("head-on").picture(0.0)
    both = picture_datagrams(pic, 62)[0] + picture_datagrams(pic, 21)[0]
    decoded = decode(both, (62, 21))
    assert decoded.records == 4 and [r.cat for r in decoded.reports] == [62, 62, 21, 21]
    only = decode(both, (62,))
    assert only.records == 2 and only.other_category == 1 and only.errors == []


def test_ids_as_sbs_names_them() -> None:
    assert address_of("4CA2F1") == 0x4CA2F1
    assert 0 <= address_of("RAF101") < 1 << 24
    assert callsign_of("raf-101/x") == "RAF101X"


@pytest.mark.parametrize("edition", gen.manifest["CATS"][62], ids=lambda s: f"062-{s.cv_edition}")
def test_every_cat062_edition_encodes_the_items_read_alike(edition: type) -> None:
    """The module's docstring says a 1.16..1.21 tracker is read right by the 1.20 decoder."""
    items = {
        "010": (("SAC", 1), ("SIC", 2)), "070": (100.0, "s"), "040": 9,
        "105": (("LAT", (51.0, "°")), ("LON", (4.0, "°"))),
        "100": (("X", (1000.0, "m")), ("Y", (2000.0, "m"))),
        "185": (("VX", (100.0, "m/s")), ("VY", (-50.0, "m/s"))),
        "080": ((("MON", 0), ("SPI", 0), ("MRH", 0), ("SRC", 0), ("CNF", 0), None),),
        "136": (350.0, "FL"), "130": (35000.0, "ft"), "220": (-640.0, "ft/min"),
        "380": {"ADR": 0xABCDEF, "ID": "KLM1234"},
    }  # fmt: skip
    ours = gen.Cat_062_1_20.create([gen.Cat_062_1_20.cv_record.create(items)])
    theirs = edition.create([edition.cv_record.create(items)])  # type: ignore[attr-defined]
    assert theirs.unparse().to_bytes() == ours.unparse().to_bytes()


@pytest.mark.parametrize(
    "edition", [s for s in gen.manifest["CATS"][21] if s.cv_edition[0] == 2],
    ids=lambda s: f"021-{s.cv_edition}",
)  # fmt: skip
def test_every_cat021_2x_edition_encodes_the_items_read_alike(edition: type) -> None:
    items = {
        "010": (("SAC", 1), ("SIC", 2)), "080": 0xABCDEF,
        "131": (("LAT", (51.0, "°")), ("LON", (4.0, "°"))),
        "130": (("LAT", (51.0, "°")), ("LON", (4.0, "°"))),
        "145": (350.0, "FL"), "140": (35000.0, "ft"),
        "155": (("RE", 0), ("BVR", (-640.0, "ft/min"))),
        "157": (("RE", 0), ("GVR", (-640.0, "ft/min"))),
        "160": (("RE", 0), ("GS", (0.12, "NM/s")), ("TA", (270.0, "°"))), "170": "KLM1234",
        "040": ((("ATP", 1), ("ARC", 1), ("RC", 0), ("RAB", 0), None),
                (("DCR", 0), ("GBS", 1), ("SIM", 0), ("TST", 0), ("SAA", 0), ("CL", 0), None)),
    }  # fmt: skip
    ours = gen.Cat_021_2_6.create([gen.Cat_021_2_6.cv_record.create(items)])
    theirs = edition.create([edition.cv_record.create(items)])  # type: ignore[attr-defined]
    assert theirs.unparse().to_bytes() == ours.unparse().to_bytes()


def _good() -> bytes:
    return datagrams([cat062_record(track_number=1, **TRACK)], 62)[0]


HOSTILE = {
    "empty": b"",
    "truncated header": _good()[:2],
    "truncated datablock": _good()[:-3],
    "length past the end": _good()[:1] + (len(_good()) + 9).to_bytes(2, "big") + _good()[3:],
    "length under the header": b"\x3e\x00\x02",
    "records cut short": _good()[:1] + (len(_good()) - 4).to_bytes(2, "big") + _good()[3:-4],
    # an FSPEC that says every item is there (all FX set, then bits for spare slots): the items
    # it claims are absent from the bytes
    "fspec claiming absent items": b"\x3e\x00\x0a" + b"\xff" * 6 + b"\x01",
    "fspec without end": b"\x3e\x00\x06\xff\xff\xff",
    "thousands of empty datablocks": b"\x3e\x00\x03" * 21_845,
    "64 KiB of random bytes": os.urandom(65_507),
}


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_datagrams_are_counted_and_skipped(data: bytes) -> None:
    decoded = decode(data, (62, 21))
    assert decoded.reports == []
    assert decoded.errors or decoded.records == 0


def test_a_wrong_category_is_counted_not_an_error() -> None:
    cat48 = gen.Cat_048_1_31
    data = cat48.create([cat48.cv_record.create({"010": 0, "040": 0})]).unparse().to_bytes()
    decoded = decode(data, (62, 21))
    assert decoded.other_category == 1 and decoded.errors == [] and decoded.reports == []
    cat21_on_62 = picture_datagrams(make("head-on").picture(0.0), 21)[0]
    assert decode(cat21_on_62, (62,)).other_category == 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_decode_or_are_counted(data: bytes) -> None:
    decoded = decode(data, (62, 21))
    assert all(r.has_position or r.terminated for r in decoded.reports)
    assert decoded.records >= len(decoded.reports)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([62, 21]), st.binary(min_size=1, max_size=600))
def test_a_right_header_on_random_records_never_raises(cat: int, body: bytes) -> None:
    """Random record bytes behind a valid header: the deeper decoder is reached every time."""
    data = bytes([cat]) + (len(body) + 3).to_bytes(2, "big") + body
    decoded = decode(data, (62, 21))
    assert decoded.errors or decoded.records >= 1
    for r in decoded.reports:
        assert r.has_position or r.terminated


def _same(data: bytes) -> None:
    """Reading only the items used accepts and refuses what libasterix's full parse does."""
    quick, full = decode(data, (62, 21)), decode(data, (62, 21), every_item=True)
    assert quick.reports == full.reports and quick.records == full.records
    assert bool(quick.errors) == bool(full.errors) and quick.no_position == full.no_position


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([62, 21]), st.binary(min_size=1, max_size=400))
def test_reading_only_the_items_used_agrees_with_the_full_parse(cat: int, body: bytes) -> None:
    _same(bytes([cat]) + (len(body) + 3).to_bytes(2, "big") + body)


def test_the_full_parse_agrees_on_rich_and_hostile_datagrams() -> None:
    from bench.bench_asterix import national_picture

    for data in [*national_picture(60), *HOSTILE.values()]:
        _same(data)
    pic = make("crowded:40").picture(5.0)
    for cat in (62, 21):
        for data in picture_datagrams(pic, cat):
            _same(data)
