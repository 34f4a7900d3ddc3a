"""What the fronts show besides the call state: alerts, today's calls, the air picture.

Frozen, display-ready values the engine puts in every `DeskSnapshot`; the fronts never compute
them and never touch the log or the hardware.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("advisory", "warning", "critical")
"""Least to most urgent."""


@dataclass(frozen=True, slots=True)
class TrackView:
    """One aircraft (or the closest point of the deconfliction line) in an alert."""

    id: str
    lat: float
    lon: float
    alt_ft: float
    vn_ms: float = 0.0
    ve_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class AlertView:
    """An open proximity alert, as the console lists it."""

    pair_id: str
    severity: str  # one of SEVERITIES
    kind: str  # "TRACK" (aircraft pair) or "LINE" (aircraft and the deconfliction line)
    a: TrackView
    b: TrackView
    horizontal_m: float
    vertical_ft: float
    time_to_cpa_s: float
    miss_distance_m: float
    first_seen_utc: str
    updated_utc: str
    suspect: bool = False
    acknowledged_by: str | None = None
    acknowledged_utc: str | None = None


@dataclass(frozen=True, slots=True)
class CallSummary:
    """One of today's calls, as committed to the log."""

    call_id: str  # the call's id in the log, `<start stamp>-<n>`
    direction: str  # incoming | outgoing
    started_utc: str
    outcome: str | None  # None while the call is open
    duration_s: float | None
    transmissions: int
    operator: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LinkCounters:
    """A serial link's counters since start-up (docs/protocol.md 2.3: counted, reported)."""

    frames_in: int = 0
    frames_out: int = 0
    crc_errors: int = 0
    garbage_bytes: int = 0
    bad_frames: int = 0
    """Too long, bad syntax, truncated, or a message with bad fields."""
    retransmits: int = 0
    duplicates: int = 0
    errs_out: int = 0
    """ERRs sent to the peer."""

    def faults(self) -> str:
        """What went wrong on the line, short ("crc 3 garbage 120B rtx 2"), "" if nothing."""
        parts = [
            (self.crc_errors, "crc {}"), (self.garbage_bytes, "garbage {}B"),
            (self.bad_frames, "bad {}"), (self.retransmits, "rtx {}"),
            (self.duplicates, "dup {}"), (self.errs_out, "err {}"),
        ]  # fmt: skip
        return " ".join(text.format(n) for n, text in parts if n)


@dataclass(frozen=True, slots=True)
class LinkHealth:
    """One link's health for the console: up or down, when it was last heard (UTC), what is
    wrong, and for a serial link its counters."""

    name: str
    up: bool
    last_heard_utc: str | None = None
    detail: str = ""
    counters: LinkCounters | None = None
