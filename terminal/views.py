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


FEED_STATES = ("up", "DOWN", "unknown")
"""A track feed: reported connected, reported not connected, or not reported (recently)."""


@dataclass(frozen=True, slots=True)
class FeedView:
    """The co-processor's track feed as it last reported it (docs/protocol.md, FEED)."""

    state: str  # one of FEED_STATES
    kind: str = ""
    """``SBS``, ``ASTERIX``, ``SCENARIO``, ``FILE`` (as the co-processor said)."""
    source: str = ""
    age_s: float | None = None
    """Seconds since the feed's last message, now; None when nothing heard (or unknown)."""
    rate: float = 0.0
    """Messages per second."""
    tracks: int = 0
    decode_errors: int = 0
    error: str = ""

    def text(self) -> str:
        """The feed in a few words: ``feed up 27 tracks 38.5/s``, ``feed DOWN: connection
        refused``, ``feed unknown``."""
        if self.state == "unknown":
            return "feed unknown"
        if self.state == "DOWN":
            return f"feed DOWN: {self.error}" if self.error else "feed DOWN"
        parts = [f"feed up {self.tracks} tracks {self.rate:.1f}/s"]
        if self.age_s is None:
            parts.append("nothing heard")
        elif self.age_s >= 10:
            parts.append(f"last {self.age_s:.0f} s ago")
        if self.decode_errors:
            parts.append(f"bad {self.decode_errors}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class LinkHealth:
    """One link's health for the console: up or down, when it was last heard (UTC), what is
    wrong, for a serial link its counters, and for the co-processor its track feed."""

    name: str
    up: bool
    last_heard_utc: str | None = None
    detail: str = ""
    counters: LinkCounters | None = None
    feed: FeedView | None = None
    """The co-processor's track feed; None for the other links."""
