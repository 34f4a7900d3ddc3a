"""What a shift report says, gathered from the log in one streaming pass per table.

Calls are read a row at a time (`LogReader.iter_calls`); a shift has hundreds, all shown. Of the
alerts SQLite sums and bins what the summary and the map need (`alert_totals`, `alert_spots`),
and only the rows the tables show are read whole: the alerts still open at handover and the
`MAX_ALERT_ROWS` most severe, newest first (`alerts_open_at`, `alerts_ranked`). Outages and
faults are the journal's link events, the desk's stops and the clock_fault records.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from terminal.core.lines import LineHistory, LineVersion, periods
from terminal.line_log import read_versions
from terminal.log import LogReader
from terminal.log.rows import AlertRow, CallRow

MAX_ALERT_ROWS = 1000
"""The alert table's length: beyond it the table says how many were left out."""
MAX_OPEN_ROWS = 1000
GRID_DEG = 0.005
"""The map's bins (about 500 m): alerts at one spot are one mark with a count."""
SEVERITY_RANK = {"advisory": 1, "warning": 2, "critical": 3}
JOURNAL_NAMES = ("LinkDown", "LinkUp", "CoprocStatus", "Shutdown", "CoprocRestarted", "AlertGap")


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One alert as the report shows it."""

    alert_id: str
    pair_id: str
    severity: str
    kind: str
    received_utc_ms: int
    hsep_m: float | None
    vsep_ft: float | None
    tcpa_s: float | None
    miss_m: float | None
    consistent: bool
    acked_utc_ms: int | None
    acked_by: str | None
    closed_utc_ms: int | None
    closed_reason: str | None


@dataclass(frozen=True, slots=True)
class Outage:
    """A link down (and back up, or still down at handover), a desk stop, or a clock fault."""

    what: str
    start_utc_ms: int
    end_utc_ms: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Note:
    """A one-off event of the journal: a co-processor restart, missing alert numbers."""

    utc_ms: int
    what: str
    detail: str


@dataclass
class ShiftFacts:
    """Everything the report shows."""

    since_ms: int
    until_ms: int
    generated_ms: int
    database: str
    head_id: int = 0
    head_hash: bytes = bytes(32)
    line: tuple[tuple[float, float], ...] = ()
    line_id: str = ""
    line_periods: list[tuple[LineVersion, int, int]] = field(default_factory=list)
    """The line versions in force over the range (from the log), each with from and to."""
    calls: list[CallRow] = field(default_factory=list)
    call_outcomes: Counter[str] = field(default_factory=Counter)
    alerts_total: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    suspect: int = 0
    acked: int = 0
    ack_ms_total: int = 0
    ack_ms_max: int = 0
    alert_rows: list[AlertLine] = field(default_factory=list)
    open_at_handover: list[AlertLine] = field(default_factory=list)
    open_total: int = 0
    closest_hsep_m: float | None = None
    marks: dict[tuple[int, int, str], int] = field(default_factory=dict)
    outages: list[Outage] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def ack_mean_s(self) -> float | None:
        """The mean time from arrival to acknowledgement, of the acknowledged alerts."""
        return self.ack_ms_total / self.acked / 1000 if self.acked else None

    @property
    def fingerprint(self) -> str:
        """The chain head's first 16 hex digits in 4 groups: `be25 1cf1 3e5d e890`."""
        digits = self.head_hash.hex()[:16]
        return " ".join(digits[k : k + 4] for k in range(0, 16, 4))


def _number(fields: dict[str, Any], key: str) -> float | None:
    value = fields.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def alert_line(row: AlertRow, fields: dict[str, Any]) -> AlertLine:
    """The report's view of one alerts row."""
    return AlertLine(
        alert_id=row.alert_id,
        pair_id=row.pair_id,
        severity=row.severity,
        kind=str(fields.get("kind", "")),
        received_utc_ms=row.received_utc_ms,
        hsep_m=_number(fields, "hsep_m"),
        vsep_ft=_number(fields, "vsep_ft"),
        tcpa_s=_number(fields, "tcpa_s"),
        miss_m=_number(fields, "miss_m"),
        consistent=bool(row.consistent),
        acked_utc_ms=row.acked_utc_ms,
        acked_by=row.acked_by,
        closed_utc_ms=row.closed_utc_ms,
        closed_reason=row.closed_reason,
    )


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def collect(
    reader: LogReader,
    since_ms: int,
    until_ms: int,
    *,
    generated_ms: int,
    line: tuple[tuple[float, float], ...] = (),
    line_id: str = "",
) -> ShiftFacts:
    """Read the range [since_ms, until_ms) of the log (one read snapshot) into the facts."""
    facts = ShiftFacts(since_ms, until_ms, generated_ms, str(reader.path), line=line,
                       line_id=line_id)  # fmt: skip
    with reader.snapshot():
        facts.head_id, facts.head_hash = reader.head()
        for call in reader.iter_calls(since_ms, until_ms):
            facts.calls.append(call)
            facts.call_outcomes[call.outcome or "open"] += 1
        _alerts(reader, facts)
        _outages(reader, facts)
        _lines(reader, facts)
    return facts


