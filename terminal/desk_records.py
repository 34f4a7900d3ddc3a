"""The engine's record sink: core record effects and the journal, into the durable log.

Calls get log ids unique across restarts (`<start stamp>-<n>`). Every core event and effect is
journalled (enough to replay a session). A call record's future resolves once it is COMMITTED;
today's calls shown on the console are read back from the log, so the console only shows what is
on disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from terminal import zulu as wall_clock
from terminal.core.alert_effects import AlertAckLogged, AlertClosedLogged, AlertLogged, AlertRecord
from terminal.core.alert_events import (
    AlertReceived,
    AlertsRestored,
    Kind,
    RestoredAlert,
    Severity,
)
from terminal.core.clock_trust import ClockChange, ClockFaultEnded
from terminal.core.effects import (
    CallAnswered,
    CallEnded,
    CallStarted,
    Effect,
    TransmissionEnded,
)
from terminal.kernel.members import Member
from terminal.log import LogReader, LogWriter, records
from terminal.log.rows import AlertRow, CallRow
from terminal.views import CallSummary
from terminal.zulu import to_iso

log = logging.getLogger(__name__)

CALLS_SHOWN = 50


def alert_fields(ev: AlertReceived) -> dict[str, Any]:
    """Every field of the ALERT under its wire name (docs/protocol.md 5.4): the record keeps the
    ALERT as the co-processor sent it (docs/log.md)."""
    out: dict[str, Any] = {
        "alert_seq": ev.alert_seq, "pair_id": ev.pair_id, "kind": ev.kind,
        "severity": ev.severity.upper(), "computed_at": to_iso(ev.computed_utc_ms),
    }  # fmt: skip
    for prefix, m in (("a", ev.a), ("b", ev.b)):
        out.update({
            f"{prefix}_id": m.id, f"{prefix}_lat": m.lat, f"{prefix}_lon": m.lon,
            f"{prefix}_alt_ft": m.alt_ft, f"{prefix}_vn": m.vn_ms, f"{prefix}_ve": m.ve_ms,
            f"{prefix}_vu": m.vu_ms,
        })  # fmt: skip
    out.update(hsep_m=ev.hsep_m, vsep_ft=ev.vsep_ft, tcpa_s=ev.tcpa_s, miss_m=ev.miss_m)
    if ev.line_version is not None:  # field 24; absent from a co-processor built before LINE
        out["line_version"] = ev.line_version
    return out


RESTORE_WINDOW_MS = 24 * 3600 * 1000
"""How far back the desk looks, at start, for alerts the log holds open (docs/log.md)."""


def restored_alert(row: AlertRow, at: float) -> RestoredAlert:
    """An open alert's row as the book restores it: its ALERT rebuilt from the wire fields the
    record keeps (`alert_fields`). KeyError or ValueError if they are not all there."""
    f = json.loads(row.fields)

    def member(prefix: str) -> Member:
        return Member(str(f[f"{prefix}_id"]), float(f[f"{prefix}_lat"]),
                      float(f[f"{prefix}_lon"]), float(f[f"{prefix}_alt_ft"]),
                      float(f[f"{prefix}_vn"]), float(f[f"{prefix}_ve"]),
                      float(f[f"{prefix}_vu"]))  # fmt: skip

    kind = str(f["kind"])
    severity = row.severity
    if kind not in ("TRACK", "LINE") or severity not in ("advisory", "warning", "critical"):
        raise ValueError(f"alert {row.alert_id}: kind {kind!r}, severity {severity!r}")
    received = AlertReceived(
        at, row.received_utc_ms, row.boot_id, row.alert_seq, row.pair_id,
        cast(Kind, kind), cast(Severity, severity),
        wall_clock.parse_when(str(f["computed_at"]), row.received_utc_ms), member("a"), member("b"),
        float(f["hsep_m"]), float(f["vsep_ft"]), float(f["tcpa_s"]), float(f["miss_m"]),
        None if f.get("line_version") is None else int(f["line_version"]),
    )  # fmt: skip
    return RestoredAlert(received, not row.consistent, row.acked_by, row.acked_utc_ms)


def open_alerts(path: Path, at: float, utc_ms: int) -> tuple[AlertsRestored, int]:
    """The alerts the log at `path` holds open from the last `RESTORE_WINDOW_MS`, as the event
    that restores them, and how many rows could not be read back (skipped)."""
    since = utc_ms - RESTORE_WINDOW_MS
    with LogReader(path) as reader:
        rows = reader.open_alerts(since)
        highs = reader.highest_alert_seqs((r.boot_id for r in rows), since)
    alerts, bad = [], 0
    for row in rows:
        try:
            alerts.append(restored_alert(row, at))
        except (KeyError, ValueError, TypeError) as exc:
            bad += 1
            log.warning("open alert %s not restored: %s", row.alert_id, exc)
    return AlertsRestored(at, utc_ms, tuple(alerts), tuple(sorted(highs.items()))), bad


def call_summary(row: CallRow) -> CallSummary:
    """A log row as the console shows it."""
    duration = None
    if row.ended_utc_ms is not None:
        duration = (row.ended_utc_ms - row.rung_utc_ms) / 1000
    try:
        notes = "; ".join(str(n.get("text", n)) for n in json.loads(row.notes or "[]"))
    except (ValueError, AttributeError):
        notes = row.notes
    return CallSummary(
        call_id=row.call_id,
        direction=row.direction,
        started_utc=to_iso(row.rung_utc_ms),
        outcome=row.outcome,
        duration_s=duration,
        transmissions=row.transmissions,
        operator=row.operator or "",
        notes=notes,
    )


def _start_of_day_ms(now: datetime | None = None) -> int:
    now = now or datetime.fromtimestamp(wall_clock.now_ms() / 1000, UTC)
    return int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)


class DeskRecords:
    """Writes the desk's records through the single LogWriter."""

    def __init__(self, writer: LogWriter, on_calls: Callable[[tuple[CallSummary, ...]], None]):
        self.writer = writer
        started = datetime.now(UTC)
        self.prefix = started.strftime("%Y%m%dT%H%M%S") + f"{started.microsecond // 1000:03d}Z"
        self._on_calls = on_calls
        self._refreshing = False
        self._stale = False
        self.rejected = 0
        # One thread of its own for reading the log back: the loop's default executor starts a
        # new worker whenever the last one has not yet said it is idle, up to cpus + 4 of them.
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="log-reader")

    def log_call_id(self, core_call_id: int) -> str:
        """The call's id in the log."""
        return f"{self.prefix}-{core_call_id}"

    def entry_for(self, effect: Effect, operator: str) -> records.Entry | None:
        """The log record for a core record effect (None for effects not recorded as calls)."""
        who = operator or None
        match effect:
            case CallStarted(call_id=cid, direction=direction):
                return records.call_started(self.log_call_id(cid), direction, who)
            case CallAnswered(call_id=cid):
                return records.call_answered(self.log_call_id(cid), who)
            case TransmissionEnded(call_id=cid, duration_s=duration, reason=reason):
                ms = max(0, round(duration * 1000))
                return records.transmission(self.log_call_id(cid), ms, who, reason)
            case CallEnded(call_id=cid, outcome=outcome):
                return records.call_ended(self.log_call_id(cid), outcome, who)
        return None

    def record_effect(self, effect: Effect, operator: str) -> asyncio.Future[int] | None:
        """Commit a call record; the returned future resolves once it is on disk."""
        entry = self.entry_for(effect, operator)
        if entry is None:
            return None
        fut = asyncio.wrap_future(self.writer.submit(*entry))
        fut.add_done_callback(lambda _f: self.refresh_calls())
        return fut

    def journal(self, kind: str, item: dict[str, Any]) -> None:
        """Journal an event or effect (group-committed with everything else)."""
        data = {k: v for k, v in item.items() if k != "type"}
        name = str(item.get("type", "?"))
        entry = (
            records.journal_event(name, data) if kind == "event"
            else records.journal_effect(name, data)
        )
        self._submit_quietly(entry)

    def record_alert(self, effect: AlertRecord) -> asyncio.Future[int] | None:
        """Commit an alert record; the future resolves once it is on disk."""
        entry: records.Entry
        match effect:
            case AlertLogged():
                fields = alert_fields(effect.alert)
                if effect.disagreements:
                    fields["_suspect"] = list(effect.disagreements)
                entry = records.alert_received(
                    fields, boot_id=effect.boot_id, alert_seq=effect.alert_seq,
                    pair_id=effect.pair_id, severity=effect.severity, consistent=effect.consistent,
                )
            case AlertAckLogged():
                entry = records.alert_acknowledged(effect.alert_id, effect.operator or None)
            case AlertClosedLogged():
                entry = records.alert_closed(effect.alert_id, effect.reason)
            case _:
                entry = records.journal_of("effect", effect)
        return asyncio.wrap_future(self.writer.submit(*entry, utc_ms=effect.utc_ms))

    def record_clock(self, change: ClockChange) -> None:
        """A clock fault started or ended (a `clock_fault` record, docs/log.md)."""
        entry = records.clock_fault(
            "ended" if isinstance(change, ClockFaultEnded) else "started",
            change.status,
            change.reason,
            change.since_utc_ms,
            est_error_ms=change.state.est_error_ms,
            started_utc_ms=change.started_utc_ms if isinstance(change, ClockFaultEnded) else None,
        )
        self._submit_quietly(entry, utc_ms=change.utc_ms)

    def note(self, core_call_id: int, text: str, operator: str) -> Future[int]:
        """A free-text note on a call."""
        entry = records.call_note(self.log_call_id(core_call_id), operator or None, text)
        fut = self.writer.submit(*entry)
        fut.add_done_callback(lambda _f: self._refresh_threadsafe())
        return fut

    def recording(self, core_call_id: int, path: Path) -> None:
        """The call's recording file (called when the recording is finished)."""
        self._submit_quietly(records.call_recording(self.log_call_id(core_call_id), str(path)))

    def _submit_quietly(self, entry: records.Entry, utc_ms: int | None = None) -> None:
        try:
            self.writer.submit(*entry, utc_ms=utc_ms)
        except (ValueError, TypeError) as exc:  # a journal item the log cannot hold: count it
            self.rejected += 1
            log.warning("journal entry refused: %s", exc)

    def _refresh_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.refresh_calls)

    _loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        """Stop reading the log back (a read under way finishes on its own)."""
        self._loop = None
        self._reader.shutdown(wait=False, cancel_futures=True)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Where the refreshed call list is delivered."""
        self._loop = loop

    def refresh_calls(self) -> None:
        """Read today's calls back from the log (off the loop) and hand them to the engine."""
        loop = self._loop
        if loop is None:
            return
        if self._refreshing:
            self._stale = True  # read again when this read is done
            return
        self._refreshing = True
        self._stale = False
        path = self.writer.path

        def read() -> tuple[CallSummary, ...]:
            with LogReader(path) as reader:  # a page: the newest CALLS_SHOWN, newest first
                rows = reader.calls_latest(_start_of_day_ms(), CALLS_SHOWN)
            return tuple(call_summary(r) for r in rows)

        def done(fut: asyncio.Future[tuple[CallSummary, ...]]) -> None:
            self._refreshing = False
            if not fut.cancelled() and fut.exception() is None:
                self._on_calls(fut.result())
            elif not fut.cancelled():
                log.warning("could not read today's calls: %s", fut.exception())
            if self._stale:
                self.refresh_calls()

        try:
            loop.run_in_executor(self._reader, read).add_done_callback(done)
        except RuntimeError:  # the loop is shutting down: nothing left to show
            self._refreshing = False
