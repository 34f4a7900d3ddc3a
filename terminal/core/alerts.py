"""The alert book: proximity alerts from the co-processor, kept by pair until resolved.

Pure, like call control: feed it timestamped events with `AlertBook.handle`, it returns effects
(records for the log, the alert tone, console notices); no I/O, no clock reads. `at` is monotonic
seconds (timers), `utc_ms` the Zulu time of the event in milliseconds (records, screen).

Rules (the tests pin each one):
- One open alert per pair: an ALERT for an open pair updates it (the log closes the previous
  alert as "superseded"), never adds a second one. CLEAR closes it ("cleared").
- An alert is identified by (co-processor boot id, alert_seq). A repeat is dropped (counted). A
  jump in alert_seq within a boot is a gap: reported (`AlertGap`, a notice), and the missing
  numbers still accepted if they turn up late. An ALERT older than the pair's latest one is
  logged but changes nothing.
- Every ALERT's numbers are recomputed with the kernel from its own positions; disagreement
  beyond the tolerance (percent, plus absolute floors) marks it suspect: shown and logged, never
  dropped.
- A rise in severity re-alerts: the pair needs acknowledging again. The alert tone is the one of
  the highest severity among unacknowledged open alerts (`AlertTone`, on every change); the LED
  follows `highest_open_severity()`. An acknowledgement (who, when) silences that alert.
- A critical alert unacknowledged for `critical_repeat_s` sounds again (`AlertReminder`, the
  tone restarted), and again every `critical_repeat_s` until acknowledged or closed.
- When the co-processor restarts (new boot id), alerts of the old boot that the new boot does not
  re-issue are closed ("coproc_restart") once the link is up and `restart_grace_s` has passed
  with no ALERT from the new boot: a new boot re-issues whatever is still in alert.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from terminal.core.alert_effects import (
    AlertAckLogged,
    AlertClosedLogged,
    AlertEffect,
    AlertGap,
    AlertLogged,
    AlertReminder,
    AlertTone,
    CloseReason,
    CoprocRestarted,
    alert_id,
)
from terminal.core.alert_events import (
    AlertAcknowledged,
    AlertCleared,
    AlertEvent,
    AlertReceived,
    AlertsRestored,
    AlertTick,
    CoprocStatus,
    Severity,
)
from terminal.core.alert_pack import Packed, pack, packed_seq, unpack
from terminal.core.effects import Notice
from terminal.core.lines import LineHistory, LineVersion
from terminal.kernel.line_shape import Line
from terminal.kernel.members import Member, Separation
from terminal.kernel.verify import DEFAULT_FLOORS, Floors, disagreements
from terminal.views import SEVERITIES, AlertView, TrackView
from terminal.zulu import to_iso

RANK: dict[str, int] = {name: k + 1 for k, name in enumerate(SEVERITIES)}
TONES: dict[str, str] = {name: f"alert_{name}" for name in SEVERITIES}
"""The tone (hw.audio) for each severity."""
BOOTS_REMEMBERED = 8
GAPS_REMEMBERED = 256
BELOW_REMEMBERED = 4096


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """How the book judges and repeats; the defaults are those of config [alerts]."""

    critical_repeat_s: float = 30.0
    suspect_tolerance_pct: float = 5.0
    floors: Floors = DEFAULT_FLOORS
    restart_grace_s: float = 10.0
    line: Line | None = None  # the deconfliction line, to check LINE alerts fully
    lines: LineHistory | None = None
    """The line's versions (the log's): when given, a LINE alert is checked against the version
    it names, or the one in force when it was computed (`LineHistory.for_alert`), not `line`."""


def _track_view(m: Member) -> TrackView:
    return TrackView(m.id, m.lat, m.lon, m.alt_ft, m.vn_ms, m.ve_ms)


@dataclass(slots=True, init=False)
class _Open:
    """One open alert (the latest ALERT of its pair). A burst leaves thousands open, and every
    one is kept: its ALERT is kept packed (terminal/core/alert_pack.py) and built back, the same
    event, when it is shown, updated or re-checked (`last`)."""

    pair_id: str
    boot_id: str
    packed: Packed
    rank: int
    first_seen_utc_ms: int
    suspect: bool
    acked_by: str | None
    acked_utc_ms: int | None
    unacked_since: float
    remind_at: float  # when an unacknowledged critical sounds again
    stale: bool  # from a co-processor boot that has since restarted
    version: int  # new on every change (unique in the book): retires old reminders

    def __init__(
        self,
        last: AlertReceived,
        first_seen_utc_ms: int,
        suspect: bool,
        acked_by: str | None = None,
        acked_utc_ms: int | None = None,
        unacked_since: float = 0.0,
        remind_at: float = 0.0,
    ) -> None:
        self.keep(last)
        self.first_seen_utc_ms = first_seen_utc_ms
        self.suspect = suspect
        self.acked_by, self.acked_utc_ms = acked_by, acked_utc_ms
        self.unacked_since, self.remind_at = unacked_since, remind_at
        self.stale = False
        self.version = 0

    def keep(self, ev: AlertReceived) -> None:
        """Make ``ev`` the pair's latest ALERT (packed)."""
        self.pair_id, self.boot_id = ev.pair_id, ev.boot_id
        self.packed = pack(ev)
        self.rank = RANK[ev.severity]

    @property
    def last(self) -> AlertReceived:
        """The pair's latest ALERT, as it was received."""
        return unpack(self.packed, self.boot_id, self.pair_id)

    @property
    def alert_seq(self) -> int:
        return packed_seq(self.packed)

    @property
    def id(self) -> str:
        return alert_id(self.boot_id, self.alert_seq)

    def sort_key(self) -> tuple[int, int, str]:
        return (-self.rank, self.first_seen_utc_ms, self.pair_id)

    def view(self) -> AlertView:
        ev = self.last
        return AlertView(
            pair_id=ev.pair_id, severity=ev.severity, kind=ev.kind,
            a=_track_view(ev.a), b=_track_view(ev.b),
            horizontal_m=ev.hsep_m, vertical_ft=ev.vsep_ft,
            time_to_cpa_s=ev.tcpa_s, miss_distance_m=ev.miss_m,
            first_seen_utc=to_iso(self.first_seen_utc_ms), updated_utc=to_iso(ev.utc_ms),
            suspect=self.suspect, acknowledged_by=self.acked_by,
            acknowledged_utc=None if self.acked_utc_ms is None else to_iso(self.acked_utc_ms),
        )  # fmt: skip


