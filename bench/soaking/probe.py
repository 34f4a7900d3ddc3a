"""Resident memory, open descriptors and threads of a process, from /proc."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One reading of a process's resources; `label` says when it was taken."""

    label: str
    rss_kib: int
    fds: int
    threads: int


def sample(pid: int, label: str) -> Sample:
    """Read /proc/PID: VmRSS, the entries of fd/ and of task/."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    threads = len(os.listdir(f"/proc/{pid}/task"))
    return Sample(label, rss, fds, threads)


@dataclass(frozen=True)
class Limits:
    """How far the end may be from the post-warm-up reading and still count as flat."""

    rss_pct: float = 10.0
    rss_mib: float = 8.0
    fds: int = 0
    threads: int = 0

    def problems(self, warm: Sample, end: Sample) -> list[str]:
        """What grew beyond these limits (empty when flat)."""
        out = []
        allowed_kib = max(warm.rss_kib * self.rss_pct / 100, self.rss_mib * 1024)
        if end.rss_kib > warm.rss_kib + allowed_kib:
            out.append(f"RSS grew {warm.rss_kib} -> {end.rss_kib} KiB (> {allowed_kib:.0f} KiB)")
        if end.fds > warm.fds + self.fds:
            out.append(f"open fds grew {warm.fds} -> {end.fds}")
        if end.threads > warm.threads + self.threads:
            out.append(f"threads grew {warm.threads} -> {end.threads}")
        return out
