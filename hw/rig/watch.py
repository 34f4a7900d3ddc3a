"""The PTT watchdog's decisions, pure: when to read back `t` (get_ptt), and what a reading means.

rigctld has no keepalive: a radio keyed through it stays keyed until told otherwise. So the desk
does not trust its own commands: while keyed it reads the radio's PTT back every `check_s`, and
after every unkey it reads it back until the radio says 0. A reading is judged against what was
last commanded; a reading asked for before a later command is stale and ignored (`ask` hands out
the command generation it was asked under).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(enum.Enum):
    """What one readback of the radio's PTT means."""

    AGREES = "agrees"
    """The radio is as commanded."""
    STILL_KEYED = "still keyed"
    """Commanded off, reads keyed: a fault; send T 0 again."""
    RECOVERED = "recovered"
    """Commanded off and reads off after a STILL_KEYED: clear the fault."""
    DROPPED = "dropped"
    """Commanded on, reads off: the radio unkeyed on its own (its own time-out)."""
    STALE = "stale"
    """Asked before a later command: says nothing about it."""


@dataclass
class PttWatch:
    """What the radio should be doing, and when to check it is."""

    check_s: float
    wanted: bool = False
    generation: int = 0
    faulted: bool = False
    _next: float | None = None

    def commanded(self, keyed: bool, now: float) -> None:
        """We sent T 1 / T 0 (or rigctld confirmed it): check soon after."""
        self.wanted = keyed
        self.generation += 1
        self._next = now  # read back at once: after an unkey that is the check that matters

    def unverified(self, now: float) -> None:
        """The connection is new (or back): nothing is known until a readback."""
        self.generation += 1
        self._next = now

    def next_check(self) -> float | None:
        """When the next readback is due, or None (unkeyed and verified)."""
        return self._next

    def due(self, now: float) -> bool:
        """Is a readback due at `now`?"""
        return self._next is not None and now >= self._next

    def ask(self, now: float) -> int:
        """A readback goes out now; returns the generation to hand back with its answer."""
        self._next = now + self.check_s  # until answered, ask again after check_s
        return self.generation

    def reading(self, generation: int, keyed: bool, now: float) -> Verdict:
        """Judge the radio's answer to a readback asked under `generation`."""
        if generation != self.generation:
            return Verdict.STALE
        if self.wanted:
            self._next = now + self.check_s
            return Verdict.AGREES if keyed else Verdict.DROPPED
        if keyed:
            self.faulted = True
            self._next = now + self.check_s
            return Verdict.STILL_KEYED
        self._next = None  # unkeyed and verified: no more reading until the next key
        if self.faulted:
            self.faulted = False
            return Verdict.RECOVERED
        return Verdict.AGREES

    def dropped_handled(self) -> None:
        """The desk took note that the radio unkeyed on its own: it wants it unkeyed now."""
        self.wanted = False
        self.generation += 1