@dataclass
class _BootSeqs:
    """What arrived from one co-processor boot: the highest alert_seq and the gaps below it.

    Joining a boot midway (the terminal started after it), the numbers below the first one seen
    are unknown ground: each is taken once when it comes, and never called a gap."""

    high: int
    floor: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges
    below: dict[int, None] = field(default_factory=dict)  # taken below the floor, oldest first

    def take(self, seq: int) -> Literal["new", "late", "duplicate"]:
        """Note ``seq``; whether it is new, a late one from a gap, or a repeat."""
        if seq > self.high:
            return "new"
        if seq < self.floor:
            if seq in self.below:
                return "duplicate"
            self.below[seq] = None
            if len(self.below) > BELOW_REMEMBERED:
                del self.below[next(iter(self.below))]
            return "late"
        for k, (lo, hi) in enumerate(self.missing):
            if lo <= seq <= hi:
                pieces = [(lo, seq - 1), (seq + 1, hi)]
                self.missing[k : k + 1] = [(a, b) for a, b in pieces if a <= b]
                return "late"
        return "duplicate"


class AlertBook:
    """The open alerts, by pair; a pure state machine from events to effects."""

    def __init__(self, settings: AlertSettings | None = None) -> None:
        self.settings = settings or AlertSettings()
        self.stats: Counter[str] = Counter()
        self._open: dict[str, _Open] = {}
        self._order: list[_Open] = []  # open alerts in display order (by `_Open.sort_key`)
        self._views: dict[str, AlertView] = {}  # the views last shown (built when first shown)
        self._by_rank: Counter[int] = Counter()
        self._unacked_by_rank: Counter[int] = Counter()
        self._reminders: list[tuple[float, str, int]] = []  # heap: (due, pair_id, version)
        self._boots: OrderedDict[str, _BootSeqs] = OrderedDict()
        self._boot: str | None = None
        self._link_up = False
        self._restart_at: float | None = None
        self._last_new_boot_alert: float = 0.0
        self._tone: str | None = None
        self._now = 0.0
        self._versions = 0
        self._lines: dict[int, Line] = {}

    # --- queries -----------------------------------------------------------------------------

    def highest_open_severity(self) -> Severity | None:
        """The most severe open alert, acknowledged or not (the alert LED); None if none."""
        for rank in (3, 2, 1):
            if self._by_rank[rank]:
                return SEVERITIES[rank - 1]  # type: ignore[return-value]
        return None

    def highest_unacknowledged_severity(self) -> Severity | None:
        """The most severe alert still waiting for the operator (the tone); None if none."""
        for rank in (3, 2, 1):
            if self._unacked_by_rank[rank]:
                return SEVERITIES[rank - 1]  # type: ignore[return-value]
        return None

    def views(self, limit: int | None = None) -> tuple[AlertView, ...]:
        """Open alerts for the console: most severe first, then oldest; at most ``limit``."""
        order = self._order if limit is None else self._order[:limit]
        # A view is built when an alert is first shown and kept while it is shown and unchanged
        # (the same object: the control socket keeps its JSON by it); alerts below the shown
        # ones have none, so thousands open cost their state, not their views too.
        cache, shown = self._views, {}
        for st in order:
            view = cache.get(st.pair_id)
            shown[st.pair_id] = st.view() if view is None else view
        self._views = shown
        return tuple(shown.values())

    def __len__(self) -> int:
        return len(self._open)

    def is_open(self, pair_id: str) -> bool:
        """Whether the pair has an open alert (what the engine's acknowledge asks)."""
        return pair_id in self._open

    def unacknowledged(self) -> int:
        """How many open alerts wait for an acknowledgement."""
        return sum(self._unacked_by_rank.values())

    def next_deadline(self) -> float | None:
        """When `AlertTick` must next be fed (critical reminders, restart grace); None: never."""
        times: list[float] = []
        while self._reminders and not self._reminder_live(self._reminders[0]):
            heapq.heappop(self._reminders)
        if self._reminders:
            times.append(self._reminders[0][0])
        grace = self._grace_deadline()
        if grace is not None:
            times.append(grace)
        return min(times) if times else None

    # --- events ------------------------------------------------------------------------------

    def handle(self, event: AlertEvent) -> list[AlertEffect]:
        """Apply one event; the effects, records first, in the order to carry them out."""
        self._now = max(self._now, event.at)
        out: list[AlertEffect] = []
        match event:
            case AlertReceived():
                self._received(event, out)
            case AlertCleared():
                self._cleared(event, out)
            case AlertAcknowledged():
                self._acknowledged(event, out)
            case CoprocStatus():
                self._status(event, out)
            case AlertTick():
                pass
            case AlertsRestored():
                self._restored(event, out)
        self._retone(out)
        self._timers(event.utc_ms, out)
        self._retone(out)
        return out

    def acknowledge(self, pair_id: str, operator: str, at: float, utc_ms: int) -> list[AlertEffect]:
        """Shorthand for an `AlertAcknowledged` event."""
        return self.handle(AlertAcknowledged(at, utc_ms, pair_id, operator))

    # --- inside ------------------------------------------------------------------------------

    def _received(self, ev: AlertReceived, out: list[AlertEffect]) -> None:
        self.stats["received"] += 1
        if not self._accept_seq(ev, out):
            return
        if ev.boot_id == self._boot and self._restart_at is not None:
            self._last_new_boot_alert = ev.at
        found = self._check(ev)
        aid = alert_id(ev.boot_id, ev.alert_seq)
        out.append(AlertLogged(ev.utc_ms, aid, ev.boot_id, ev.alert_seq, ev.pair_id, ev.severity,
                               not found, ev, found))  # fmt: skip
        if found:
            self.stats["suspect"] += 1
            out.append(
                Notice("warning", f"Alert {ev.pair_id}: suspect numbers ({'; '.join(found)}).")
            )
        st = self._open.get(ev.pair_id)
        if st is None:
            self._open_new(ev, bool(found), out)
            return
        if st.boot_id == ev.boot_id and ev.alert_seq < st.alert_seq:
            self.stats["older"] += 1  # overtaken by a newer ALERT of the pair: logged, no more
            out.append(AlertClosedLogged(ev.utc_ms, aid, ev.pair_id, "superseded"))
            return
        self._update(st, ev, bool(found), out)

    def _restored(self, ev: AlertsRestored, out: list[AlertEffect]) -> None:
        """Open again what the log holds open (no record: it is logged already). The newest
        one's boot is taken as the co-processor's, so a link up with another boot starts the
        restart grace for them, and a CLEAR, a newer ALERT or the grace closes them in the log."""
        for boot, high in ev.boot_highs:
            if boot not in self._boots:
                self._remember_boot(boot, high, floor=high + 1)
        restored = [r for r in ev.alerts if r.received.pair_id not in self._open]
        repeat = self.settings.critical_repeat_s
        for r in sorted(restored, key=lambda r: r.received.utc_ms):
            rec = r.received
            seqs = self._boots.get(rec.boot_id)
            if seqs is not None:
                seqs.take(rec.alert_seq)  # below the floor: taken, so a re-send is a repeat
            st = _Open(rec, rec.utc_ms, r.suspect, r.acked_by, r.acked_utc_ms,
                       unacked_since=ev.at, remind_at=ev.at + repeat)  # fmt: skip
            self._bump(st)
            self._open[rec.pair_id] = st
            self._index(st)
            self._count(st, +1)
            self._arm_reminder(st)
        if restored and self._boot is None:
            self._boot = max(restored, key=lambda r: r.received.utc_ms).received.boot_id
        self.stats["restored"] += len(restored)
        if restored:
            out.append(Notice("warning", f"{len(restored)} alert(s) open when the desk last "
                                         "stopped, restored from the log."))  # fmt: skip

    def _accept_seq(self, ev: AlertReceived, out: list[AlertEffect]) -> bool:
        if ev.boot_id != self._boot:
            self._new_boot(ev.boot_id, ev.at, ev.utc_ms, out)
        seqs = self._boots.get(ev.boot_id)
        if seqs is None:  # joined a running co-processor: what came before is unknown ground
            seqs = self._remember_boot(ev.boot_id, ev.alert_seq - 1, floor=ev.alert_seq)
        verdict = seqs.take(ev.alert_seq)
        if verdict == "duplicate":
            self.stats["duplicates"] += 1
            return False
        if verdict == "late":
            self.stats["late"] += 1
            return True
        lo, hi = seqs.high + 1, ev.alert_seq - 1
        if lo == 0 and hi >= 0:  # a boot we saw start: it counts from 1 (0 is welcome too)
            seqs.missing.append((0, 0))
            lo = 1
        if lo <= hi:
            seqs.missing.append((lo, hi))
            del seqs.missing[:-GAPS_REMEMBERED]
            self.stats["gaps"] += 1
            self.stats["missing"] += hi - lo + 1
            out.append(AlertGap(ev.utc_ms, ev.boot_id, lo, hi))
            what = f"alert {lo}" if lo == hi else f"alerts {lo} to {hi}"
            out.append(Notice("error", f"Co-processor {ev.boot_id}: {what} never arrived."))
        seqs.high = ev.alert_seq
        return True

    def _check(self, ev: AlertReceived) -> tuple[str, ...]:
        nums = Separation(ev.hsep_m, ev.vsep_ft, ev.tcpa_s, ev.miss_m)
        s = self.settings
        return disagreements(ev.kind, ev.a, ev.b, nums, tolerance_pct=s.suspect_tolerance_pct,
                             floors=s.floors, line=self.line_for(ev))  # fmt: skip

    def line_for(self, ev: AlertReceived) -> Line | None:
        """The line a LINE alert is checked against (None: separations only, 5.4.6)."""
        history = self.settings.lines
        if ev.kind != "LINE" or history is None:
            return self.settings.line
        version = history.for_alert(ev.line_version, ev.computed_utc_ms)
        if version is None:
            self.stats["line_unknown"] += 1
            return None
        return self._line_of(version)

    def _line_of(self, v: LineVersion) -> Line:
        """The kernel's line for a version, kept (its densified form is costly to build)."""
        line = self._lines.get(v.version)
        if line is None:
            line = self._lines[v.version] = Line(v.name, v.points)
        return line

    def _open_new(self, ev: AlertReceived, suspect: bool, out: list[AlertEffect]) -> None:
        repeat = self.settings.critical_repeat_s
        st = _Open(ev, ev.utc_ms, suspect, unacked_since=ev.at, remind_at=ev.at + repeat)
        self._bump(st)
        self._open[ev.pair_id] = st
        self._index(st)
        self._count(st, +1)
        self._arm_reminder(st)
        self.stats["opened"] += 1
        out.append(Notice(_level(ev.severity), f"{ev.severity.upper()} {_describe(ev)}"))

    def _update(self, st: _Open, ev: AlertReceived, suspect: bool, out: list[AlertEffect]) -> None:
        out.append(AlertClosedLogged(ev.utc_ms, st.id, ev.pair_id, "superseded"))
        rose = RANK[ev.severity] > st.rank
        self._unindex(st)
        self._count(st, -1)
        st.keep(ev)
        st.suspect, st.stale = suspect, False
        self._bump(st)
        if rose:  # re-alert: the operator must see it again
            st.acked_by = st.acked_utc_ms = None
            st.unacked_since = ev.at
            out.append(
                Notice(_level(ev.severity), f"{ev.severity.upper()} (raised) {_describe(ev)}")
            )
            st.remind_at = ev.at + self.settings.critical_repeat_s
        self._index(st)
        self._count(st, +1)
        self._arm_reminder(st)
        self.stats["updated"] += 1

    def _cleared(self, ev: AlertCleared, out: list[AlertEffect]) -> None:
        st = self._open.get(ev.pair_id)
        if st is None:
            self.stats["clear_unknown"] += 1
            return
        self._close(st, ev.utc_ms, "cleared", out)
        out.append(Notice("info", f"Alert {ev.pair_id} resolved."))

    def _close(self, st: _Open, utc_ms: int, reason: CloseReason, out: list[AlertEffect]) -> None:
        out.append(AlertClosedLogged(utc_ms, st.id, st.pair_id, reason))
        del self._open[st.pair_id]
        self._unindex(st)
        self._count(st, -1)
        self._bump(st)
        self.stats[f"closed_{reason}"] += 1

    def _acknowledged(self, ev: AlertAcknowledged, out: list[AlertEffect]) -> None:
        st = self._open.get(ev.pair_id)
        if st is None or st.acked_by is not None:
            self.stats["ack_ignored"] += 1
            return
        self._count(st, -1)
        st.acked_by, st.acked_utc_ms = ev.operator, ev.utc_ms
        self._bump(st)
        self._count(st, +1)
        self._views.pop(ev.pair_id, None)  # built again when next shown
        out.append(AlertAckLogged(ev.utc_ms, st.id, ev.pair_id, ev.operator))
        self.stats["acknowledged"] += 1

    def _status(self, ev: CoprocStatus, out: list[AlertEffect]) -> None:
        self._link_up = ev.up
        if ev.up and ev.boot_id and ev.boot_id != self._boot:
            self._new_boot(ev.boot_id, ev.at, ev.utc_ms, out)

    def _new_boot(self, boot: str, at: float, utc_ms: int, out: list[AlertEffect]) -> None:
        old = self._boot
        self._boot = boot
        if old is None:
            return
        if boot not in self._boots:
            self._remember_boot(boot, -1)  # we saw it start: its alerts count from 1 (or 0)
        stale = [st for st in self._open.values() if st.boot_id != boot]
        for st in stale:
            st.stale = True
        self._restart_at = at
        self._last_new_boot_alert = at
        self.stats["coproc_restarts"] += 1
        out.append(CoprocRestarted(utc_ms, old, boot, len(stale)))
        out.append(Notice("warning", f"Co-processor restarted ({old} -> {boot}); "
                                     f"{len(stale)} open alert(s) await re-issue."))  # fmt: skip

    def _remember_boot(self, boot: str, high: int, floor: int = 0) -> _BootSeqs:
        seqs = self._boots[boot] = _BootSeqs(high, floor)
        while len(self._boots) > BOOTS_REMEMBERED:
            self._boots.popitem(last=False)
        return seqs

    def _grace_deadline(self) -> float | None:
        if self._restart_at is None or not self._link_up:
            return None
        return max(self._restart_at, self._last_new_boot_alert) + self.settings.restart_grace_s

    def _timers(self, utc_ms: int, out: list[AlertEffect]) -> None:
        now = self._now
        grace = self._grace_deadline()
        if grace is not None and now >= grace:
            self._restart_at = None
            stale = [st for st in self._open.values() if st.stale]
            for st in stale:
                self._close(st, utc_ms, "coproc_restart", out)
            if stale:
                text = f"{len(stale)} alert(s) of the previous co-processor boot not re-issued."
                out.append(Notice("warning", text))
        while self._reminders and self._reminders[0][0] <= now:
            entry = heapq.heappop(self._reminders)
            if not self._reminder_live(entry):
                continue
            st = self._open[entry[1]]
            waited = now - st.unacked_since
            out.append(AlertReminder(utc_ms, st.id, st.pair_id, round(waited, 3)))
            out.append(Notice("error", f"CRITICAL {st.pair_id} unacknowledged for "
                                       f"{waited:.0f} s."))  # fmt: skip
            out.append(AlertTone(TONES["critical"], self._tone))
            self.stats["reminders"] += 1
            st.remind_at = now + self.settings.critical_repeat_s
            heapq.heappush(self._reminders, (st.remind_at, entry[1], entry[2]))

    def _reminder_live(self, entry: tuple[float, str, int]) -> bool:
        st = self._open.get(entry[1])
        return st is not None and st.version == entry[2] and st.acked_by is None and st.rank == 3

    def _bump(self, st: _Open) -> None:
        """A new version, unique in the book: reminders armed for older ones are void."""
        self._versions += 1
        st.version = self._versions

    def _arm_reminder(self, st: _Open) -> None:
        if st.rank == 3 and st.acked_by is None:
            heapq.heappush(self._reminders, (st.remind_at, st.pair_id, st.version))

    def _retone(self, out: list[AlertEffect]) -> None:
        sev = self.highest_unacknowledged_severity()
        tone = None if sev is None else TONES[sev]
        if tone != self._tone:
            out.append(AlertTone(tone, self._tone))
            self._tone = tone

    def _index(self, st: _Open) -> None:
        bisect.insort(self._order, st, key=_Open.sort_key)

    def _unindex(self, st: _Open) -> None:
        # Called before the alert changes: the list is ordered by the keys it has now (the
        # alerts themselves are kept, not a tuple of each one's key).
        k = bisect.bisect_left(self._order, st.sort_key(), key=_Open.sort_key)
        if k < len(self._order) and self._order[k] is st:
            del self._order[k]
        self._views.pop(st.pair_id, None)

    def _count(self, st: _Open, sign: int) -> None:
        self._by_rank[st.rank] += sign
        if st.acked_by is None:
            self._unacked_by_rank[st.rank] += sign


def _level(severity: str) -> Literal["info", "warning", "error"]:
    if severity == "advisory":
        return "info"
    return "warning" if severity == "warning" else "error"


def _describe(ev: AlertReceived) -> str:
    what = f"{ev.a.id} and {ev.b.id}" if ev.kind == "TRACK" else f"{ev.a.id} and the line"
    return (f"{what}: {ev.hsep_m:.0f} m, {ev.vsep_ft:.0f} ft apart; CPA in {ev.tcpa_s:.0f} s, "
            f"miss {ev.miss_m:.0f} m.")  # fmt: skip
