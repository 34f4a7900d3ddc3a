"""The co-processor's side of alerting: from kernel cycles to ALERT and CLEAR messages.

Pure (times passed in). ``Watch`` runs a cycle: it quantises the picture to wire precision, runs
the kernel and compares with the pairs already in alert. A new pair or a higher severity is
decided at once; a lower severity, or no alert, must last ``hold_s`` before it is decided (a
downgrade, or a clear), so a pair at the edge of a threshold does not flicker.

``Outbox`` holds the decisions until the link takes them, most severe first, coalescing what the
terminal no longer needs (an unsent ALERT replaced by a newer one of the same pair, never by a
less severe one or a CLEAR). An ALERT gets its ``alert_seq`` when it leaves the outbox, counting
from 1 per boot, so numbers are never skipped; a message the link gave back keeps its number and
goes first.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field

from terminal.kernel.assess import Assessment, assess
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture
from terminal.kernel.report import Kind, Member, Separation, member, pair_id, quantize, separation
from terminal.kernel.thresholds import DEFAULT_TABLE, Table

DEFAULT_HOLD_S = 3.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One pair in alert, as computed at ``computed_utc_ms``."""

    pair_id: str
    kind: Kind
    severity: int  # ADVISORY, WARNING or CRITICAL
    computed_utc_ms: int
    a: Member
    b: Member
    numbers: Separation


@dataclass(frozen=True, slots=True)
class Clear:
    """The pair's alert is resolved; ``severity`` is the last one sent for it."""

    pair_id: str
    severity: int = 0


@dataclass(frozen=True, slots=True)
class Issue:
    """An ALERT with its number: a finding on its way to the terminal."""

    alert_seq: int
    finding: Finding

    @property
    def pair_id(self) -> str:
        """The pair."""
        return self.finding.pair_id


Decision = Finding | Clear
Outgoing = Issue | Clear


def findings(assessment: Assessment, line: Line | None, utc_ms: int) -> list[Finding]:
    """Every pair of a cycle that meets a threshold, as members and numbers (a < b by id)."""
    pic = assessment.picture
    out: list[Finding] = []
    pm = assessment.pairs
    for k in range(len(pm)):
        i, j = int(pm.i[k]), int(pm.j[k])
        if pic.ids[j] < pic.ids[i]:
            i, j = j, i
        a, b = member(pic, i), member(pic, j)
        nums = separation(pm.hsep_m[k], pm.dz_m[k], pm.tcpa_s[k], pm.miss_m[k])
        sev = int(assessment.pair_severity[k])
        out.append(Finding(pair_id(a.id, b.id), "TRACK", sev, utc_ms, a, b, nums))
    lm = assessment.line
    if lm is not None and line is not None:
        for k in range(len(lm)):
            a = member(pic, int(lm.i[k]))
            foot = Member(
                line.segment_id(int(lm.segment[k])),
                round(float(lm.foot_lat[k]), 6), round(float(lm.foot_lon[k]), 6),
                0.0, 0.0, 0.0, 0.0,
            )  # fmt: skip
            nums = separation(lm.hsep_m[k], 0.0, lm.tcpa_s[k], lm.miss_m[k])
            sev = int(assessment.line_severity[k])
            out.append(Finding(pair_id(a.id, line.id), "LINE", sev, utc_ms, a, foot, nums))
    return out


@dataclass
class _State:
    sent: Finding
    lower_since: float | None = None


