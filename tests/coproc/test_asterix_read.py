"""Reading only the ASTERIX items used (hw/sim/tracks/asterix_read.py, compiled or pure): it must
read what libasterix's strict parse of every item reads, and the comparison must be able to
fail."""

from __future__ import annotations

import dataclasses

import pytest

from hw.sim.tracks import asterix
from hw.sim.tracks.asterix import LAYOUTS, decode
from hw.sim.tracks.asterix_encode import cat021_record, cat062_record, datagrams
from hw.sim.tracks.asterix_lib import reader

TRACK = {"lat": 51.25, "lon": -0.5, "alt_ft": 24000.0, "vn": -120.0, "ve": 80.0, "vu": 5.08}


def _both(data: bytes) -> tuple[asterix.Decoded, asterix.Decoded]:
    return decode(data, (62, 21)), decode(data, (62, 21), every_item=True)


def test_a_subitem_read_at_the_wrong_place_is_caught_by_the_full_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = datagrams([cat062_record(track_number=3, address=0xABCDEF, **TRACK)], 62)[0]
    quick, full = _both(data)
    assert quick.reports == full.reports and quick.reports[0].lat == pytest.approx(51.25, 1e-5)
    fields = asterix.FIELD_AT[62]
    lat = fields["105", "LAT"]
    monkeypatch.setitem(fields, ("105", "LAT"), dataclasses.replace(lat, offset=lat.offset + 1))
    quick, full = _both(data)
    assert quick.reports != full.reports


def _extended(cat: int, name: str) -> reader.Step:
    return next(s for s in LAYOUTS[cat].steps if s is not None and s.name == name)


def test_extended_items_are_known_again_by_their_octets_and_read_alike() -> None:
    """Track status (I062/080) and target report descriptor (I021/040): parsed by libasterix the
    first time their octets are seen; the same octets later, or octets that differ past a
    first octet seen before, read as the full parse reads them."""
    tracks = [cat062_record(track_number=k, coasted=k % 3 == 1, terminated=k % 3 == 2, **TRACK)
              for k in range(9)]  # fmt: skip
    reports = [cat021_record(address=0x100 + k, on_ground=k % 2 == 1, **TRACK) for k in range(6)]
    for data in datagrams(tracks, 62, max_bytes=200) + datagrams(reports, 21, max_bytes=120):
        quick, full = _both(data)
        assert quick.reports == full.reports and not quick.errors
    assert len(_extended(62, "080").known or ()) >= 3  # the three statuses, each once
    assert len(_extended(21, "040").known or ()) >= 2
    statuses = [(r.coasted, r.terminated) for r in decode(datagrams(tracks, 62)[0]).reports]
    assert statuses == [(k % 3 == 1, k % 3 == 2) for k in range(9)]


def test_an_extended_item_cut_short_is_refused_as_the_full_parse_refuses_it() -> None:
    good = datagrams([cat062_record(track_number=1, coasted=True, **TRACK)], 62)[0]
    decode(good)  # its status octets now known
    for n in range(4, len(good)):
        cut = good[:1] + n.to_bytes(2, "big") + good[3:n]
        quick, full = _both(cut)
        assert bool(quick.errors) == bool(full.errors) and quick.reports == full.reports
