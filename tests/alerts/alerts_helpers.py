"""Helpers for the alert-book tests: consistent alerts built with the kernel, effect filters."""

from __future__ import annotations

from typing import Any, TypeVar

from terminal.core.alert_effects import AlertEffect
from terminal.core.alert_events import AlertReceived, Kind, Severity
from terminal.kernel.geodesy import geodesic_direct
from terminal.kernel.report import Member, measure_pair

BOOT = "C0FFEE01"
T0_MS = 1_740_830_400_000  # 2025-03-01T12:00:00Z

E = TypeVar("E")


def members(pair_id: str, range_m: float = 9000.0) -> tuple[Member, Member]:
    """Two tracks named after the pair, ``range_m`` apart and closing."""
    a_id, b_id = pair_id.split("/")
    lat, lon = geodesic_direct(51.5, -0.1, 90.0, range_m)
    a = Member(a_id, 51.5, -0.1, 12000, 0.0, 150.0, 0.0)
    b = Member(b_id, round(float(lat), 6), round(float(lon), 6), 12500, 0.0, -140.0, -5.0)
    return a, b


def alert(
    pair_id: str,
    seq: int,
    severity: Severity = "warning",
    *,
    at: float = 0.0,
    boot: str = BOOT,
    range_m: float = 9000.0,
    tamper: dict[str, float] | None = None,
    kind: Kind = "TRACK",
) -> AlertReceived:
    """An ALERT whose numbers are what the kernel computes from its members (unless tampered)."""
    a, b = members(pair_id, range_m)
    if kind == "LINE":
        b = Member(b.id, b.lat, b.lon, 0, 0.0, 0.0, 0.0)
    nums = measure_pair(a, b)
    values: dict[str, Any] = {
        "hsep_m": nums.hsep_m, "vsep_ft": 0.0 if kind == "LINE" else nums.vsep_ft,
        "tcpa_s": nums.tcpa_s, "miss_m": nums.miss_m,
    }  # fmt: skip
    values.update(tamper or {})
    utc = T0_MS + round(at * 1000)
    return AlertReceived(at, utc, boot, seq, pair_id, kind, severity, utc - 50, a, b, **values)


def of(effects: list[AlertEffect], cls: type[E]) -> list[E]:
    """The effects of one class."""
    return [e for e in effects if isinstance(e, cls)]


def names(effects: list[AlertEffect]) -> list[str]:
    """Effect class names, in order."""
    return [type(e).__name__ for e in effects]
