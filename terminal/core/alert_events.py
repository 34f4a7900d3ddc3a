"""What the alert book is fed: ALERTs and CLEARs from the co-processor, the operator's
acknowledgement, the link's state, the timer (frozen, timestamped; `at` monotonic seconds,
`utc_ms` the Zulu time in milliseconds)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Literal

from terminal.kernel.members import Member

Severity = Literal["advisory", "warning", "critical"]
Kind = Literal["TRACK", "LINE"]


@dataclass(frozen=True, slots=True)
class AlertReceived:
    """An ALERT from the co-processor (link duplicates already dropped by the session)."""

    at: float
    utc_ms: int
    boot_id: str
    alert_seq: int
    pair_id: str
    kind: Kind
    severity: Severity
    computed_utc_ms: int
    a: Member
    b: Member
    hsep_m: float
    vsep_ft: float
    tcpa_s: float
    miss_m: float
    line_version: int | None = None
    """The line version the co-processor computed it against (None: it did not say, 5.4.6)."""

    def __post_init__(self) -> None:
        # One boot id string for all the alerts of a boot, not a copy in each open alert.
        object.__setattr__(self, "boot_id", sys.intern(self.boot_id))


@dataclass(frozen=True, slots=True)
class AlertCleared:
    """A CLEAR: the pair's alert is resolved."""

    at: float
    utc_ms: int
    boot_id: str
    pair_id: str


@dataclass(frozen=True, slots=True)
class AlertAcknowledged:
    """The operator acknowledges the pair's alert."""

    at: float
    utc_ms: int
    pair_id: str
    operator: str


@dataclass(frozen=True, slots=True)
class CoprocStatus:
    """The co-processor link came up (with the peer's boot id) or went down."""

    at: float
    utc_ms: int
    up: bool
    boot_id: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AlertTick:
    """Time has passed: run the timers due at `at` (scheduled at `next_deadline()`)."""

    at: float
    utc_ms: int


@dataclass(frozen=True, slots=True)
class RestoredAlert:
    """An alert the log still holds open from an earlier run of the desk."""

    received: AlertReceived  # its last ALERT as logged (`at`: the restore time)
    suspect: bool
    acked_by: str | None
    acked_utc_ms: int | None


@dataclass(frozen=True, slots=True)
class AlertsRestored:
    """At start, before the co-processor link: the alerts the log holds open, and the highest
    alert_seq logged of each of their boots (a re-send of a logged ALERT is then a repeat)."""

    at: float
    utc_ms: int
    alerts: tuple[RestoredAlert, ...]
    boot_highs: tuple[tuple[str, int], ...]


AlertEvent = (
    AlertReceived | AlertCleared | AlertAcknowledged | CoprocStatus | AlertTick | AlertsRestored
)


EVENT_TYPES: dict[str, type[AlertEvent]] = {
    cls.__name__: cls
    for cls in (
        AlertReceived, AlertCleared, AlertAcknowledged, CoprocStatus, AlertTick, AlertsRestored
    )
}  # fmt: skip


def event_from_dict(name: str, data: dict[str, Any]) -> AlertEvent:
    """Rebuild a journalled event (``dataclasses.asdict`` of it) for replay."""
    cls = EVENT_TYPES[name]
    if cls is AlertReceived:
        data = {**data, "a": Member(**data["a"]), "b": Member(**data["b"])}
    elif cls is AlertsRestored:
        alerts = tuple(
            RestoredAlert(**{**r, "received": event_from_dict("AlertReceived", r["received"])})
            for r in data["alerts"]
        )
        highs = tuple((str(boot), int(high)) for boot, high in data["boot_highs"])
        data = {**data, "alerts": alerts, "boot_highs": highs}
    return cls(**data)
