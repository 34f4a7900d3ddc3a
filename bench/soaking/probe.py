"""Resident memory, open descriptors and threads of a process, from /proc."""

from __future__ import annotations

import asyncio
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


async def settled_sample(pid: int, label: str, readings: int = 5, gap_s: float = 0.2) -> Sample:
    """The least of `readings` samples `gap_s` apart: a thread that lives only for a call (the
    recording writer) or a descriptor about to close is not counted; a leak stays."""
    taken = []
    for k in range(readings):
        if k:
            await asyncio.sleep(gap_s)
        taken.append(sample(pid, label))
    return Sample(label, min(t.rss_kib for t in taken), min(t.fds for t in taken),
                  min(t.threads for t in taken))  # fmt: skip


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
