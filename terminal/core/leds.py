"""Desk LED patterns, derived from the call state, the links and the highest open alert.

Pure: the GPIO adapter turns a `LedPattern` into gpiozero's `on()`, `off()` or
`blink(on_time, off_time)` using `blink_times`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from terminal.core.calls import CallPhase, CallView

BLINK_SLOW_ON_S = 0.5
BLINK_SLOW_OFF_S = 0.5
BLINK_FAST_ON_S = 0.125
BLINK_FAST_OFF_S = 0.125


class LedPattern(enum.Enum):
    """What one LED does."""

    OFF = "OFF"
    ON = "ON"
    BLINK_SLOW = "BLINK_SLOW"
    BLINK_FAST = "BLINK_FAST"


@dataclass(frozen=True, slots=True)
class LedPatterns:
    """The pattern of every desk LED."""

    ring: LedPattern
    tx: LedPattern
    fault: LedPattern
    alert: LedPattern


_RING = {
    CallPhase.IDLE: LedPattern.OFF,
    CallPhase.RINGING: LedPattern.BLINK_FAST,
    CallPhase.CALLING: LedPattern.BLINK_SLOW,
    CallPhase.CONNECTED: LedPattern.ON,
}
_ALERT = {
    None: LedPattern.OFF,
    "advisory": LedPattern.ON,
    "warning": LedPattern.BLINK_SLOW,
    "critical": LedPattern.BLINK_FAST,
}


def blink_times(pattern: LedPattern) -> tuple[float, float] | None:
    """(on seconds, off seconds) for a blinking pattern; None for OFF and ON."""
    if pattern is LedPattern.BLINK_SLOW:
        return (BLINK_SLOW_ON_S, BLINK_SLOW_OFF_S)
    if pattern is LedPattern.BLINK_FAST:
        return (BLINK_FAST_ON_S, BLINK_FAST_OFF_S)
    return None


def led_patterns(
    state: CallView, *, links_down: bool, alert_level: str | None, clock_fault: bool = False
) -> LedPatterns:
    """The LEDs for this state.

    The fault LED blinks while any link (or the call state's own radio link) is down, and is
    steady once the desk has shut down. A clock fault alone (the system clock unsynchronised or
    its error over the threshold, terminal/core/clock_trust.py) blinks it fast, so the panel tells
    it from a link fault; a link fault as well blinks it slow. An alert level this function does
    not know blinks fast: an unknown severity must not look harmless.
    """
    if state.closed:
        fault = LedPattern.ON
    elif links_down or not state.link_up:
        fault = LedPattern.BLINK_SLOW
    elif clock_fault:
        fault = LedPattern.BLINK_FAST
    else:
        fault = LedPattern.OFF
    return LedPatterns(
        ring=_RING[state.phase],
        tx=LedPattern.ON if state.keyed else LedPattern.OFF,
        fault=fault,
        alert=_ALERT.get(alert_level, LedPattern.BLINK_FAST),
    )
