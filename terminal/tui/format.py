"""Pure text for the console: timers, severities, links, alert and call rows, the search filter.

No Textual here: these functions take the engine's views and return plain strings, so they are
tested directly and shared by the widgets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from terminal.core.calls import CallPhase, CallView
from terminal.i18n import N_, _
from terminal.views import SEVERITIES, AlertView, CallSummary, LinkCounters, LinkHealth

MAX_ALERTS_SHOWN = 200
"""The console lists at most this many open alerts (the engine caps what it sends likewise)."""

LINK_ORDER = ("radio", "coproc", "gpio", "log", "audio")
LINK_NAMES = {
    "radio": "BRIDGE",
    "coproc": "COPROC",
    "gpio": "GPIO",
    "log": "LOG",
    "audio": "AUDIO",
}

# Severity is never shown by colour alone: each has a symbol and a word.
SEVERITY_MARK = {"critical": "▲", "warning": "◆", "advisory": "●"}
SEVERITY_WORD = {"critical": N_("CRIT"), "warning": N_("WARN"), "advisory": N_("ADVS")}
UNKNOWN_MARK = "▲"
SUSPECT_MARK = N_("?SUSPECT")


def clock_text(seconds: float | None) -> str:
    """`mm:ss` (or `h:mm:ss` past an hour) of a non-negative span; `--:--` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def countdown_text(seconds: float | None) -> str:
    """Time left, rounded up so a countdown shows 00:00 only when it has run out."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--"
    return clock_text(math.ceil(max(0.0, seconds)))


def severity_rank(severity: str) -> int:
    """Higher is more urgent; a severity we do not know ranks above critical (never harmless)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def severity_key(severity: str) -> str:
    """The style name of a severity: critical, warning, advisory, or critical when unknown."""
    return severity if severity in SEVERITIES else "critical"


def severity_label(severity: str) -> str:
    """Symbol and word, e.g. `▲ CRIT`; an unknown severity shows its own name in capitals."""
    if severity in SEVERITY_WORD:
        return f"{SEVERITY_MARK[severity]} {_(SEVERITY_WORD[severity])}"
    return f"{UNKNOWN_MARK} {severity.upper()[:4] or '????'}"


def sort_alerts(alerts: Iterable[AlertView]) -> list[AlertView]:
    """Most severe first, then oldest first (ISO Zulu stamps sort in time order)."""
    return sorted(alerts, key=lambda a: (-severity_rank(a.severity), a.first_seen_utc))


def distance_text(metres: float) -> str:
    """A horizontal distance: metres below 1 km, km with one decimal below 100 km."""
    if not math.isfinite(metres):
        return "?"
    if abs(metres) < 1000:
        return f"{metres:.0f}m"
    if abs(metres) < 100_000:
        return f"{metres / 1000:.1f}km"
    return f"{metres / 1000:.0f}km"


def seconds_text(seconds: float) -> str:
    """Time to closest approach: `45s`, `3m05s`; `past` once it has gone by."""
    if not math.isfinite(seconds):
        return "?"
    if seconds < 0:
        return _("past")
    whole = int(seconds)
    return f"{whole}s" if whole < 60 else f"{whole // 60}m{whole % 60:02d}s"


def zulu_time(stamp: str | None) -> str:
    """`HH:MM:SSZ` from an ISO Zulu stamp (`2026-11-25T07:10:00.123Z`); `—` when absent."""
    if not stamp:
        return "—"
    _, _, clock = stamp.partition("T")
    return (clock[:8] + "Z") if len(clock) >= 8 else stamp


def alert_flags(alert: AlertView) -> str:
    """Suspect mark and acknowledgement, as words."""
    parts = []
    if alert.suspect:
        parts.append(_(SUSPECT_MARK))
    if alert.acknowledged_by:
        parts.append(_("ack {operator}").format(operator=alert.acknowledged_by))
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert as the list shows it."""

    pair_id: str
    severity: str  # a style name: critical, warning, advisory
    label: str
    pair: str
    kind: str
    horizontal: str
    vertical: str
    cpa: str
    first_seen: str
    flags: str


def alert_row(alert: AlertView) -> AlertRow:
    """The cells of one alert."""
    return AlertRow(
        pair_id=alert.pair_id,
        severity=severity_key(alert.severity),
        label=severity_label(alert.severity),
        pair=f"{alert.a.id}/{alert.b.id}" if alert.kind != "LINE" else f"{alert.a.id}/LINE",
        kind=alert.kind,
        horizontal=distance_text(alert.horizontal_m),
        vertical=f"{alert.vertical_ft:.0f}ft" if math.isfinite(alert.vertical_ft) else "?",
        cpa=seconds_text(alert.time_to_cpa_s),
        first_seen=zulu_time(alert.first_seen_utc),
        flags=alert_flags(alert),
    )


@dataclass(frozen=True, slots=True)
class CallRow:
    """One of today's calls as the list shows it."""

    call_id: str
    short_id: str
    direction: str
    started: str
    outcome: str
    duration: str
    transmissions: str
    operator: str
    notes: str


