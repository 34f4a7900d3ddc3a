"""When to put a serial link's trouble in the service log: what went wrong on the line since the
last report, at most once per interval per link (pure; the caller passes the time).

A flood of garbage is one line a minute, not one per frame; a clean line says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from terminal.views import LinkCounters, LinkHealth

REPORT_INTERVAL_S = 60.0

_FAULT_FIELDS = ("crc_errors", "garbage_bytes", "bad_frames", "retransmits", "duplicates",
                 "errs_out")  # fmt: skip


def _faults_between(old: LinkCounters, new: LinkCounters) -> LinkCounters:
    """The fault counts that grew from `old` to `new` (frame counts are the totals of `new`)."""
    grown = {name: max(0, getattr(new, name) - getattr(old, name)) for name in _FAULT_FIELDS}
    return LinkCounters(frames_in=new.frames_in, frames_out=new.frames_out, **grown)


@dataclass
class LinkReporter:
    """Keeps, per link, the counters last reported and when."""

    interval_s: float = REPORT_INTERVAL_S
    _reported: dict[str, tuple[float, LinkCounters]] = field(default_factory=dict)

    def lines(self, health: tuple[LinkHealth, ...], now: float) -> list[str]:
        """The log lines due now: one per link whose faults grew, if its interval has passed."""
        out = []
        for item in health:
            counters = item.counters
            if counters is None:
                continue
            when, last = self._reported.get(item.name, (None, LinkCounters()))
            if when is not None and now - when < self.interval_s:
                continue
            grown = _faults_between(last, counters)
            faults = grown.faults()
            if not faults:
                continue
            self._reported[item.name] = (now, counters)
            totals = " ".join(f"{f.name}={getattr(counters, f.name)}" for f in fields(counters))
            out.append(f"link {item.name}: {faults} since the last report; totals {totals}")
        return out
