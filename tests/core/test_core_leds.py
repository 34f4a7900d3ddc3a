"""Desk LED patterns derived from call state, links and alert level."""

from __future__ import annotations

import pytest

from terminal.core import CallPhase, CallView, LedPattern, blink_times, led_patterns
from terminal.core.leds import (
    BLINK_FAST_OFF_S,
    BLINK_FAST_ON_S,
    BLINK_SLOW_OFF_S,
    BLINK_SLOW_ON_S,
)

UP = CallView(link_up=True)


def leds(view=UP, *, links_down=False, alert_level=None):
    return led_patterns(view, links_down=links_down, alert_level=alert_level)


def test_quiet_desk_is_dark():
    p = leds()
    assert (p.ring, p.tx, p.fault, p.alert) == (LedPattern.OFF,) * 4


@pytest.mark.parametrize(
    ("phase", "pattern"),
    [
        (CallPhase.IDLE, LedPattern.OFF),
        (CallPhase.RINGING, LedPattern.BLINK_FAST),
        (CallPhase.CALLING, LedPattern.BLINK_SLOW),
        (CallPhase.CONNECTED, LedPattern.ON),
    ],
)
def test_ring_led_follows_the_call(phase, pattern):
    assert leds(CallView(phase=phase, link_up=True)).ring is pattern


def test_tx_led_is_on_while_keyed():
    keyed = CallView(phase=CallPhase.CONNECTED, keyed=True, link_up=True)
    assert leds(keyed).tx is LedPattern.ON
    assert leds(CallView(phase=CallPhase.CONNECTED, link_up=True)).tx is LedPattern.OFF


def test_fault_led_blinks_while_any_link_is_down():
    assert leds(links_down=True).fault is LedPattern.BLINK_SLOW
    assert leds(CallView(link_up=False)).fault is LedPattern.BLINK_SLOW


def test_fault_led_is_steady_after_shutdown():
    assert leds(CallView(link_up=True, closed=True)).fault is LedPattern.ON
    assert leds(CallView(closed=True), links_down=True).fault is LedPattern.ON


@pytest.mark.parametrize(
    ("level", "pattern"),
    [
        (None, LedPattern.OFF),
        ("advisory", LedPattern.ON),
        ("warning", LedPattern.BLINK_SLOW),
        ("critical", LedPattern.BLINK_FAST),
        ("unheard-of", LedPattern.BLINK_FAST),
    ],
)
def test_alert_led_follows_the_highest_alert(level, pattern):
    assert leds(alert_level=level).alert is pattern


def test_blink_times():
    assert blink_times(LedPattern.OFF) is None
    assert blink_times(LedPattern.ON) is None
    assert blink_times(LedPattern.BLINK_SLOW) == (BLINK_SLOW_ON_S, BLINK_SLOW_OFF_S)
    assert blink_times(LedPattern.BLINK_FAST) == (BLINK_FAST_ON_S, BLINK_FAST_OFF_S)
    assert sum(blink_times(LedPattern.BLINK_FAST)) < sum(blink_times(LedPattern.BLINK_SLOW))
