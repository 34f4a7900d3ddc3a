"""A track source for the soak: converging pairs, over and over, until told to stop."""

from __future__ import annotations

from hw.sim.tracks.scenarios import make
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture

PERIOD_S = 80.0
"""Scenario seconds of one round: the pairs converge (ADVISORY, then CRITICAL near their CPA at
54 s), pass, clear, and start again from 25 km apart."""


class RepeatingPairs:
    """`pairs` pairs that meet every PERIOD_S; `stop()` leaves an empty sky (every pair clears)."""

    line: Line | None = None
    reboots: tuple[float, ...] = ()

    def __init__(self, pairs: int) -> None:
        self._base = make(f"reboot:{pairs}")
        self.stopped = False

    def stop(self) -> None:
        """No more aircraft from now on."""
        self.stopped = True

    def picture(self, t: float) -> Picture:
        """The pairs at `t` modulo the period (or nothing, once stopped)."""
        if self.stopped:
            return Picture.empty()
        return self._base.picture(t % PERIOD_S)
