"""Separation of aircraft pairs: geodesic range, vertical separation, CPA, range and modified tau.

Horizontal motion is straight at constant velocity in the pair's local horizontal plane (the
plane normal to the mean of the two ellipsoid normals): the relative position is the ECEF
difference projected on that plane and scaled to the geodesic distance, the relative velocity the
difference of the two horizontal velocities projected likewise. Vertical motion is separate, at
constant climb rate. Times in s, lengths in m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from terminal.kernel.geodesy import F64, dot, geodesic_inverse, unit
from terminal.kernel.picture import Geometry, Picture
from terminal.kernel.thresholds import ADVISORY, CRITICAL, WARNING, Table

_TA, _RA = 0, 1
_EPS_V2 = 1e-12  # (m/s)^2: relative speeds below this are "not moving"


@dataclass(frozen=True, eq=False)
class PairMetrics:
    """Separation of pairs (i, j) of one picture, one entry per pair."""

    i: NDArray[np.intp]
    j: NDArray[np.intp]
    hsep_m: F64  # geodesic distance now
    range_rate: F64  # d(hsep)/dt, m/s; negative while closing
    tcpa_s: F64  # time to the horizontal closest point of approach; 0 at or past it
    miss_m: F64  # horizontal distance at CPA
    dz_m: F64  # altitude of j minus altitude of i
    vz: F64  # climb rate of j minus that of i, m/s
    vsep_cpa_m: F64  # vertical separation at the horizontal CPA

    @property
    def vsep_m(self) -> F64:
        """Vertical separation now (absolute)."""
        return np.abs(self.dz_m)

    def __len__(self) -> int:
        return len(self.i)


def range_tau(hsep_m: ArrayLike, range_rate: ArrayLike) -> F64:
    """Range tau, s: range over closing speed; infinite unless closing."""
    r, rd = np.asarray(hsep_m, np.float64), np.asarray(range_rate, np.float64)
    closing = rd < 0
    return np.where(closing, r / np.where(closing, -rd, 1.0), np.inf)


def modified_tau(hsep_m: ArrayLike, range_rate: ArrayLike, dmod_m: ArrayLike) -> F64:
    """TCAS modified tau, s: -(r^2 - DMOD^2) / (r rdot); 0 inside DMOD, infinite unless closing."""
    r, rd = np.asarray(hsep_m, np.float64), np.asarray(range_rate, np.float64)
    d = np.asarray(dmod_m, np.float64)
    closing = rd < 0
    denom = np.where(closing & (r > 0), -r * rd, 1.0)
    tau = np.where(closing, (r * r - d * d) / denom, np.inf)
    return np.where(r <= d, 0.0, tau)


def vertical_tau(dz_m: ArrayLike, vz: ArrayLike) -> F64:
    """Time to co-altitude, s; infinite unless the altitudes are converging."""
    dz, v = np.asarray(dz_m, np.float64), np.asarray(vz, np.float64)
    closing = dz * v < 0
    return np.where(closing, -dz / np.where(closing, v, 1.0), np.inf)


def pair_metrics(picture: Picture, geo: Geometry, i: ArrayLike, j: ArrayLike) -> PairMetrics:
    """Separation of the pairs (i[k], j[k])."""
    ii, jj = np.asarray(i, dtype=np.intp), np.asarray(j, dtype=np.intp)
    s = geodesic_inverse(picture.lat[ii], picture.lon[ii], picture.lat[jj], picture.lon[jj])
    s = np.atleast_1d(s)
    um = unit(geo.up[ii] + geo.up[jj])
    r = geo.surface[jj] - geo.surface[ii]
    rh = unit(r - dot(r, um)[:, None] * um) * s[:, None]
    v = geo.vh[jj] - geo.vh[ii]
    vh = v - dot(v, um)[:, None] * um
    rv, vv = dot(rh, vh), dot(vh, vh)
    moving = vv > _EPS_V2
    tcpa = np.where(moving, np.maximum(0.0, -rv / np.where(moving, vv, 1.0)), 0.0)
    miss = np.linalg.norm(rh + vh * tcpa[:, None], axis=-1)
    rate = np.where(s > 0, rv / np.where(s > 0, s, 1.0), 0.0)
    dz = geo.alt_m[jj] - geo.alt_m[ii]
    vz = picture.vu[jj] - picture.vu[ii]
    return PairMetrics(ii, jj, s, rate, tcpa, miss, dz, vz, np.abs(dz + vz * tcpa))


def _level(
    table: Table, band: NDArray[np.intp], k: int, hsep: F64, rate: F64, dz: F64, vz: F64
) -> NDArray[np.bool_]:
    """Whether the TA (k=0) or RA (k=1) thresholds of each pair's band are met."""
    tau, dmod = table.tau_s[band, k], table.dmod_m[band, k]
    closing = rate < 0
    # modified tau <= tau, written without a division: r^2 - DMOD^2 <= tau * r * (-rdot)
    horizontal = (hsep <= dmod) | (closing & (hsep * hsep - dmod * dmod <= tau * hsep * -rate))
    zthr = table.zthr_m[band, k]
    vertical = (np.abs(dz) <= zthr) | ((dz * vz < 0) & (np.abs(dz) <= tau * np.abs(vz)))
    return np.asarray(horizontal & vertical)


def severity(
    table: Table,
    band: NDArray[np.intp],
    hsep: F64,
    rate: F64,
    dz: F64,
    vz: F64,
    miss: F64,
    vsep_cpa: F64,
) -> NDArray[np.int8]:
    """Severity code per pair: 0 none, ADVISORY (TA), WARNING (RA), CRITICAL (RA on a collision
    course: miss at CPA within DMOD(RA) and vertical separation there within ALIM)."""
    ta = _level(table, band, _TA, hsep, rate, dz, vz)
    ra = _level(table, band, _RA, hsep, rate, dz, vz)
    crit = ra & (miss <= table.dmod_m[band, _RA]) & (vsep_cpa <= table.alim_m[band])
    out = np.zeros(hsep.shape, dtype=np.int8)
    out[ta] = ADVISORY
    out[ra] = WARNING
    out[crit] = CRITICAL
    return out


def pair_severity(table: Table, m: PairMetrics, geo: Geometry) -> NDArray[np.int8]:
    """Severity of each pair of ``m``, judged in the band of its higher aircraft."""
    band = table.band(np.maximum(geo.alt_m[m.i], geo.alt_m[m.j]))
    return severity(table, band, m.hsep_m, m.range_rate, m.dz_m, m.vz, m.miss_m, m.vsep_cpa_m)
