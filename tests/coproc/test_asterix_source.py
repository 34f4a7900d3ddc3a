"""The ASTERIX track table (hw/sim/tracks/asterix_source.py) and the ``asterix+udp://`` spec:
names, coasting, terminated tracks, CAT062 over CAT021, feed health. Pure: times are given."""

from __future__ import annotations

import pytest

from hw.sim.tracks import parse_spec
from hw.sim.tracks.asterix_encode import cat021_record, cat062_record, datagrams
from hw.sim.tracks.asterix_source import AsterixSource
from hw.sim.tracks.asterix_spec import DEFAULT_COAST_S, AsterixOptions
from terminal.kernel.geodesy import geodesic_inverse

POS = {"lat": 51.0, "lon": 0.0, "alt_ft": 20000.0, "vn": 0.0, "ve": 200.0}


def d62(**kw: object) -> bytes:
    return datagrams([cat062_record(**{**POS, **kw})], 62)[0]  # type: ignore[arg-type]


def d21(**kw: object) -> bytes:
    return datagrams([cat021_record(**{**POS, **kw})], 21)[0]  # type: ignore[arg-type]


def test_a_track_is_flown_on_and_named_by_its_address() -> None:
    src = AsterixSource(cats=(62,))
    src.feed(d62(track_number=12, address=0x4CA2F1, callsign="BAW1"), 100.0)
    pic = src.picture(110.0)
    assert pic.ids == ("4CA2F1",)
    moved = float(geodesic_inverse(51.0, 0.0, float(pic.lat[0]), float(pic.lon[0])))
    assert moved == pytest.approx(2000.0, rel=1e-3) and pic.alt_ft[0] == 20000.0


def test_without_an_address_a_track_is_named_by_its_number_and_keeps_its_name() -> None:
    src = AsterixSource()
    src.feed(d62(track_number=12), 0.0)
    src.feed(d62(track_number=12, address=0x4CA2F1), 1.0)  # the address comes later
    assert src.picture(1.0).ids == ("TN12",)


def test_coasted_tracks_stay_stale_ones_go_terminated_ones_go_at_once() -> None:
    src = AsterixSource(coast_s=12.0)
    src.feed(d62(track_number=1, coasted=True), 0.0)
    src.feed(d62(track_number=2), 0.0)
    assert len(src.picture(11.0)) == 2 and src.stats["coasted"] == 1
    src.feed(d62(track_number=2), 11.0)
    src.feed(d62(track_number=1, terminated=True), 11.5)
    assert src.picture(11.5).ids == ("TN2",) and src.stats["terminated"] == 1
    src.feed(d62(track_number=3), 11.5)
    assert set(src.picture(23.2).ids) == {"TN3"}  # 2 last heard at 11.0: 12.2 s ago
    assert len(src.picture(24.0)) == 0 and len(src) == 0


def test_a_system_track_hides_the_adsb_report_of_the_same_aircraft() -> None:
    src = AsterixSource(cats=(62, 21))
    src.feed(d62(track_number=5, address=0xABCDEF), 0.0)
    src.feed(d21(address=0xABCDEF) + d21(address=0x111111, lon=0.5), 0.0)
    assert sorted(src.picture(0.0).ids) == ["111111", "ABCDEF"]
    assert len(src) == 3  # held, not shown twice


def test_left_out_on_the_ground_or_without_altitude_and_no_position_counted() -> None:
    src = AsterixSource(cats=(21, 62))
    src.feed(d21(address=0x000001, on_ground=True), 0.0)
    src.feed(d62(track_number=9, cartesian=(100.0, 100.0)), 0.0)  # no ref point given
    assert len(src.picture(0.0)) == 0 and src.stats["no_position"] == 1 and len(src) == 1


def test_health_counts_records_errors_and_silence() -> None:
    src = AsterixSource(silence_s=5.0, name="asterix+udp://239.1.1.1:8600?cat=062")
    h = src.health(0.0)
    assert not h.connected and h.last_message_age_s is None and h.messages_per_s == 0.0
    for k in range(10):
        src.feed(d62(track_number=1), float(k))
    src.feed(b"\x3e\x00\x02", 9.5)  # a datagram that does not decode
    h = src.health(10.0)
    assert h.name == "asterix+udp://239.1.1.1:8600?cat=062" and h.kind == "asterix"
    assert h.connected and h.last_message_age_s == pytest.approx(0.5)
    assert h.messages_per_s == pytest.approx(1.0, rel=0.15)  # one record a second
    assert h.decode_errors == 1 and "not ASTERIX" in h.last_error and h.tracks_held == 1
    later = src.health(15.6)
    assert not later.connected and later.messages_per_s < h.messages_per_s
    src.note_error("cannot listen on 239.1.1.1:8600: Address already in use")
    assert "already in use" in src.health(15.6).last_error


def test_the_spec() -> None:
    spec = parse_spec("asterix+udp://239.10.1.1:8600?cat=062,021&iface=10.0.0.5&ref=50.5,4.25"
                      "&coast_s=8")  # fmt: skip
    assert (spec.kind, spec.host, spec.port) == ("asterix", "239.10.1.1", 8600)
    assert spec.asterix == AsterixOptions(cats=(62, 21), iface="10.0.0.5", ref=(50.5, 4.25),
                                          coast_s=8.0)  # fmt: skip
    assert spec.asterix.silence_limit_s == 8.0
    plain = parse_spec("asterix+udp://0.0.0.0:8600")
    assert plain.asterix == AsterixOptions() and plain.asterix.coast_s == DEFAULT_COAST_S
    assert parse_spec("asterix+udp://[::1]:8600?cat=21").host == "::1"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("asterix+udp://239.1.1.1", "HOST:PORT"),
        ("asterix+udp://239.1.1.1:0", "HOST:PORT"),
        ("asterix+udp://239.1.1.1:99999", "HOST:PORT"),
        ("asterix+udp://239.1.1.1:8600?cat=048", "cat must be"),
        ("asterix+udp://239.1.1.1:8600?cat=62&cat=21", "given twice"),
        ("asterix+udp://239.1.1.1:8600?ref=95,0", "ref must be"),
        ("asterix+udp://239.1.1.1:8600?coast_s=-1", "coast_s must be"),
        ("asterix+udp://239.1.1.1:8600?iface=eth0", "iface must be"),
        ("asterix+udp://239.1.1.1:8600?speed=2", "unknown option 'speed'"),
    ],
)
def test_bad_specs_say_why(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_spec(text)