def call_row(call: CallSummary) -> CallRow:
    """The cells of one call."""
    return CallRow(
        call_id=str(call.call_id),
        short_id=short_call_id(str(call.call_id)),
        direction=_(_DIRECTIONS.get(call.direction, call.direction)),
        started=zulu_time(call.started_utc),
        outcome=outcome_word(call.outcome),
        duration=clock_text(call.duration_s) if call.duration_s is not None else "--:--",
        transmissions=str(call.transmissions),
        operator=call.operator or "—",
        notes=call.notes.replace("\n", " "),
    )


_DIRECTIONS = {"incoming": N_("IN"), "outgoing": N_("OUT")}
OUTCOME_WORDS = {
    "open": N_("OPEN"), "answered": N_("ANSWERED"), "missed": N_("MISSED"),
    "rejected": N_("REJECTED"), "link_lost": N_("LINK LOST"), "no_answer": N_("NO ANSWER"),
    "cancelled": N_("CANCELLED"),
}  # fmt: skip
"""A call's outcome as the list shows it (the record keeps the machine word)."""


def outcome_word(outcome: str | None) -> str:
    """`ANSWERED`, `NO ANSWER`... in the language in use; an outcome we do not know in capitals."""
    word = outcome or "open"
    return _(OUTCOME_WORDS[word]) if word in OUTCOME_WORDS else word.upper().replace("_", " ")


def short_call_id(call_id: str) -> str:
    """The call's number in its run (`20261125T052201000Z-11` -> `11`); the start time is in
    its own column, and search still matches the whole id."""
    return call_id.rsplit("-", 1)[-1] or call_id


def _words(*parts: str) -> str:
    return " ".join(parts).lower()


def alert_matches(alert: AlertView, query: str) -> bool:
    """Does the search text occur in the alert (pair, tracks, kind, severity, flags)?"""
    q = query.strip().lower()
    if not q:
        return True
    text = _words(alert.pair_id, alert.a.id, alert.b.id, alert.kind, alert.severity,
                  severity_label(alert.severity), alert_flags(alert))  # fmt: skip
    return q in text


def call_matches(call: CallSummary, query: str) -> bool:
    """Does the search text occur in the call (id, direction, outcome, operator, notes)?"""
    q = query.strip().lower()
    if not q:
        return True
    text = _words(str(call.call_id), call.direction, call.outcome or "open", call.operator,
                  call.notes, call.started_utc)  # fmt: skip
    return q in text


def links_of(health: Sequence[LinkHealth], links: dict[str, bool]) -> tuple[LinkHealth, ...]:
    """Link health: the snapshot's `health` when filled, else derived from `links` (up/down
    only)."""
    if health:
        return tuple(health)
    return tuple(LinkHealth(name, up) for name, up in links.items())


def link_name(name: str) -> str:
    """The short capitalised name of a link."""
    return LINK_NAMES.get(name, name.upper())


def call_timer(call: CallView, now: float) -> tuple[str, str]:
    """(what, mm:ss) for the call panel: time ringing, calling, or connected; ("", "") idle."""
    if call.phase is CallPhase.IDLE or call.started_at is None:
        return ("", "")
    if call.phase is CallPhase.CONNECTED:
        since = call.answered_at if call.answered_at is not None else call.started_at
        return (_("call"), clock_text(now - since))
    return (_(_PHASE_WORDS.get(call.phase.value.lower(), call.phase.value.lower())),
            clock_text(now - call.started_at))  # fmt: skip


_PHASE_WORDS = {"ringing": N_("ringing"), "calling": N_("calling")}


def tot_left(call: CallView, now: float) -> float | None:
    """Seconds left on the time-out timer while keyed, else None."""
    if not call.keyed or call.tot_deadline is None:
        return None
    return call.tot_deadline - now


def direction_text(call: CallView) -> str:
    """INCOMING, OUTGOING, or empty when idle."""
    word = {"incoming": N_("INCOMING"), "outgoing": N_("OUTGOING")}.get(call.direction or "", "")
    return _(word)


def link_counters(counters: LinkCounters | None, short: bool = False) -> str:
    """A serial link's counters as shown: `[in 1204 out 1187]`, what went wrong after it;
    `short`: what went wrong alone if anything did (a narrow row)."""
    if counters is None:
        return ""
    faults = counters.faults()
    frames = _("in {frames_in} out {frames_out}").format(
        frames_in=counters.frames_in, frames_out=counters.frames_out)
    if short and faults:
        return f"[{faults}]"
    return f"[{frames} {faults}]" if faults else f"[{frames}]"
