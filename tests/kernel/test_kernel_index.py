"""The spatial index finds every pair the all-pairs computation flags."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import offset, row

from terminal.kernel.assess import Assessment, assess
from terminal.kernel.index import all_pairs, candidate_pairs, search_radius
from terminal.kernel.line import Line
from terminal.kernel.picture import Geometry, Picture
from terminal.kernel.thresholds import DEFAULT_TABLE


def flagged(result: Assessment) -> dict[tuple[int, int], int]:
    pm = result.pairs
    return {(int(i), int(j)): int(s) for i, j, s in zip(pm.i, pm.j, result.pair_severity,
                                                         strict=True)}  # fmt: skip


def line_flagged(result: Assessment) -> dict[int, int]:
    if result.line is None:
        return {}
    return {int(i): int(s) for i, s in zip(result.line.i, result.line_severity, strict=True)}


centres = st.one_of(
    st.tuples(st.floats(-70.0, 70.0), st.floats(-180.0, 180.0)),
    st.tuples(st.sampled_from([-1.0, 1.0]), st.floats(88.0, 89.9), st.floats(-180.0, 180.0)).map(
        lambda t: (t[0] * t[1], t[2])
    ),
    st.tuples(st.floats(-60.0, 60.0), st.sampled_from([179.9, -179.9])),
)
tracks = st.lists(
    st.tuples(
        st.floats(0.0, 360.0),  # bearing from the centre
        st.floats(0.0, 60_000.0),  # distance from the centre, m
        st.one_of(st.floats(0.0, 45_000.0), st.sampled_from([20_000.0, 20_500.0, 21_000.0])),
        st.floats(0.0, 600.0),  # ground speed, m/s
        st.floats(0.0, 360.0),  # heading
        st.one_of(st.just(0.0), st.floats(-60.0, 60.0)),  # climb rate, m/s
    ),
    min_size=2,
    max_size=40,
)


def build(centre: tuple[float, float], spec: list[tuple[float, ...]]) -> Picture:
    rows = []
    for k, (bearing, dist, alt, speed, heading, vu) in enumerate(spec):
        lat, lon = offset(*centre, bearing, dist)
        rows.append(row(f"T{k}", lat, lon, alt, speed, heading, vu))
    return Picture.from_rows(rows)


@settings(max_examples=300, deadline=None)
@given(centre=centres, spec=tracks)
def test_index_finds_every_flagged_pair(
    centre: tuple[float, float], spec: list[tuple[float, ...]]
) -> None:
    pic = build(centre, spec)
    every = assess(pic, exhaustive=True)
    indexed = assess(pic)
    assert flagged(indexed) == flagged(every)
    i, j = candidate_pairs(pic, Geometry.of(pic), DEFAULT_TABLE)
    assert set(flagged(every)) <= set(zip(i.tolist(), j.tolist(), strict=True))


@settings(max_examples=60, deadline=None)
@given(centre=centres, spec=tracks, bearing=st.floats(0.0, 180.0), shift=st.floats(0.0, 40_000.0))
def test_line_prefilter_finds_every_flagged_track(
    centre: tuple[float, float], spec: list[tuple[float, ...]], bearing: float, shift: float
) -> None:
    pic = build(centre, spec)
    mid = offset(*centre, bearing + 90.0, shift)
    line = Line(
        "DL", (offset(*mid, bearing, 80_000.0), mid, offset(*mid, bearing + 170.0, 80_000.0))
    )
    assert line_flagged(assess(pic, line)) == line_flagged(assess(pic, line, exhaustive=True))


def test_index_on_a_crowded_sky_is_far_below_all_pairs() -> None:
    rng = np.random.default_rng(42)
    n = 1200
    rows = [
        (f"T{k}", rng.uniform(45, 55), rng.uniform(-5, 10), rng.uniform(1000, 40000),
         rng.uniform(-250, 250), rng.uniform(-250, 250), rng.uniform(-10, 10))
        for k in range(n)
    ]  # fmt: skip
    pic = Picture.from_rows(rows)
    geo = Geometry.of(pic)
    i, _ = candidate_pairs(pic, geo, DEFAULT_TABLE)
    assert len(i) < len(all_pairs(n)[0]) / 100
    assert flagged(assess(pic)) == flagged(assess(pic, exhaustive=True))
    assert search_radius(geo, DEFAULT_TABLE) > 2 * 250 * 48


def test_few_tracks() -> None:
    for n in (0, 1):
        pic = Picture.from_rows([row(f"T{k}", 0.0, 0.0, 0.0, 0.0, 0.0) for k in range(n)])
        result = assess(pic, Line("DL", ((0.0, 0.0), (1.0, 0.0))))
        assert len(result.pairs) == 0 and result.candidates == 0