def _lines(reader: LogReader, facts: ShiftFacts) -> None:
    """The line versions in force over the range; the map draws the last one as the line."""
    try:
        history = LineHistory(read_versions(reader, facts.until_ms))
    except ValueError:
        return  # a malformed record: the report shows the configured line, as before
    facts.line_periods = periods(history, facts.since_ms, facts.until_ms)
    if facts.line_periods:
        last = facts.line_periods[-1][0]
        facts.line, facts.line_id = last.points, last.name


def _alerts(reader: LogReader, facts: ShiftFacts) -> None:
    """Sums and map marks from SQLite; whole rows only for the tables."""
    since, until = facts.since_ms, facts.until_ms
    totals = reader.alert_totals(since, until)
    facts.alerts_total = totals.total
    facts.by_severity.update(totals.by_severity)
    facts.suspect = totals.suspect
    facts.acked = totals.acked
    facts.ack_ms_total = totals.ack_ms_total
    facts.ack_ms_max = totals.ack_ms_max
    facts.open_total = totals.open
    facts.closest_hsep_m = totals.closest_hsep_m
    for lat_bin, lon_bin, severity, count in reader.alert_spots(since, until, GRID_DEG):
        facts.marks[(lat_bin, lon_bin, severity)] = count
    facts.open_at_handover = [
        alert_line(r, _parse(r.fields)) for r in reader.alerts_open_at(since, until, MAX_OPEN_ROWS)
    ]
    facts.alert_rows = [
        alert_line(r, _parse(r.fields)) for r in reader.alerts_ranked(since, until, MAX_ALERT_ROWS)
    ]


def _outages(reader: LogReader, facts: ShiftFacts) -> None:
    down: dict[str, tuple[int, str]] = {}
    for entry in reader.journal_named(JOURNAL_NAMES, facts.since_ms, facts.until_ms):
        data = entry.data if isinstance(entry.data, dict) else {}
        name = entry.name
        if name in ("LinkDown", "LinkUp") and entry.stream == "event":
            _link(facts, down, "radio link", name == "LinkUp", entry.utc_ms, data)
        elif name == "CoprocStatus" and entry.stream == "event":
            _link(facts, down, "co-processor link", bool(data.get("up")), entry.utc_ms, data)
        elif name == "Shutdown" and entry.stream == "event":
            facts.outages.append(
                Outage("desk stopped", entry.utc_ms, None, str(data.get("reason", "")))
            )
        elif name == "CoprocRestarted":
            facts.notes.append(Note(entry.utc_ms, "co-processor restarted", _brief(data)))
        elif name == "AlertGap":
            facts.notes.append(Note(entry.utc_ms, "alert numbers missing", _brief(data)))
    for what, (start, reason) in down.items():
        facts.outages.append(Outage(what, start, None, reason))
    down.clear()
    for rec in reader.records(facts.since_ms, facts.until_ms, kind="clock_fault"):
        p = rec.payload()
        if p.get("change") == "started":
            down["clock"] = (int(p.get("since_utc_ms", rec.utc_ms)), str(p.get("reason", "")))
        elif p.get("change") == "ended":
            start, reason = down.pop("clock", (int(p.get("started_utc_ms", rec.utc_ms)), ""))
            facts.outages.append(Outage("clock fault", start, rec.utc_ms, reason))
    if "clock" in down:
        start, reason = down.pop("clock")
        facts.outages.append(Outage("clock fault", start, None, reason))
    facts.outages.sort(key=lambda o: o.start_utc_ms)
    facts.notes.sort(key=lambda n: n.utc_ms)


def _link(
    facts: ShiftFacts,
    down: dict[str, tuple[int, str]],
    what: str,
    up: bool,
    utc_ms: int,
    data: dict[str, Any],
) -> None:
    if not up:
        down.setdefault(what, (utc_ms, str(data.get("reason", ""))))
    elif what in down:
        start, reason = down.pop(what)
        facts.outages.append(Outage(what, start, utc_ms, reason))


def _brief(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("at", "utc_ms"))
