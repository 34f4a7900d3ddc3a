"""Geodesic distance against GeographicLib: within 0.1 % or 1 m, 10 m to 1,000 km, anywhere."""

from __future__ import annotations

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.kernel.geodesy import (
    WGS84_A,
    dot,
    ecef,
    enu_axes,
    geodesic_inverse,
    nvector_latlon,
    wrap180,
)

WGS84 = Geodesic.WGS84


def allowed(s: float) -> float:
    """The agreement the kernel promises: 0.1 % or 1 m, whichever is larger."""
    return max(1.0, 0.001 * s)


def oracle(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])


distances = st.floats(1.0, 6.0).map(lambda e: 10.0**e)  # 10 m .. 1,000 km, log-uniform
azimuths = st.floats(-180.0, 180.0)
anywhere = st.tuples(st.floats(-90.0, 90.0), st.floats(-180.0, 180.0))
near_pole = st.tuples(
    st.sampled_from([-1.0, 1.0]).flatmap(lambda s: st.floats(89.0, 90.0).map(lambda x: s * x)),
    st.floats(-180.0, 180.0),
)
near_antimeridian = st.tuples(
    st.floats(-80.0, 80.0),
    st.sampled_from([-1.0, 1.0]).flatmap(lambda s: st.floats(179.0, 180.0).map(lambda x: s * x)),
)


@settings(max_examples=300, deadline=None)
@given(start=st.one_of(anywhere, near_pole, near_antimeridian), az=azimuths, s=distances)
def test_distance_agrees_with_geographiclib(
    start: tuple[float, float], az: float, s: float
) -> None:
    lat1, lon1 = start
    end = WGS84.Direct(lat1, lon1, az, s)
    lat2, lon2 = end["lat2"], end["lon2"]
    want = oracle(lat1, lon1, lat2, lon2)
    got = float(geodesic_inverse(lat1, lon1, lat2, lon2))
    assert abs(got - want) <= allowed(want), (lat1, lon1, lat2, lon2, got, want)


def test_distance_agrees_on_a_large_random_batch() -> None:
    rng = np.random.default_rng(20250301)
    n = 5000
    lat1 = np.concatenate([rng.uniform(-90, 90, n - 1000), rng.uniform(88.0, 90.0, 500),
                           rng.uniform(-90.0, -88.0, 500)])  # fmt: skip
    lon1 = rng.uniform(-180, 180, n)
    lon1[:1000] = rng.choice([-1, 1], 1000) * rng.uniform(179.0, 180.0, 1000)
    az = rng.uniform(-180, 180, n)
    s = 10.0 ** rng.uniform(1, 6, n)
    ends = [WGS84.Direct(a, b, c, d) for a, b, c, d in zip(lat1, lon1, az, s, strict=True)]
    lat2 = np.array([e["lat2"] for e in ends])
    lon2 = np.array([e["lon2"] for e in ends])
    want = np.array([oracle(*p) for p in zip(lat1, lon1, lat2, lon2, strict=True)])
    got = geodesic_inverse(lat1, lon1, lat2, lon2)
    assert np.all(np.abs(got - want) <= np.maximum(1.0, 0.001 * want))
    # the real accuracy, far inside the promise: millimetres
    assert np.max(np.abs(got - want)) < 0.01


@pytest.mark.parametrize(
    ("p1", "p2"),
    [
        ((0.0, 179.9999), (0.0, -179.9999)),  # across the antimeridian: 22 m, not 40,000 km
        ((89.9999, 0.0), (89.9999, 180.0)),  # over the north pole
        ((-90.0, 0.0), (-89.99, 45.0)),  # from the south pole itself
        ((0.0, 0.0), (0.0, 0.0001)),  # along the equator
        ((45.0, 10.0), (45.0, 10.0)),  # the same point
    ],
)
def test_awkward_places(p1: tuple[float, float], p2: tuple[float, float]) -> None:
    want = oracle(*p1, *p2)
    assert abs(float(geodesic_inverse(*p1, *p2)) - want) <= allowed(want)


def test_longitudes_wrap() -> None:
    assert np.allclose(
        wrap180([180.0, -180.0, 190.0, -190.0, 540.0]), [-180, -180, -170, 170, -180]
    )


def test_ecef_and_local_axes() -> None:
    assert np.allclose(ecef(0.0, 0.0), [WGS84_A, 0.0, 0.0])
    assert np.allclose(ecef(0.0, 90.0, 1000.0), [0.0, WGS84_A + 1000.0, 0.0], atol=1e-6)
    lat = np.array([10.0, -60.0, 89.0])
    lon = np.array([20.0, 170.0, -45.0])
    east, north, up = enu_axes(lat, lon)
    for a, b in ((east, north), (north, up), (up, east)):
        assert np.allclose(dot(a, b), 0.0, atol=1e-12)
    assert np.allclose(np.cross(east, north), up)
    back_lat, back_lon = nvector_latlon(up)
    assert np.allclose(back_lat, lat) and np.allclose(back_lon, lon)
    # "up" is the ellipsoid normal: a point 1 km up has the same geodetic latitude
    step = ecef(lat, lon, 1000.0) - ecef(lat, lon, 0.0)
    assert np.allclose(step, 1000.0 * up, atol=1e-6)


def test_direct_agrees_with_geographiclib() -> None:
    from terminal.kernel.geodesy import geodesic_direct_azimuth

    rng = np.random.default_rng(11)
    n = 2000
    lat, lon = rng.uniform(-89.9, 89.9, n), rng.uniform(-180, 180, n)
    az, s = rng.uniform(-180, 180, n), 10.0 ** rng.uniform(1, 6, n)
    got_lat, got_lon, got_az = geodesic_direct_azimuth(lat, lon, az, s)
    for k in range(n):
        want = WGS84.Direct(lat[k], lon[k], az[k], s[k])
        miss = WGS84.Inverse(want["lat2"], want["lon2"], got_lat[k], got_lon[k])["s12"]
        assert miss < 0.01
        assert abs((got_az[k] - want["azi2"] + 180) % 360 - 180) < 1e-6
