"""Helpers for the co-processor tests: the co-processor simulator on a pseudo-terminal, the
terminal's CoprocLink (pyserial) on the other end, feeding an AlertBook."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hw.coproc import CoprocLink
from hw.pty import PtyPair
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from hw.sim.tracks import TrackSource
from terminal.config.model import LinkConfig
from terminal.core.alert_effects import AlertLogged
from terminal.core.alert_events import AlertEvent, AlertTick, CoprocStatus
from terminal.core.alerts import AlertBook, AlertSettings

FAST_LINK = {"heartbeat_s": 0.2, "link_timeout_s": 0.8, "ack_timeout_s": 0.1}


@dataclass
class Terminal:
    """The terminal side: the alert book and what it logged."""

    book: AlertBook
    logged: list[tuple[str, int]] = field(default_factory=list)
    statuses: list[CoprocStatus] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def feed(self, event: AlertEvent) -> None:
        if isinstance(event, CoprocStatus):
            self.statuses.append(event)
        for effect in self.book.handle(event):
            self.kinds[type(effect).__name__] += 1
            if isinstance(effect, AlertLogged):
                self.logged.append((effect.boot_id, effect.alert_seq))

    def in_alert(self) -> dict[str, int]:
        """Pair id -> severity (1..3) of every open alert."""
        rank = {"advisory": 1, "warning": 2, "critical": 3}
        return {v.pair_id: rank[v.severity] for v in self.book.views()}


@dataclass
class Rig:
    """A co-processor simulator and the terminal's link over a pty."""

    pty: PtyPair
    sim: CoprocSim
    runner: SimRunner
    link: CoprocLink
    term: Terminal

    @property
    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def unplug(self) -> None:
        self.runner.detach()
        self.pty.unplug()

    def plug(self) -> None:
        self.pty.plug()
        self.runner.attach_fd(self.pty.master_fd)

    def tick(self) -> None:
        """Run the book's timers now (the engine does this at next_deadline())."""
        self.term.feed(AlertTick(self.now, 0))

    def issued(self) -> list[tuple[str, int]]:
        return [(boot, seq) for boot, seq, _pair, _sev in self.sim.log.issued]


@asynccontextmanager
async def coproc_rig(
    tmp_path: Path,
    source: TrackSource,
    *,
    settings: AlertSettings | None = None,
    **sim: Any,
) -> AsyncIterator[Rig]:
    """A started rig; everything is stopped and closed on the way out."""
    loop = asyncio.get_running_loop()
    pty = PtyPair(tmp_path / "coproc")
    options = {**FAST_LINK, **sim}
    coproc = CoprocSim(source, **options)
    runner = SimRunner(coproc, clock=loop.time)
    runner.attach_fd(pty.master_fd)
    term = Terminal(AlertBook(settings or AlertSettings()))
    cfg = LinkConfig(port=pty.path, reopen_min_s=0.05, reopen_max_s=0.2, **FAST_LINK)
    link = CoprocLink(cfg, on_alert=term.feed, on_clear=term.feed, on_link=term.feed,
                      clock=loop.time)  # fmt: skip
    task = loop.create_task(link.run())
    try:
        yield Rig(pty, coproc, runner, link, term)
    finally:
        link.stop()
        runner.detach()
        pty.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(predicate: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
    """Wait on the loop until ``predicate()`` holds; fail after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


def exactly_once(rig: Rig) -> None:
    """Every ALERT the co-processor sent was acknowledged and logged by the terminal once.

    Across a co-processor reboot, the one ALERT the old boot had in flight when it died may or
    may not have reached the terminal (its ACK went to a process that was gone): for an old
    boot, what was acknowledged was logged, and at most that one more."""
    issued = rig.issued()
    assert len(issued) == len(set(issued)), "an alert number was issued twice"
    logged = rig.term.logged
    assert len(logged) == len(set(logged)), "the terminal logged an alert twice"
    assert set(logged) <= set(issued), "the terminal logged an alert nobody sent"
    delivered = rig.sim.log.delivered
    current = rig.sim.boot_id
    for boot in {b for b, _ in issued}:
        sent = {k for k in issued if k[0] == boot}
        acked = {k for k in delivered if k[0] == boot}
        got = {k for k in logged if k[0] == boot}
        if boot == current:
            assert sent == acked == got, f"boot {boot}: issued, acknowledged and logged differ"
        else:
            assert acked <= got <= sent and len(sent - acked) <= 1, f"old boot {boot} lost some"
