"""The clock's trust rules (terminal/core/clock_trust.py) on fake readings and a fake Zulu clock:
when a reading is bad, the hysteresis on the way in and out, and that "unknown" never faults."""

from __future__ import annotations

from terminal.core.clock_trust import (
    CLEAR_AFTER,
    RAISE_AFTER,
    ClockFaultEnded,
    ClockFaultStarted,
    ClockState,
    ClockWatch,
    status_of,
)

T0 = 1_796_653_497_000
POLL_MS = 30_000
GOOD = ClockState(True, est_error_ms=2.0, max_error_ms=40.0)
UNSYNC = ClockState(False, est_error_ms=16_000.0, max_error_ms=16_000.0)
HIGH = ClockState(True, est_error_ms=150.0, max_error_ms=400.0)
BAND = ClockState(True, est_error_ms=90.0)  # under 100 but over 80 % of it
UNKNOWN = ClockState(None, detail="not Linux (darwin)")


def feed(watch: ClockWatch, readings: list[ClockState]) -> list[object]:
    """Every change, one reading per poll."""
    changes = []
    for n, state in enumerate(readings):
        change = watch.observe(state, T0 + n * POLL_MS)
        if change is not None:
            changes.append(change)
    return changes


def test_each_reading_has_its_word() -> None:
    assert status_of(GOOD, 100) == "synchronised"
    assert status_of(UNSYNC, 100) == "unsynchronised"
    assert status_of(HIGH, 100) == "error high"
    assert status_of(UNKNOWN, 100) == "unknown"


def test_one_bad_reading_is_not_a_fault_two_are() -> None:
    watch = ClockWatch(100)
    assert watch.observe(UNSYNC, T0) is None and not watch.fault
    assert watch.view.status == "unsynchronised" and not watch.view.fault
    change = watch.observe(UNSYNC, T0 + POLL_MS)
    assert isinstance(change, ClockFaultStarted)
    assert change.since_utc_ms == T0 and change.utc_ms == T0 + POLL_MS
    assert change.status == "unsynchronised" and "STA_UNSYNC" in change.reason
    assert watch.fault and watch.view.fault
    assert RAISE_AFTER == 2


def test_an_error_over_the_threshold_is_a_fault_and_says_how_much() -> None:
    (change,) = feed(ClockWatch(100), [HIGH, HIGH])
    assert isinstance(change, ClockFaultStarted)
    assert change.reason == "the system clock's estimated error 150.0 ms is over 100 ms"


def test_a_bad_reading_between_good_ones_never_faults() -> None:
    assert feed(ClockWatch(100), [GOOD, UNSYNC, GOOD, HIGH, GOOD, UNSYNC, GOOD]) == []


def test_the_fault_ends_after_good_readings_and_names_when_it_began() -> None:
    watch = ClockWatch(100)
    changes = feed(watch, [UNSYNC, UNSYNC, UNSYNC, GOOD, GOOD, GOOD])
    started, ended = changes
    assert isinstance(started, ClockFaultStarted) and isinstance(ended, ClockFaultEnded)
    assert ended.since_utc_ms == T0 + 3 * POLL_MS  # the first good reading
    assert ended.utc_ms == T0 + 4 * POLL_MS and CLEAR_AFTER == 2
    assert ended.started_utc_ms == T0
    assert not watch.fault and ended.status == "synchronised"


def test_a_single_good_reading_does_not_end_the_fault() -> None:
    watch = ClockWatch(100)
    changes = feed(watch, [HIGH, HIGH, GOOD, HIGH, GOOD, HIGH])
    assert len(changes) == 1 and watch.fault


def test_inside_the_hysteresis_band_the_fault_holds() -> None:
    """An error back under the threshold but over 80 % of it does not end the fault."""
    watch = ClockWatch(100)
    changes = feed(watch, [HIGH, HIGH, BAND, BAND, BAND, BAND])
    assert len(changes) == 1 and watch.fault
    assert watch.view.status == "synchronised"  # the word says what the reading is
    # ... nor does a reading in the band start a fault on its own
    assert feed(ClockWatch(100), [BAND, BAND, BAND]) == []


def test_unknown_never_faults_and_never_ends_one() -> None:
    watch = ClockWatch(100)
    assert feed(watch, [UNKNOWN] * 10) == []
    assert watch.view.status == "unknown" and watch.view.detail == "not Linux (darwin)"
    watch = ClockWatch(100)
    changes = feed(watch, [UNSYNC, UNSYNC, UNKNOWN, UNKNOWN, UNKNOWN])
    assert len(changes) == 1 and watch.fault
    # unknown breaks a run: bad, unknown, bad is not two bad in a row
    assert feed(ClockWatch(100), [UNSYNC, UNKNOWN, UNSYNC, UNKNOWN]) == []


def test_the_view_carries_the_reading() -> None:
    watch = ClockWatch(100)
    state = ClockState(True, est_error_ms=2.5, max_error_ms=30.0, last_sync_utc_ms=T0 - 5000)
    watch.observe(state, T0)
    view = watch.view
    assert (view.est_error_ms, view.max_error_ms, view.last_sync_utc_ms, view.checked_utc_ms) == (
        2.5, 30.0, T0 - 5000, T0,
    )
    assert view.line() == "clock synchronised ±2.5 ms"
