"""The desk panel on gpiozero's MockFactory: patterns, lamp test, PTT edges, pin clashes."""

from __future__ import annotations

import asyncio

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from hw.gpio import DeskPanel, PanelPins, PinFactoryError, mock_press
from terminal.core.leds import LedPattern, LedPatterns

PINS = PanelPins(ptt=17, ring=22, tx=23, alert=24, fault=27)
OFF = LedPatterns(LedPattern.OFF, LedPattern.OFF, LedPattern.OFF, LedPattern.OFF)


@pytest.fixture
def factory() -> MockFactory:
    f = MockFactory(pin_class=MockPWMPin)
    yield f
    f.reset()
    f.close()


def test_patterns_drive_the_pins(factory: MockFactory) -> None:
    panel = DeskPanel(PINS, factory, lambda pressed, at: None)
    panel.show(LedPatterns(LedPattern.ON, LedPattern.OFF, LedPattern.OFF, LedPattern.OFF))
    assert factory.pin(22).state == 1 and factory.pin(23).state == 0
    panel.show(LedPatterns(LedPattern.BLINK_FAST, LedPattern.ON, LedPattern.OFF, LedPattern.OFF))
    assert panel.led_pattern("ring") is LedPattern.BLINK_FAST
    assert factory.pin(23).state == 1
    panel.close()
    assert factory.pin(22).state == 0, "closing turns every LED off"


def test_active_low_leds_invert_the_pin(factory: MockFactory) -> None:
    pins = PanelPins(ptt=17, ring=22, tx=23, alert=24, fault=27, led_active_high=False)
    panel = DeskPanel(pins, factory, lambda pressed, at: None)
    panel.show(LedPatterns(LedPattern.ON, LedPattern.OFF, LedPattern.OFF, LedPattern.OFF))
    assert factory.pin(22).state == 0 and factory.pin(23).state == 1
    panel.close()


def test_ptt_edges_reach_the_callback(factory: MockFactory) -> None:
    edges: list[bool] = []
    panel = DeskPanel(PINS, factory, lambda pressed, at: edges.append(pressed))
    mock_press(panel, True)
    mock_press(panel, False)
    assert edges == [True, False]
    assert factory.pin(17).state == 1, "pull-up: released reads high"
    panel.close()


def test_lamp_test_is_not_cut_short_by_a_state_change(factory: MockFactory) -> None:
    panel = DeskPanel(PINS, factory, lambda pressed, at: None)
    panel.show(OFF)
    for pin in (22, 23, 24, 27):
        factory.pin(pin).clear_states()

    async def run() -> None:
        test = asyncio.get_running_loop().create_task(panel.lamp_test(0.03))
        await asyncio.sleep(0.01)
        panel.show(
            LedPatterns(ring=LedPattern.OFF, tx=LedPattern.OFF, fault=LedPattern.ON,
                        alert=LedPattern.OFF)
        )
        await test

    asyncio.run(run())
    for pin in (22, 23, 24):  # ring, tx, alert: on for the step, then back to off
        states = factory.pin(pin).states
        assert [bool(s.state) for s in states] == [False, True, False], (pin, states)
        assert states[2].timestamp >= 0.029, "each lamp stays lit for the whole step"
    assert panel.led_pattern("fault") is LedPattern.ON, "the state shown during the test applies"
    panel.close()


def test_a_pin_used_twice_is_refused_clearly(factory: MockFactory) -> None:
    pins = PanelPins(ptt=17, ring=22, tx=22, alert=24, fault=27)
    with pytest.raises(PinFactoryError, match="could not be claimed"):
        DeskPanel(pins, factory, lambda pressed, at: None)


def test_a_bench_desks_mock_pins_keep_a_bounded_history() -> None:
    """gpiozero's mock pins keep every change; a bench desk blinking its fault LED for days
    must not grow without end (a 1 Hz blink is 172,800 changes a day)."""
    from hw.gpio import MOCK_STATES_KEPT, make_pin_factory

    bench = make_pin_factory("mock")
    try:
        led = bench.pin(27)
        led.function = "output"
        for k in range(10 * MOCK_STATES_KEPT):
            led.state = k % 2
        assert len(led.states) <= 2 * MOCK_STATES_KEPT
        assert len(led.states) >= MOCK_STATES_KEPT, "the newest changes are still there to read"
        assert led.states[-1].state == (10 * MOCK_STATES_KEPT - 1) % 2
    finally:
        bench.reset()
        bench.close()
