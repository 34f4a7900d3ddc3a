"""Can the desk's clock be trusted? The pure rules: when a clock reading is a fault, the hysteresis
that keeps one bad reading from flapping the fault, and when a fault starts and ends (each goes in
the log). No I/O: the reading comes in through `ClockSource` (hw/clock.py reads the kernel), the
time of each reading is given.

A reading is **bad** when the kernel says the clock is not synchronised, or its estimated error is
over `max_error_ms`. A fault starts after `RAISE_AFTER` bad readings in a row (the first poll after
boot is not a fault on its own) and ends after `CLEAR_AFTER` good readings in a row, good meaning
synchronised with the error at most `CLEAR_RATIO` of the threshold. A reading that cannot be made
(no permission, not Linux) is **unknown**: it neither starts nor ends a fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

RAISE_AFTER = 2
CLEAR_AFTER = 2
CLEAR_RATIO = 0.8

SYNCHRONISED = "synchronised"
UNSYNCHRONISED = "unsynchronised"
ERROR_HIGH = "error high"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ClockState:
    """One reading of the system clock's synchronisation.

    `synchronised` is None when it could not be read (then `detail` says why); errors are in
    milliseconds; `last_sync_utc_ms` is when the time service last set the clock, if known."""

    synchronised: bool | None
    est_error_ms: float | None = None
    max_error_ms: float | None = None
    last_sync_utc_ms: int | None = None
    source: str = ""
    detail: str = ""


class ClockSource(Protocol):
    """Where clock readings come from (the kernel on a desk; a fake in tests)."""

    def read(self) -> ClockState:
        """The clock's synchronisation now; never raises (unknown instead)."""


@dataclass(frozen=True, slots=True)
class ClockView:
    """The clock as the fronts show it (`status` one of the four words above)."""

    status: str = UNKNOWN
    fault: bool = False
    est_error_ms: float | None = None
    max_error_ms: float | None = None
    last_sync_utc_ms: int | None = None
    checked_utc_ms: int | None = None
    detail: str = ""

    def line(self) -> str:
        """One line for the console and the service: `clock synchronised ±2.1 ms`."""
        text = f"clock {self.status}"
        if self.est_error_ms is not None and self.status != UNKNOWN:
            text += f" ±{self.est_error_ms:.1f} ms"
        if self.fault:
            text += " (FAULT)"
        return text


@dataclass(frozen=True, slots=True)
class ClockFaultStarted:
    """The clock became untrustworthy: `since_utc_ms` is the first bad reading of the run."""

    utc_ms: int
    since_utc_ms: int
    status: str
    reason: str
    state: ClockState


@dataclass(frozen=True, slots=True)
class ClockFaultEnded:
    """The clock is trusted again: `since_utc_ms` is the first good reading of the run,
    `started_utc_ms` when the fault's bad run began."""

    utc_ms: int
    since_utc_ms: int
    started_utc_ms: int
    status: str
    reason: str
    state: ClockState


ClockChange = ClockFaultStarted | ClockFaultEnded


def status_of(state: ClockState, max_error_ms: float) -> str:
    """The word for one reading."""
    if state.synchronised is None:
        return UNKNOWN
    if not state.synchronised:
        return UNSYNCHRONISED
    if state.est_error_ms is not None and state.est_error_ms > max_error_ms:
        return ERROR_HIGH
    return SYNCHRONISED


def reason_of(state: ClockState, max_error_ms: float) -> str:
    """Why a reading is bad (or what it is), for the console and the record."""
    status = status_of(state, max_error_ms)
    if status == UNSYNCHRONISED:
        return "the system clock is not synchronised (kernel STA_UNSYNC)"
    if status == ERROR_HIGH:
        return (
            f"the system clock's estimated error {state.est_error_ms:.1f} ms is over "
            f"{max_error_ms:g} ms"
        )
    if status == UNKNOWN:
        return f"the clock's synchronisation cannot be read: {state.detail or 'unknown'}"
    return "the system clock is synchronised"


class ClockWatch:
    """Turns clock readings into a view and, now and then, a fault start or end."""

    def __init__(self, max_error_ms: float) -> None:
        self.max_error_ms = max_error_ms
        self.fault = False
        self._bad_run = 0
        self._good_run = 0
        self._run_since: int | None = None  # the first reading of the current bad or good run
        self._fault_since: int | None = None
        self.view = ClockView()

    def observe(self, state: ClockState, utc_ms: int) -> ClockChange | None:
        """Take one reading made at `utc_ms`; the fault's start or end if it decides one."""
        status = status_of(state, self.max_error_ms)
        change: ClockChange | None = None
        if status == UNKNOWN:
            self._bad_run = self._good_run = 0
            self._run_since = None
        elif status != SYNCHRONISED:
            if self._bad_run == 0:
                self._run_since = utc_ms
            self._bad_run += 1
            self._good_run = 0
            if not self.fault and self._bad_run >= RAISE_AFTER:
                self.fault = True
                since = self._run_since if self._run_since is not None else utc_ms
                self._fault_since = since
                reason = reason_of(state, self.max_error_ms)
                change = ClockFaultStarted(utc_ms, since, status, reason, state)
        else:
            error = state.est_error_ms
            clearly_good = error is None or error <= self.max_error_ms * CLEAR_RATIO
            if not clearly_good:  # inside the hysteresis band: neither run goes on
                self._good_run = 0
                self._bad_run = 0
            else:
                if self._good_run == 0:
                    self._run_since = utc_ms
                self._good_run += 1
                self._bad_run = 0
                if self.fault and self._good_run >= CLEAR_AFTER:
                    self.fault = False
                    since = self._run_since if self._run_since is not None else utc_ms
                    started = self._fault_since if self._fault_since is not None else since
                    reason = reason_of(state, self.max_error_ms)
                    change = ClockFaultEnded(utc_ms, since, started, status, reason, state)
                    self._fault_since = None
        self.view = ClockView(
            status=status,
            fault=self.fault,
            est_error_ms=state.est_error_ms,
            max_error_ms=state.max_error_ms,
            last_sync_utc_ms=state.last_sync_utc_ms,
            checked_utc_ms=utc_ms,
            detail=state.detail,
        )
        return change