@dataclass
class Watch:
    """Which pairs are in alert, and what changed."""

    line: Line | None = None
    table: Table = DEFAULT_TABLE
    hold_s: float = DEFAULT_HOLD_S
    last_candidates: int = 0
    _open: dict[str, _State] = field(default_factory=dict)

    def open_findings(self) -> list[Finding]:
        """The latest decision of every pair in alert, oldest pair first."""
        return [s.sent for s in self._open.values()]

    def cycle(self, picture: Picture, now: float, utc_ms: int) -> list[Decision]:
        """Run the kernel on ``picture`` (at ``now`` s, Zulu ``utc_ms``); what changed."""
        result = assess(quantize(picture), self.line, self.table)
        self.last_candidates = result.candidates
        return self.decide(findings(result, self.line, utc_ms), now)

    def decide(self, found: list[Finding], now: float) -> list[Decision]:
        """Turn one cycle's findings into decisions: ALERTs most severe first, then CLEARs."""
        fresh: list[Finding] = []
        clears: list[Decision] = []
        current = {f.pair_id: f for f in found}
        for pid, f in current.items():
            st = self._open.get(pid)
            if st is None or f.severity > st.sent.severity:
                fresh.append(f)
            elif f.severity == st.sent.severity:
                st.lower_since = None
            elif st.lower_since is None:
                st.lower_since = now
            elif now - st.lower_since >= self.hold_s:
                fresh.append(f)
        for pid, st in list(self._open.items()):
            if pid in current:
                continue
            if st.lower_since is None:
                st.lower_since = now
            if now - st.lower_since >= self.hold_s:
                del self._open[pid]
                clears.append(Clear(pid, st.sent.severity))
        fresh.sort(key=lambda f: (-f.severity, f.pair_id))
        for f in fresh:
            self._open[f.pair_id] = _State(f)
        return [*fresh, *clears]


@dataclass
class Outbox:
    """Decisions waiting for the link, most severe first; numbers ALERTs as they leave.

    Per pair, a newer ALERT replaces an unsent one of the same or lower severity (the terminal
    needs the latest numbers); it never hides a more severe one, and a CLEAR never hides an
    unsent ALERT: the operator must learn that a pair was critical even if it resolved since.
    """

    next_seq: int = 1
    _returned: deque[Outgoing] = field(default_factory=deque)
    _pairs: dict[str, deque[Decision]] = field(default_factory=dict)
    _head_tick: dict[str, int] = field(default_factory=dict)
    _heap: list[tuple[int, int, str]] = field(default_factory=list)
    _tick: itertools.count[int] = field(default_factory=itertools.count)
    _count: int = 0

    def __len__(self) -> int:
        return len(self._returned) + self._count

    def put(self, decision: Decision) -> None:
        """Queue a decision (see the class)."""
        pid = decision.pair_id
        q = self._pairs.setdefault(pid, deque())
        last = q[-1] if q else None
        if (
            isinstance(decision, Finding)
            and isinstance(last, Finding)
            and decision.severity >= last.severity
        ):
            q[-1] = decision
        else:
            q.append(decision)
            self._count += 1
        if q[0] is decision or len(q) == 1:
            self._push_head(pid)

    def _push_head(self, pid: str) -> None:
        tick = next(self._tick)
        self._head_tick[pid] = tick
        heapq.heappush(self._heap, (-self._pairs[pid][0].severity, tick, pid))

    def give_back(self, items: list[Outgoing]) -> None:
        """Messages the link could not deliver, in their order: they go first, as they were."""
        self._returned.extendleft(reversed(items))

    def pop(self) -> Outgoing | None:
        """The next message to send (an ALERT numbered now), or None."""
        if self._returned:
            return self._returned.popleft()
        while self._heap:
            _, tick, pid = heapq.heappop(self._heap)
            if self._head_tick.get(pid) != tick:
                continue  # the pair's head changed since this entry
            q = self._pairs[pid]
            decision = q.popleft()
            self._count -= 1
            if q:
                self._push_head(pid)
            else:
                del self._pairs[pid], self._head_tick[pid]
            if isinstance(decision, Clear):
                return decision
            issue = Issue(self.next_seq, decision)
            self.next_seq += 1
            return issue
        return None

    def clear(self) -> None:
        """Forget everything queued (numbers already given stay used)."""
        self._returned.clear()
        self._pairs.clear()
        self._head_tick.clear()
        self._heap.clear()
        self._count = 0
