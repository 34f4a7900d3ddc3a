"""CPA, range rate and the taus against brute force: both aircraft flown along their geodesics
with GeographicLib, time-stepped, the closest approach refined."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from kernel_helpers import WGS84, brute_cpa, flown_range, offset, pair, row

from terminal.kernel.pairs import modified_tau, pair_metrics, range_tau, vertical_tau
from terminal.kernel.picture import Geometry, Picture


def metrics(pic: Picture):  # type: ignore[no-untyped-def]
    return pair_metrics(pic, Geometry.of(pic), [0], [1])


speeds = st.floats(0.0, 350.0)
headings = st.floats(0.0, 360.0)
places = st.one_of(
    st.tuples(st.floats(-70.0, 70.0), st.floats(-180.0, 180.0)),
    st.tuples(st.floats(84.0, 89.5), st.floats(-180.0, 180.0)),  # near the pole
    st.tuples(st.floats(-60.0, 60.0), st.floats(179.5, 180.0)),  # at the antimeridian
)


@settings(max_examples=60, deadline=None)
@given(
    where=places,
    range_m=st.floats(200.0, 30_000.0),
    bearing=headings,
    va=st.tuples(speeds, headings),
    vb=st.tuples(speeds, headings),
)
def test_cpa_agrees_with_time_stepping(
    where: tuple[float, float], range_m: float, bearing: float,
    va: tuple[float, float], vb: tuple[float, float],
) -> None:  # fmt: skip
    pic = pair(*where, range_m=range_m, bearing=bearing, va=va, vb=vb)
    m = metrics(pic)
    tcpa, miss = float(m.tcpa_s[0]), float(m.miss_m[0])
    horizon = min(tcpa * 1.5 + 5.0, 200.0)
    t_bf, miss_bf = brute_cpa(pic, horizon)
    if tcpa > 150.0:  # beyond the horizon that matters (tau <= 48 s): only "not soon"
        assert t_bf > 100.0 or miss_bf > 0.9 * miss
        return
    tol = max(1.0, 0.002 * range_m)
    assert abs(miss - miss_bf) <= tol, (tcpa, miss, t_bf, miss_bf)
    # the kernel's CPA time is where the flown range is (near) its minimum
    assert flown_range(pic, tcpa) - miss_bf <= tol
    relative = math.hypot(pic.vn[1] - pic.vn[0], pic.ve[1] - pic.ve[0])
    if relative > 20.0:  # slower, and the minimum is too flat for its time to mean much
        assert abs(tcpa - t_bf) <= 0.5 + 0.02 * tcpa, (tcpa, t_bf)


@settings(max_examples=40, deadline=None)
@given(
    where=places,
    range_m=st.floats(500.0, 50_000.0),
    bearing=headings,
    va=st.tuples(speeds, headings),
    vb=st.tuples(speeds, headings),
)
def test_range_rate_is_the_derivative_of_the_flown_range(
    where: tuple[float, float], range_m: float, bearing: float,
    va: tuple[float, float], vb: tuple[float, float],
) -> None:  # fmt: skip
    pic = pair(*where, range_m=range_m, bearing=bearing, va=va, vb=vb)
    m = metrics(pic)
    dt = 0.01
    numeric = (flown_range(pic, dt) - flown_range(pic, -dt)) / (2 * dt)
    assert abs(float(m.range_rate[0]) - numeric) <= 0.05 + 0.002 * abs(numeric)
    assert abs(float(m.hsep_m[0]) - range_m) <= max(1.0, 0.001 * range_m)


def test_head_on_numbers() -> None:
    # 20 km apart, each flying at the other at 230 m/s: CPA in 20000/460 s, miss 0
    back = WGS84.Inverse(51.0, -1.0, *offset(51.0, -1.0, 90.0, 20_000.0))["azi2"] + 180.0
    pic = pair(51.0, -1.0, range_m=20_000.0, bearing=90.0, va=(230.0, 90.0), vb=(230.0, back))
    m = metrics(pic)
    assert m.hsep_m[0] == pytest.approx(20_000.0, abs=0.01)
    assert m.range_rate[0] == pytest.approx(-460.0, rel=1e-3)
    assert m.tcpa_s[0] == pytest.approx(20_000.0 / 460.0, rel=1e-3)
    assert m.miss_m[0] < 1.0
    assert range_tau(m.hsep_m, m.range_rate)[0] == pytest.approx(20_000.0 / 460.0, rel=1e-3)


def test_diverging_pair_is_at_its_cpa_now() -> None:
    pic = pair(10.0, 10.0, range_m=5_000.0, bearing=0.0, va=(200.0, 180.0), vb=(200.0, 0.0))
    m = metrics(pic)
    assert m.tcpa_s[0] == 0.0
    assert m.miss_m[0] == pytest.approx(5_000.0, abs=0.01)
    assert m.range_rate[0] > 0
    assert np.isinf(range_tau(m.hsep_m, m.range_rate)[0])


def test_same_velocity_never_closes() -> None:
    pic = pair(-33.0, 151.0, range_m=3_000.0, bearing=45.0, va=(150.0, 10.0), vb=(150.0, 10.0))
    m = metrics(pic)
    assert m.tcpa_s[0] == 0.0 and m.miss_m[0] == pytest.approx(3_000.0, abs=0.5)
    assert abs(m.range_rate[0]) < 0.5


def test_taus() -> None:
    r = np.array([10_000.0, 10_000.0, 1_000.0, 10_000.0])
    rdot = np.array([-100.0, 50.0, -100.0, 0.0])
    assert range_tau(r, rdot).tolist() == [100.0, math.inf, 10.0, math.inf]
    dmod = 2_000.0
    tau_mod = modified_tau(r, rdot, dmod)
    assert tau_mod[0] == pytest.approx((10_000.0**2 - dmod**2) / (10_000.0 * 100.0))
    assert tau_mod[0] < 100.0  # modified tau alerts earlier for slow closures
    assert math.isinf(tau_mod[1]) and tau_mod[2] == 0.0 and math.isinf(tau_mod[3])
    # time to co-altitude
    vt = vertical_tau(np.array([300.0, 300.0, -300.0]), np.array([-10.0, 10.0, 10.0]))
    assert vt.tolist() == [30.0, math.inf, 30.0]


def test_modified_tau_is_the_time_to_reach_dmod_for_a_head_on_closure() -> None:
    # For a direct closure the range falls linearly: r(t) = r - c t. Modified tau lies between
    # the time to reach DMOD (stepped here) and range tau r/c.
    r0, c, dmod = 12_000.0, 300.0, 2_000.0
    t = np.arange(0.0, 60.0, 0.001)
    first_inside = float(t[np.argmax(r0 - c * t <= dmod)])
    tm = float(modified_tau(r0, -c, dmod))
    assert first_inside < tm < r0 / c
    assert tm == pytest.approx((r0 - dmod**2 / r0) / c)


def test_vertical_separation_now_and_at_cpa() -> None:
    pic = pair(45.0, 5.0, range_m=10_000.0, bearing=0.0, alt_a=10_000.0, alt_b=12_000.0,
               va=(200.0, 0.0), vb=(200.0, 180.0), vu_a=5.0, vu_b=-5.0)  # fmt: skip
    m = metrics(pic)
    assert m.vsep_m[0] == pytest.approx(2_000 * 0.3048)
    t = float(m.tcpa_s[0])
    assert t == pytest.approx(25.0, rel=1e-3)
    assert m.vsep_cpa_m[0] == pytest.approx(abs(2_000 * 0.3048 - 10.0 * t), abs=0.01)


@settings(max_examples=40, deadline=None)
@given(
    where=places,
    va=st.tuples(speeds, headings),
    speed_b=st.floats(50.0, 350.0),
    approach=headings,
    meet_s=st.floats(5.0, 60.0),
)
def test_range_tau_is_the_time_to_collision_on_a_collision_course(
    where: tuple[float, float], va: tuple[float, float], speed_b: float, approach: float,
    meet_s: float,
) -> None:  # fmt: skip
    # B is placed so that both reach the same point at meet_s, flying straight (geodesics)
    line_a = WGS84.Line(*where, va[1])
    meet = line_a.Position(va[0] * meet_s)
    start_b = WGS84.Direct(meet["lat2"], meet["lon2"], approach, speed_b * meet_s)
    heading_b = start_b["azi2"] + 180.0
    pic = Picture.from_rows([
        row("A", *where, 20000.0, *va),
        row("B", start_b["lat2"], start_b["lon2"], 20000.0, speed_b, heading_b),
    ])  # fmt: skip
    m = metrics(pic)
    # B flying A's own course from A's own place (approach from straight behind at A's speed) is
    # no collision course: they are together from the start, and no time to collision exists.
    assume(float(m.hsep_m[0]) > 1.0)
    t_bf, miss_bf = brute_cpa(pic, meet_s + 10.0, step_s=0.25)
    assert miss_bf < 1.0 and abs(t_bf - meet_s) < 0.01  # the stepping finds the collision
    tau = float(range_tau(m.hsep_m, m.range_rate)[0])
    assert abs(tau - meet_s) <= 0.05 + 0.005 * meet_s
    assert abs(float(m.tcpa_s[0]) - meet_s) <= 0.05 + 0.005 * meet_s
    assert float(m.miss_m[0]) <= 2.0 + 0.002 * float(m.hsep_m[0])
