"""The co-processor's side of alerting: from kernel cycles to ALERT and CLEAR decisions.

Pure (times passed in). Each cycle quantises the picture to wire precision, runs the kernel, and
compares with the pairs already alerted: a new pair or a higher severity is alerted at once; a
lower severity, or no alert, must last ``hold_s`` before it is sent (a downgrade ALERT, or
CLEAR), so a pair at the edge of a threshold does not flicker. ``alert_seq`` counts every ALERT
of this boot from 1. Within a cycle the most severe alerts come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from terminal.kernel.assess import Assessment, assess
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture
from terminal.kernel.report import Kind, Member, Separation, member, pair_id, quantize, separation
from terminal.kernel.thresholds import DEFAULT_TABLE, Table

DEFAULT_HOLD_S = 3.0


@dataclass(frozen=True, slots=True)
class Issue:
    """An ALERT to send."""

    alert_seq: int
    pair_id: str
    kind: Kind
    severity: int  # ADVISORY, WARNING or CRITICAL
    computed_utc_ms: int
    a: Member
    b: Member
    numbers: Separation


@dataclass(frozen=True, slots=True)
class Clear:
    """A CLEAR to send: the pair's alert is resolved."""

    pair_id: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One pair in alert in this cycle, before any decision."""

    pair_id: str
    kind: Kind
    severity: int
    a: Member
    b: Member
    numbers: Separation


@dataclass
class _Open:
    issue: Issue
    lower_since: float | None = None


def findings(assessment: Assessment, line: Line | None) -> list[Finding]:
    """Every pair of a cycle that meets a threshold, as pair members and numbers."""
    pic = assessment.picture
    out: list[Finding] = []
    pm = assessment.pairs
    for k in range(len(pm)):
        i, j = int(pm.i[k]), int(pm.j[k])
        if pic.ids[j] < pic.ids[i]:
            i, j = j, i
        a, b = member(pic, i), member(pic, j)
        nums = separation(pm.hsep_m[k], pm.dz_m[k], pm.tcpa_s[k], pm.miss_m[k])
        out.append(Finding(pair_id(a.id, b.id), "TRACK", int(assessment.pair_severity[k]), a, b,
                           nums))  # fmt: skip
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
            out.append(Finding(pair_id(a.id, line.id), "LINE", sev, a, foot, nums))
    return out


@dataclass
class Watch:
    """Which pairs are in alert, and what to send about them."""

    line: Line | None = None
    table: Table = DEFAULT_TABLE
    hold_s: float = DEFAULT_HOLD_S
    next_seq: int = 1
    _open: dict[str, _Open] = field(default_factory=dict)
    last_candidates: int = 0

    def open_issues(self) -> list[Issue]:
        """The latest ALERT of every pair in alert, oldest pair first."""
        return [o.issue for o in self._open.values()]

    def cycle(self, picture: Picture, now: float, utc_ms: int) -> list[Issue | Clear]:
        """Run the kernel on ``picture`` (at monotonic ``now``, Zulu ``utc_ms``); what to send."""
        result = assess(quantize(picture), self.line, self.table)
        self.last_candidates = result.candidates
        return self.decide(findings(result, self.line), now, utc_ms)

    def decide(self, found: list[Finding], now: float, utc_ms: int) -> list[Issue | Clear]:
        """Turn one cycle's findings into ALERTs and CLEARs."""
        out: list[Issue | Clear] = []
        fresh: list[Finding] = []
        current = {f.pair_id: f for f in found}
        for pid, f in current.items():
            st = self._open.get(pid)
            if st is None or f.severity > st.issue.severity:
                fresh.append(f)
            elif f.severity == st.issue.severity:
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
                out.append(Clear(pid))
        fresh.sort(key=lambda f: (-f.severity, f.pair_id))
        issues = [self._issue(f, utc_ms) for f in fresh]
        return [*issues, *out]

    def reissue(self, utc_ms: int) -> list[Issue]:
        """A new ALERT (new alert_seq, same content) for every pair in alert: for a terminal
        that restarted and knows none of them."""
        olds = sorted(self.open_issues(), key=lambda i: (-i.severity, i.pair_id))
        return [self._issue(Finding(o.pair_id, o.kind, o.severity, o.a, o.b, o.numbers), utc_ms)
                for o in olds]  # fmt: skip

    def _issue(self, f: Finding, utc_ms: int) -> Issue:
        issue = Issue(self.next_seq, f.pair_id, f.kind, f.severity, utc_ms, f.a, f.b, f.numbers)
        self.next_seq += 1
        self._open[f.pair_id] = _Open(issue)
        return issue
