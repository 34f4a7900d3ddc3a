"""The TCAS II table, altitude bands, and severities of typical encounters."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_helpers import WGS84, offset, pair

from terminal.kernel.assess import assess
from terminal.kernel.geodesy import FT, NM
from terminal.kernel.picture import Picture
from terminal.kernel.thresholds import (
    ADVISORY,
    CRITICAL,
    DEFAULT_TABLE,
    TCAS_II_TABLE,
    WARNING,
    Band,
    Table,
)


def sev(pic: Picture) -> int:
    result = assess(pic)
    return int(result.pair_severity[0]) if len(result.pair_severity) else 0


def head_on(range_m: float, *, alt_a: float = 20000, alt_b: float = 20000, speed: float = 230.0,
            offset_m: float = 0.0, vu_a: float = 0.0, vu_b: float = 0.0) -> Picture:  # fmt: skip
    """Two aircraft flying at each other (B aimed ``offset_m`` beside A)."""
    lat, lon = 45.0, 10.0
    blat, blon = offset(lat, lon, 90.0, range_m)
    aim = offset(lat, lon, 0.0, offset_m) if offset_m else (lat, lon)
    back = WGS84.Inverse(blat, blon, *aim)["azi1"]
    fwd = WGS84.Inverse(lat, lon, blat, blon)["azi1"]
    return pair(lat, lon, range_m=range_m, bearing=90.0, alt_a=alt_a, alt_b=alt_b,
                va=(speed, fwd), vb=(speed, back), vu_a=vu_a, vu_b=vu_b)  # fmt: skip


def test_table_is_tcas_ii_v71() -> None:
    by_level = {(b.level, b.floor_ft): b for b in TCAS_II_TABLE}
    sl6 = by_level[(6, 10000)]
    assert (sl6.ta_tau_s, sl6.ta_dmod_nm, sl6.ta_zthr_ft) == (45, 1.00, 850)
    assert (sl6.ra_tau_s, sl6.ra_dmod_nm, sl6.ra_zthr_ft, sl6.alim_ft) == (30, 0.80, 600, 400)
    above = by_level[(7, 42000)]
    assert (above.ta_zthr_ft, above.ra_zthr_ft, above.alim_ft) == (1200, 800, 700)
    assert DEFAULT_TABLE.max_tau_s == 48
    assert DEFAULT_TABLE.max_dmod_m == pytest.approx(1.3 * NM)
    assert DEFAULT_TABLE.max_zthr_m == pytest.approx(1200 * FT)


@pytest.mark.parametrize(
    ("alt_ft", "level"),
    [(0, 2), (999, 2), (1000, 3), (2349, 3), (2350, 4), (9999, 5), (10000, 6), (30000, 7),
     (45000, 7), (-1500, 2)],
)  # fmt: skip
def test_bands(alt_ft: float, level: int) -> None:
    band = int(DEFAULT_TABLE.band(alt_ft * FT))
    assert TCAS_II_TABLE[band].level == level


def test_bands_must_increase() -> None:
    with pytest.raises(ValueError):
        Table.from_bands((TCAS_II_TABLE[1], TCAS_II_TABLE[0]))
    with pytest.raises(ValueError):
        Table.from_bands(())


def test_head_on_escalates_with_closing_time() -> None:
    # 20,000 ft is SL7 (TA tau 48 s, RA tau 35 s); closure 460 m/s
    assert sev(head_on(30_000)) == 0  # 65 s out
    assert sev(head_on(460 * 47)) == ADVISORY  # modified tau just under 48 s
    assert sev(head_on(460 * 34)) == CRITICAL  # inside RA tau, on a collision course
    # inside RA tau but passing 1.4 NM apart (DMOD(RA) is 1.1 NM): an RA, not a collision course
    assert sev(head_on(460 * 30, offset_m=3 * NM)) == WARNING


def test_vertical_separation_spares_a_pair() -> None:
    assert sev(head_on(460 * 30, alt_b=22000)) == 0  # 2,000 ft apart, level
    assert sev(head_on(460 * 30, alt_b=20800)) == ADVISORY  # inside TA ZTHR 850, outside RA 700
    # climbing into each other: time to co-altitude 2000 ft / 20 m/s = 30 s < tau
    assert sev(head_on(460 * 30, alt_b=22000, vu_a=10.0, vu_b=-10.0)) >= WARNING


def test_inside_dmod_whatever_the_motion() -> None:
    still = pair(0.0, 0.0, range_m=0.5 * NM, bearing=45.0)
    assert sev(still) == CRITICAL  # SL7 DMOD(RA) 1.1 NM, both at rest: miss 0.5 NM
    apart = pair(0.0, 0.0, range_m=1.2 * NM, bearing=45.0)
    assert sev(apart) == ADVISORY  # inside DMOD(TA) 1.3 NM only


def test_low_altitude_still_warns() -> None:
    # SL2 (below 1,000 ft) gives TAs only in TCAS; the desk uses the SL3 RA values there
    assert sev(head_on(460 * 12, alt_a=500, alt_b=500)) == CRITICAL


def test_band_of_the_higher_aircraft() -> None:
    # 9,800 and 10,400 ft (600 ft apart, inside SL6's TA ZTHR of 850): SL6's TA tau 45 s applies
    pic = head_on(460 * 43, alt_a=9800, alt_b=10400)
    assert sev(pic) == ADVISORY
    lower_band_only = Table.from_bands(
        tuple(b if b.floor_ft < 10000 else Band(b.level, b.floor_ft, 40, 0.75, 850, 25, 0.55,
                                                 600, 350) for b in TCAS_II_TABLE)
    )  # fmt: skip
    result = assess(pic, table=lower_band_only)
    assert len(result.pair_severity) == 0


def test_severity_arrays_line_up_with_pairs() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for k in range(60):
        lat, lon = 50 + rng.uniform(-0.2, 0.2), rng.uniform(-0.3, 0.3)
        rows.append(
            (f"T{k}", lat, lon, 20000.0, rng.uniform(-200, 200), rng.uniform(-200, 200), 0.0)
        )
    result = assess(Picture.from_rows(rows))
    assert len(result.pairs) == len(result.pair_severity) > 0
    assert set(result.pair_severity.tolist()) <= {ADVISORY, WARNING, CRITICAL}
    assert np.all(result.pairs.i < result.pairs.j)
