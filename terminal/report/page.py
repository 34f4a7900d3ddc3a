"""The shift report as one self-contained HTML page (inline CSS and SVG, nothing fetched).

Headings, labels and notes are in the desk's language (terminal/i18n, `<html lang>` says
which); what comes from the record (ids, callsigns, reasons, notes) is shown as recorded.

Every text that comes from the log goes through `html.escape`: record fields are untrusted.
Counts sit in elements with ids (`count-calls`, `count-alerts`, ...) so a reader, or a test,
finds them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from pathlib import Path

from terminal.core.lines import format_points
from terminal.i18n import N_, _, language
from terminal.log.rows import CallRow
from terminal.report.facts import MAX_ALERT_ROWS, AlertLine, ShiftFacts
from terminal.report.svg import map_svg
from terminal.zulu import to_iso

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Nothing in the page may fetch or run anything (it holds untrusted text)."""
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #111; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #999; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #e8ecf0; }
dl.counts { display: grid; grid-template-columns: max-content max-content; gap: 2px 12px; }
dl.counts dt { font-weight: bold; }
.critical { color: #c8102e; font-weight: bold; }
.warning { color: #b84e12; }
.fingerprint { font-family: monospace; font-size: 1.3em; letter-spacing: 0.05em; }
.hash { font-family: monospace; font-size: 0.8em; color: #555; }
.empty { color: #666; font-style: italic; }
.note { color: #444; font-size: 0.9em; }
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _z(utc_ms: int | None) -> str:
    return _e(to_iso(utc_ms)) if utc_ms is not None else ""


def _num(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _table(headers: Iterable[str], rows: list[str], table_id: str, empty: str) -> str:
    if not rows:
        return f'<p class="empty" id="{table_id}-none">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(_(h))}</th>" for h in headers)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(rows) + (
        "\n</tbody></table>"
    )


def _notes(call: CallRow) -> str:
    try:
        notes = json.loads(call.notes or "[]")
    except ValueError:
        return _e(call.notes)
    if not isinstance(notes, list):
        return _e(call.notes)
    lines = []
    for note in notes:
        if isinstance(note, dict):
            who = note.get("operator") or ""
            lines.append(
                f"{_z(note.get('utc_ms') if isinstance(note.get('utc_ms'), int) else None)} "
                f"{_e(who)}: {_e(note.get('text', ''))}"
            )
        else:
            lines.append(_e(note))
    return "<br>".join(lines)


def _recording(path: str | None) -> str:
    if not path:
        return ""
    target = Path(path).as_uri() if Path(path).is_absolute() else path
    return f'<a href="{_e(target)}">{_e(Path(path).name)}</a>'


def _call_row(call: CallRow) -> str:
    duration = ""
    if call.ended_utc_ms is not None:
        duration = f"{(call.ended_utc_ms - call.rung_utc_ms) / 1000:.1f} s"
    who = call.answered_by or call.operator or ""
    cells = [
        _z(call.rung_utc_ms), _e(_word(call.direction)), _e(_word(call.outcome or "(open)")),
        duration,
        _z(call.answered_utc_ms), _z(call.ended_utc_ms), _e(who), str(call.transmissions),
        f"{call.transmit_ms / 1000:.1f}", _notes(call), _recording(call.recording),
    ]  # fmt: skip
    return '<tr class="call">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


CALL_HEADERS = (
    N_("Rung (Z)"), N_("Direction"), N_("Outcome"), N_("Duration"), N_("Answered (Z)"),
    N_("Ended (Z)"), N_("Operator"), N_("TX"), N_("TX s"), N_("Notes"), N_("Recording"),
)  # fmt: skip
ALERT_HEADERS = (
    N_("Received (Z)"), N_("Alert"), N_("Severity"), N_("Pair"), N_("Kind"), N_("H sep m"),
    N_("V sep ft"), N_("TCPA s"), N_("Miss m"), N_("Consistent"), N_("Acked (Z)"), N_("By"),
    N_("Ack after"), N_("Closed (Z)"), N_("Reason"),
)  # fmt: skip
OUTAGE_HEADERS = (N_("What"), N_("From (Z)"), N_("To (Z)"), N_("For"), N_("Detail"))
EVENT_HEADERS = (N_("When (Z)"), N_("What"), N_("Detail"))
LINE_HEADERS = (
    N_("Version"), N_("Name"), N_("In force from (Z)"), N_("To (Z)"), N_("Effective from (Z)"),
    N_("Entered by"), N_("Call"), N_("Points"),
)  # fmt: skip
HEADINGS = {
    "summary": N_("Summary"), "calls": N_("Calls"), "open": N_("Open at handover"),
    "alerts": N_("Alerts"), "outages": N_("Link outages, desk stops and clock faults"),
    "map": N_("Map"), "no_calls": N_("No calls in the range."),
    "no_open": N_("No alert open at handover."), "no_alerts": N_("No alerts in the range."),
    "no_outages": N_("None recorded in the range."),
    "no_events": N_("No co-processor restarts or missing alert numbers."),
    "lines": N_("Line versions"), "no_lines": N_("No line version in the log for the range."),
}  # fmt: skip
"""The page's headings and empty-table lines (translated when the page is made)."""
RECORD_WORDS = {
    "incoming": N_("incoming"), "outgoing": N_("outgoing"), "(open)": N_("(open)"),
    "answered": N_("answered"), "missed": N_("missed"), "rejected": N_("rejected"),
    "link_lost": N_("link_lost"), "no_answer": N_("no_answer"), "cancelled": N_("cancelled"),
    "open": N_("open"), "critical": N_("critical"), "warning": N_("warning"),
    "advisory": N_("advisory"),
}  # fmt: skip
"""The record's machine words the page shows, in the desk's language (the record keeps them)."""


def _word(value: str | None) -> str:
    return _(RECORD_WORDS[value]) if value in RECORD_WORDS else (value or "")


def _alert_row(alert: AlertLine) -> str:
    after = ""
    if alert.acked_utc_ms is not None:
        after = f"{max(0, alert.acked_utc_ms - alert.received_utc_ms) / 1000:.1f} s"
    cells = [
        _z(alert.received_utc_ms), _e(alert.alert_id),
        f'<span class="{_e(alert.severity)}">{_e(_word(alert.severity))}</span>', _e(alert.pair_id),
        _e(alert.kind), _num(alert.hsep_m), _num(alert.vsep_ft), _num(alert.tcpa_s, 1),
        _num(alert.miss_m), _("yes") if alert.consistent else _("NO"), _z(alert.acked_utc_ms),
        _e(alert.acked_by), after, _z(alert.closed_utc_ms), _e(alert.closed_reason),
    ]  # fmt: skip
    return '<tr class="alert">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _count(ident: str, label: str, value: object) -> str:
    return f'<dt>{_e(_(label))}</dt><dd id="count-{ident}">{_e(value)}</dd>'


def render(facts: ShiftFacts, *, title: str = N_("Shift handover report")) -> str:
    """The whole page."""
    title = _(title)
    since, until = to_iso(facts.since_ms), to_iso(facts.until_ms)
    outcomes = ", ".join(f"{_e(_word(k))} {v}" for k, v in sorted(facts.call_outcomes.items()))
    severities = ", ".join(
        f"{_e(_word(k))} {facts.by_severity[k]}" for k in ("critical", "warning", "advisory")
        if facts.by_severity[k]
    )  # fmt: skip
    mean = facts.ack_mean_s
    counts = "".join([
        _count("calls", N_("Calls"), len(facts.calls)),
        "<dt>" + _e(_("by outcome")) + f"</dt><dd>{outcomes or '–'}</dd>",
        _count("alerts", N_("Alerts"), facts.alerts_total),
        "<dt>" + _e(_("by severity")) + f"</dt><dd>{severities or '–'}</dd>",
        _count("open", N_("Open at handover"), facts.open_total),
        _count("acked", N_("Acknowledged"), facts.acked),
        _count("ack-mean", N_("Mean time to acknowledge"),
               "–" if mean is None else f"{mean:.1f} s"),
        _count("ack-max", N_("Longest time to acknowledge"),
               f"{facts.ack_ms_max / 1000:.1f} s" if facts.acked else "–"),
        _count("suspect", N_("Suspect (desk's cross-check disagrees)"), facts.suspect),
        _count("closest", N_("Closest horizontal separation"),
               "–" if facts.closest_hsep_m is None else f"{facts.closest_hsep_m:,.0f} m"),
        _count("outages", N_("Link outages, desk stops, clock faults"), len(facts.outages)),
    ])  # fmt: skip
    shown = len(facts.alert_rows)
    alert_note = (
        _("All {shown} alerts of the shift, the most severe first, newest first within a "
          "severity.").format(shown=shown)
        if shown == facts.alerts_total
        else _("The {shown} most severe of {total} alerts (newest first within a "
               "severity; at most {most}). Every alert: <code>hotline log alerts --since "
               "{since} --until {until}</code>.").format(
            shown=shown, total=f"{facts.alerts_total:,}", most=MAX_ALERT_ROWS,
            since=_e(since), until=_e(until))
    )
    open_note = _(
        "Alerts that arrived in the range and were not closed by its end (an alert open when "
        "the desk stopped stays open in the log: compare with the desk stops below)."
    )
    if facts.open_total > len(facts.open_at_handover):
        open_note += _(" The first {first} of {total}.").format(
            first=len(facts.open_at_handover), total=f"{facts.open_total:,}")
    outage_rows = [
        f'<tr class="outage"><td>{_e(o.what)}</td><td>{_z(o.start_utc_ms)}</td>'
        f"<td>{_z(o.end_utc_ms) if o.end_utc_ms is not None else _NOT_OVER()}"
        f"</td><td>{_duration(o.start_utc_ms, o.end_utc_ms)}</td><td>{_e(o.detail)}</td></tr>"
        for o in facts.outages
    ]
    note_rows = [
        f'<tr class="event"><td>{_z(n.utc_ms)}</td><td>{_e(n.what)}</td><td>{_e(n.detail)}</td>'
        "</tr>"
        for n in facts.notes
    ]
    line_note = (
        _("The deconfliction line: the <b>configured</b> line {line} "
          "({points} points, from <code>[alerts] line_points</code>); the log holds no "
          "line version for this period.").format(line=_e(facts.line_id), points=len(facts.line))
        if len(facts.line) >= 2
        else _("No deconfliction line is configured (<code>[alerts] line_points</code>).")
    )
    if facts.line_periods:
        line_note = _(
            "The deconfliction line: version {version} {line}, in force at the end of the range "
            "(solid); earlier versions of the range dashed."
        ).format(version=facts.line_periods[-1][0].version, line=_e(facts.line_id))
    line_rows = [
        f'<tr class="line-version"><td>v{v.version}</td><td>{_e(v.name)}</td><td>{_z(start)}</td>'
        f"<td>{_z(end)}</td><td>{_z(v.effective_utc_ms)}</td><td>{_e(v.entered_by or '')}</td>"
        f"<td>{_e(v.call_id or '')}</td><td>{_e(format_points(v.points))}</td></tr>"
        for v, start, end in facts.line_periods
    ]
    lines_note = _(
        "The versions of the deconfliction line in force over the range, each for the part\n"
        "of the range it was in force (every version: <code>hotline log lines</code>)."
    )
    range_text = _("From <b>{since}</b> up to <b>{until}</b> (Zulu). Generated\n{generated} from "
                   "<code>{database}</code>.").format(
        since=_e(since), until=_e(until), generated=_e(to_iso(facts.generated_ms)),
        database=_e(facts.database))
    head_text = _("Head of the record: record {head_id}, fingerprint").format(
        head_id=f'<span id="head-id">{facts.head_id}</span>')
    head_note = _("The head is the whole log's at the time the report was made. Compare the\n"
                  "fingerprint with <code>hotline log verify</code>'s head to see the record is "
                  "the one reported.")
    marks_note = _("Marks: every alert's aircraft positions (both tracks of a TRACK\nalert), by "
                   "severity; one mark per spot of about 500 m, larger for more alerts.")
    h = {key: _(text) for key, text in HEADINGS.items()}
    body = f"""<!DOCTYPE html>
<html lang="{language()}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{_e(title)} {_e(since)} – {_e(until)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{_e(title)}</h1>
<p id="range">{range_text}</p>
<p>{head_text}
<span class="fingerprint" id="fingerprint">{_e(facts.fingerprint)}</span><br>
<span class="hash" id="head-hash">{_e(facts.head_hash.hex())}</span></p>
<p class="note">{head_note}</p>
<h2>{h["summary"]}</h2>
<dl class="counts">{counts}</dl>
<h2>{h["calls"]}</h2>
{_table(CALL_HEADERS, [_call_row(c) for c in facts.calls], "calls", h["no_calls"])}
<h2>{h["open"]}</h2>
<p class="note">{open_note}</p>
{_table(ALERT_HEADERS, [_alert_row(a) for a in facts.open_at_handover], "open", h["no_open"])}
<h2>{h["alerts"]}</h2>
<p class="note">{alert_note}</p>
{_table(ALERT_HEADERS, [_alert_row(a) for a in facts.alert_rows], "alerts", h["no_alerts"])}
<h2>{h["lines"]}</h2>
<p class="note">{lines_note}</p>
{_table(LINE_HEADERS, line_rows, "lines", h["no_lines"])}
<h2>{h["outages"]}</h2>
{_table(OUTAGE_HEADERS, outage_rows, "outages", h["no_outages"])}
{_table(EVENT_HEADERS, note_rows, "events", h["no_events"])}
<h2>{h["map"]}</h2>
<p class="note">{line_note} {marks_note}</p>
{map_svg(facts)}
</body></html>
"""
    return body


def _NOT_OVER() -> str:
    return "<b>" + _e(_("not over at handover")) + "</b>"


def _duration(start: int, end: int | None) -> str:
    if end is None:
        return ""
    seconds = max(0, end - start) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes = f"{rest // 60:02d}m" if hours else f"{rest // 60}m"
    return f"{hours}h" * bool(hours) + f"{minutes}{rest % 60:02d}s"
