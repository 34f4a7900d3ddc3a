"""Constructed desk snapshots: every call state, alerts, a link fault, a deconfliction line.

Used by the tests, the console benchmark and `python -m terminal.tui.demo` (the screenshot in
docs/). Times are loop-clock seconds; `NOW` is "now" for all of them.
"""

from __future__ import annotations

import math
from dataclasses import replace

from terminal.core.calls import CallPhase, CallView
from terminal.core.effects import Direction
from terminal.core.leds import led_patterns
from terminal.snapshot import DeskSnapshot, NoticeLine
from terminal.views import AlertView, CallSummary, LinkHealth, TrackView

NOW = 1000.0
TOT_S = 60.0
STAMP = "2026-11-25T07:10:00.000Z"
LINKS_UP = {"radio": True, "coproc": True, "gpio": True, "log": True, "audio": True}
LINE = ((54.90, 9.20), (54.95, 9.45), (54.93, 9.70), (54.98, 9.95))


def call_view(state: str, now: float = NOW) -> CallView:
    """A call in one of the six display states (IDLE ... RECEIVING), 83 s in."""
    if state == "IDLE":
        return CallView(link_up=True, now=now)
    phase = {"RINGING": CallPhase.RINGING, "CALLING": CallPhase.CALLING}.get(
        state, CallPhase.CONNECTED
    )
    direction: Direction = "outgoing" if state == "CALLING" else "incoming"
    view = CallView(
        phase=phase, direction=direction, call_id=12, started_at=now - 95.0, link_up=True,
        now=now, transmissions=2,
    )  # fmt: skip
    if phase is CallPhase.CONNECTED:
        view = replace(view, answered_at=now - 83.0)
    if state == "TRANSMITTING":
        view = replace(view, keyed=True, bridge_keyed=True, ptt_held=True, keyed_at=now - 13.0,
                       tot_deadline=now - 13.0 + TOT_S, transmissions=3)  # fmt: skip
    if state == "RECEIVING":
        view = replace(view, rx=True)
    return view


def snapshot(
    state: str = "IDLE",
    *,
    links: dict[str, bool] | None = None,
    alerts: tuple[AlertView, ...] = (),
    operator: str = "JDOE",
    calls: tuple[CallSummary, ...] = (),
    line: tuple[tuple[float, float], ...] = LINE,
    notices: tuple[NoticeLine, ...] = (),
    faults: tuple[str, ...] = (),
    health: tuple[LinkHealth, ...] = (),
) -> DeskSnapshot:
    """A desk snapshot as the engine would publish it."""
    links = dict(LINKS_UP if links is None else links)
    call = replace(call_view(state), link_up=links.get("radio", False))
    top = max(alerts, key=lambda a: ("advisory", "warning", "critical").index(a.severity),
              default=None)  # fmt: skip
    leds = led_patterns(call, links_down=not all(links.values()) or bool(faults),
                        alert_level=top.severity if top else None)  # fmt: skip
    return DeskSnapshot(
        call=call, display=call.display_state(), links=links, leds=leds, operator=operator,
        notices=notices, faults=faults, alerts=alerts, calls_today=calls, line=line,
        health=health,
    )  # fmt: skip


def track(tid: str, lat: float, lon: float, heading_deg: float, speed_ms: float,
          alt_ft: float = 12000) -> TrackView:  # fmt: skip
    """An aircraft at a position flying a heading."""
    rad = math.radians(heading_deg)
    return TrackView(tid, lat, lon, alt_ft, speed_ms * math.cos(rad), speed_ms * math.sin(rad))


def alert(
    pair_id: str,
    severity: str,
    a: TrackView,
    b: TrackView,
    *,
    kind: str = "TRACK",
    first_seen: str = "2026-11-25T07:08:30.000Z",
    suspect: bool = False,
    acknowledged_by: str | None = None,
    horizontal_m: float = 4200.0,
    vertical_ft: float = 500.0,
    cpa_s: float = 95.0,
) -> AlertView:
    """A proximity alert between two tracks (or a track and the line)."""
    return AlertView(
        pair_id=pair_id, severity=severity, kind=kind, a=a, b=b, horizontal_m=horizontal_m,
        vertical_ft=vertical_ft, time_to_cpa_s=cpa_s, miss_distance_m=horizontal_m / 3,
        first_seen_utc=first_seen, updated_utc=STAMP, suspect=suspect,
        acknowledged_by=acknowledged_by,
        acknowledged_utc=STAMP if acknowledged_by else None,
    )  # fmt: skip


def critical_alerts() -> tuple[AlertView, ...]:
    """A critical pair closing, a suspect warning, and an acknowledged line advisory."""
    return (
        alert("P-0107", "critical", track("RAF21", 54.99, 9.40, 130, 220),
              track("GAF43", 54.90, 9.58, 300, 210), horizontal_m=1850, vertical_ft=300,
              cpa_s=42, first_seen="2026-11-25T07:09:12.000Z"),
        alert("P-0099", "warning", track("DAN07", 54.86, 9.80, 20, 160),
              track("GAF12", 54.97, 9.84, 190, 150), horizontal_m=5200, vertical_ft=900,
              cpa_s=130, suspect=True, first_seen="2026-11-25T07:07:40.000Z"),
        alert("L-0031", "advisory", track("RAF09", 54.88, 9.05, 45, 120),
              TrackView("LINE", 54.905, 9.22, 0), kind="LINE", horizontal_m=2400,
              vertical_ft=0, cpa_s=210, acknowledged_by="JDOE",
              first_seen="2026-11-25T07:05:02.000Z"),
    )  # fmt: skip


def todays_calls() -> tuple[CallSummary, ...]:
    """Three calls committed today, newest first."""
    run = "20261125T052201000Z"
    return (
        CallSummary(f"{run}-11", "outgoing", "2026-11-25T06:52:10.000Z", "answered", 74.0, 3,
                    "JDOE", "Confirmed GAF43 descending FL120."),
        CallSummary(f"{run}-10", "incoming", "2026-11-25T06:31:44.000Z", "missed", None, 0,
                    "JDOE"),
        CallSummary(f"{run}-9", "incoming", "2026-11-25T05:58:03.000Z", "answered", 212.0, 6,
                    "ASMITH", "Shift handover check."),
    )  # fmt: skip


def link_fault_health() -> tuple[LinkHealth, ...]:
    """The bridge cable pulled: radio down since 07:09:41Z, the rest up."""
    return (
        LinkHealth("radio", False, "2026-11-25T07:09:41.000Z", "no heartbeat"),
        LinkHealth("coproc", True, "2026-11-25T07:09:59.800Z"),
        LinkHealth("gpio", True, STAMP),
        LinkHealth("log", True, "2026-11-25T07:09:59.950Z"),
        LinkHealth("audio", True, STAMP),
    )


def burst_alert(index: int) -> AlertView:
    """The index-th alert of a burst: spread over the area, severities mixed."""
    severity = ("advisory", "warning", "critical")[index % 3 if index % 7 else 2]
    lat = 54.80 + (index * 37 % 200) / 1000
    lon = 9.00 + (index * 91 % 1000) / 1000
    second = index % 60
    return alert(
        f"B-{index:05d}", severity, track(f"T{index:05d}", lat, lon, index % 360, 180),
        track(f"U{index:05d}", lat + 0.02, lon + 0.03, (index + 180) % 360, 170),
        suspect=index % 11 == 0, first_seen=f"2026-11-25T07:{index // 60 % 60:02d}:{second:02d}Z",
        horizontal_m=500 + index % 9000, cpa_s=float(index % 300),
    )  # fmt: skip
