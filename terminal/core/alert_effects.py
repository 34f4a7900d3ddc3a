"""What the alert book asks for: records for the log (the first three), the alert tone, and
the notices of a gap, a reminder, a co-processor restart (frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from terminal.core.alert_events import AlertReceived, Severity
from terminal.core.effects import Notice

CloseReason = Literal["cleared", "superseded", "coproc_restart"]


@dataclass(frozen=True, slots=True)
class AlertLogged:
    """Record (log kind alert_received): an ALERT as received (`alert`), with the kernel's
    verdict. The log adapter writes its fields under their wire names."""

    utc_ms: int
    alert_id: str
    boot_id: str
    alert_seq: int
    pair_id: str
    severity: Severity
    consistent: bool
    alert: AlertReceived
    disagreements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertAckLogged:
    """Record (log kind alert_acknowledged): the operator acknowledged the alert."""

    utc_ms: int
    alert_id: str
    pair_id: str
    operator: str


@dataclass(frozen=True, slots=True)
class AlertClosedLogged:
    """Record (log kind alert_closed): cleared, superseded by a newer ALERT, or dropped after a
    co-processor restart."""

    utc_ms: int
    alert_id: str
    pair_id: str
    reason: CloseReason


@dataclass(frozen=True, slots=True)
class AlertGap:
    """Record (journal): alert numbers first_missing..last_missing of a boot never arrived."""

    utc_ms: int
    boot_id: str
    first_missing: int
    last_missing: int


@dataclass(frozen=True, slots=True)
class AlertReminder:
    """Record (journal): a critical alert is still unacknowledged; its tone sounds again."""

    utc_ms: int
    alert_id: str
    pair_id: str
    unacknowledged_s: float


@dataclass(frozen=True, slots=True)
class CoprocRestarted:
    """Record (journal): the co-processor came back with a new boot id."""

    utc_ms: int
    old_boot_id: str
    new_boot_id: str
    open_alerts: int


@dataclass(frozen=True, slots=True)
class AlertTone:
    """Sound this alert tone (continuous, hw.audio name) and no other; None: silence.
    Emitted on every change, and again (the same name) for a reminder."""

    name: str | None
    previous: str | None


AlertRecord = (
    AlertLogged | AlertAckLogged | AlertClosedLogged | AlertGap | AlertReminder | CoprocRestarted
)
AlertEffect = AlertRecord | AlertTone | Notice
RECORD_TYPES: tuple[type[AlertRecord], ...] = (
    AlertLogged, AlertAckLogged, AlertClosedLogged, AlertGap, AlertReminder, CoprocRestarted,
)  # fmt: skip
"""Effects the engine must hand to the log (the first three as records, the rest journalled)."""


def alert_id(boot_id: str, alert_seq: int) -> str:
    """The alert's id in the log (as terminal.log.records.alert_key)."""
    return f"{boot_id}:{alert_seq}"
