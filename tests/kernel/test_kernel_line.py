"""Distance to the deconfliction line and the time to reach it, against GeographicLib."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import WGS84, distance_to_geodesic, offset, row

from terminal.kernel.line import Line, line_metrics, near_line
from terminal.kernel.picture import Geometry, Picture
from terminal.kernel.report import Member, measure_line


def metrics_of(pic: Picture, line: Line):  # type: ignore[no-untyped-def]
    return line_metrics(pic, Geometry.of(pic), line, np.arange(len(pic), dtype=np.intp))


def polyline_distance(lat: float, lon: float, line: Line) -> float:
    pts = line.points
    return min(distance_to_geodesic(lat, lon, a, b)[0] for a, b in itertools.pairwise(pts))


places = st.one_of(
    st.tuples(st.floats(-70.0, 70.0), st.floats(-180.0, 180.0)),
    st.tuples(st.floats(80.0, 88.0), st.floats(-180.0, 180.0)),
    st.tuples(st.floats(-60.0, 60.0), st.floats(179.0, 180.0)),
)


@settings(max_examples=60, deadline=None)
@given(
    start=places,
    azimuth=st.floats(0.0, 360.0),
    seg_km=st.floats(5.0, 300.0),
    bend=st.floats(-60.0, 60.0),
    side=st.floats(0.0, 1.0),
    off_m=st.floats(1.0, 3.0).map(lambda e: 10.0**e * 10),  # 100 m .. 100 km
    off_dir=st.sampled_from([90.0, -90.0]),
)
def test_distance_agrees_with_geographiclib(
    start: tuple[float, float], azimuth: float, seg_km: float, bend: float, side: float,
    off_m: float, off_dir: float,
) -> None:  # fmt: skip
    p0 = start
    p1 = offset(*p0, azimuth, seg_km * 1000)
    az1 = WGS84.Inverse(*p0, *p1)["azi2"]
    p2 = offset(*p1, az1 + bend, seg_km * 1000)
    line = Line("DL", (p0, p1, p2))
    # a point off the first segment, somewhere along it
    s = WGS84.InverseLine(*p0, *p1).Position(side * seg_km * 1000)
    lat, lon = offset(s["lat2"], s["lon2"], s["azi2"] + off_dir, off_m)
    pic = Picture.from_rows([row("A", lat, lon, 20000, 0.0, 0.0)])
    m = metrics_of(pic, line)
    want = polyline_distance(lat, lon, line)
    got = float(m.hsep_m[0])
    assert abs(got - want) <= max(1.0, 0.001 * want), (got, want)
    # the foot is on the line: its own distance to the line is ~0
    foot = polyline_distance(float(m.foot_lat[0]), float(m.foot_lon[0]), line)
    assert foot <= max(1.0, 0.001 * want)


def _step_until_crossing(pic: Picture, line: Line, horizon: float) -> float | None:
    """Time the aircraft (flown along its geodesic) first reaches the line, by stepping."""
    lat, lon = float(pic.lat[0]), float(pic.lon[0])
    speed = float(np.hypot(pic.vn[0], pic.ve[0]))
    heading = float(np.degrees(np.arctan2(pic.ve[0], pic.vn[0])))
    path = WGS84.Line(lat, lon, heading)

    def side(t: float) -> float:
        p = path.Position(speed * t)
        q = Picture.from_rows([row("A", p["lat2"], p["lon2"], 20000, 0.0, 0.0)])
        mm = metrics_of(q, line)
        return float(mm.hsep_m[0])

    t, dt, prev = 0.0, 0.25, side(0.0)
    while t < horizon:
        t += dt
        d = side(t)
        if d > prev and prev < 50.0:
            return t - dt
        prev = d
    return None


@pytest.mark.parametrize(
    ("lat", "lon", "heading", "dist_m"),
    [
        (50.0, 0.0, 90.0, 8000.0),  # straight at it
        (50.0, 0.0, 60.0, 8000.0),  # at an angle
        (-40.0, 179.9, 120.0, 5000.0),  # across the antimeridian
        (85.0, 10.0, 100.0, 6000.0),  # near the pole
    ],
)
def test_time_to_reach_the_line(lat: float, lon: float, heading: float, dist_m: float) -> None:
    # the line runs north-south dist_m east of the aircraft
    east = offset(lat, lon, 90.0, dist_m)
    line = Line("DL", (offset(*east, 0.0, 50_000.0), offset(*east, 180.0, 50_000.0)))
    pic = Picture.from_rows([row("A", lat, lon, 20000, 250.0, heading)])
    m = metrics_of(pic, line)
    assert m.miss_m[0] == 0.0
    t = float(m.tcpa_s[0])
    stepped = _step_until_crossing(pic, line, horizon=t * 2 + 10)
    assert stepped is not None
    assert abs(t - stepped) <= 0.5 + 0.01 * t
    assert m.range_rate[0] < 0


def _brute_miss(pic: Picture, line: Line, horizon: float, step: float) -> tuple[float, float]:
    """(time, distance) of the closest approach to the line of track 0 flown along its geodesic,
    distances by GeographicLib."""
    speed = float(np.hypot(pic.vn[0], pic.ve[0]))
    heading = float(np.degrees(np.arctan2(pic.ve[0], pic.vn[0])))
    path = WGS84.Line(float(pic.lat[0]), float(pic.lon[0]), heading)
    best = (np.inf, 0.0)
    for t in np.arange(0.0, horizon + step, step):
        p = path.Position(speed * t)
        d = polyline_distance(p["lat2"], p["lon2"], line)
        best = min(best, (d, float(t)))
    return best[1], best[0]


@pytest.mark.parametrize(
    ("start_off", "heading", "want_t"),
    [
        ((0.0, 3000.0), 0.0, 139.0),  # alongside, 3 km west: meridians converge, closest at the end
        ((-10_000.0, 500.0), 359.5, 50.0),  # from the south, veering away: closest at the start
        ((0.0, 3000.0), 270.0, 0.0),  # flying away: closest now
    ],
)
def test_closest_approach_without_crossing(
    start_off: tuple[float, float], heading: float, want_t: float
) -> None:
    line = Line("DL", ((50.0, 1.0), (50.5, 1.0)))
    north, west = start_off
    base = offset(50.25, 1.0, 0.0 if north >= 0 else 180.0, abs(north))
    if north < 0:
        base = offset(50.0, 1.0, 180.0, -north)
    lat, lon = offset(*base, 270.0, west)
    pic = Picture.from_rows([row("V", lat, lon, 20000, 200.0, heading)])
    m = metrics_of(pic, line)
    assert m.miss_m[0] > 0
    t_bf, miss_bf = _brute_miss(pic, line, horizon=300.0, step=2.0)
    assert abs(float(m.miss_m[0]) - miss_bf) <= max(2.0, 0.005 * miss_bf)
    assert abs(float(m.tcpa_s[0]) - t_bf) <= 3.0
    assert abs(float(m.tcpa_s[0]) - want_t) <= 0.1 * want_t + 3.0


def test_closest_segment_and_foot() -> None:
    line = Line("DL", ((0.0, 0.0), (0.0, 1.0), (1.0, 1.0)))
    pic = Picture.from_rows([row("A", 0.5, 1.01, 10000, 0.0, 0.0), row("B", -0.01, 0.5, 0, 0, 0)])
    m = metrics_of(pic, line)
    assert m.segment.tolist() == [1, 0]
    assert m.foot_lat[0] == pytest.approx(0.5, abs=1e-3) and m.foot_lon[0] == pytest.approx(1.0)
    assert m.foot_lat[1] == pytest.approx(0.0, abs=1e-9) and m.foot_lon[1] == pytest.approx(0.5)


def test_near_line_keeps_every_track_within_reach() -> None:
    rng = np.random.default_rng(7)
    line = Line("DL", ((40.0, -5.0), (42.0, 0.0), (41.0, 5.0)))
    n = 2000
    pic = Picture.from_rows(
        [(f"T{k}", rng.uniform(35, 47), rng.uniform(-12, 12), 20000.0, 0.0, 0.0, 0.0)
         for k in range(n)]
    )  # fmt: skip
    geo = Geometry.of(pic)
    reach = np.full(n, 50_000.0)
    kept = set(near_line(geo, line, reach).tolist())
    dist = metrics_of(pic, line).hsep_m
    inside = set(np.flatnonzero(dist <= 50_000.0).tolist())
    assert inside <= kept
    assert len(kept) < n  # and it does filter


def test_measure_line_gives_the_foot_as_a_member() -> None:
    line = Line("DL", ((50.0, 1.0), (51.0, 1.0)))
    a = Member("A", 50.5, 0.95, 20000, 0.0, 200.0, 0.0)
    numbers, foot = measure_line(a, line)
    assert foot.id == "DL-1" and (foot.alt_ft, foot.vn_ms, foot.ve_ms, foot.vu_ms) == (0, 0, 0, 0)
    assert numbers.vsep_ft == 0 and numbers.miss_m == 0.0
    assert numbers.tcpa_s == pytest.approx(numbers.hsep_m / 200.0, rel=0.01)


def test_a_line_needs_two_valid_points() -> None:
    with pytest.raises(ValueError):
        Line("DL", ((0.0, 0.0),))
    with pytest.raises(ValueError):
        Line("DL", ((0.0, 0.0), (91.0, 0.0)))
