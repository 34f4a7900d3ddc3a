"""The desk panel on gpiozero: the push-to-talk button and the ring, TX, alert and fault LEDs.

The pin factory is chosen by configuration, as gpiozero intends: a Raspberry Pi backend at the
desk, gpiozero's own MockFactory on the bench and in tests. Button edges arrive on gpiozero's
thread (or, with mock pins, on the thread that drives the pin); they are handed on unchanged with
a monotonic timestamp, and the engine moves them onto its loop and debounces them.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpiozero import LED, Device, DigitalInputDevice
from gpiozero.pins.mock import MockFactory, MockPWMPin

from terminal.core.leds import LedPattern, LedPatterns, blink_times

PttCallback = Callable[[bool, float], None]

MOCK_STATES_KEPT = 512
"""A mock pin's history of changes: gpiozero's MockPin keeps every one (for tests to read), so a
bench desk blinking an LED for days would grow without end; the newest are kept."""


class BoundedMockPin(MockPWMPin):  # type: ignore[misc]  # gpiozero is untyped
    """gpiozero's mock PWM pin, its history of states bounded (`MOCK_STATES_KEPT` to twice
    that, trimmed in one step)."""

    def _change_state(self, value: Any) -> bool:
        changed = bool(super()._change_state(value))
        if len(self.states) > 2 * MOCK_STATES_KEPT:
            del self.states[:-MOCK_STATES_KEPT]
        return changed



class PinFactoryError(RuntimeError):
    """The configured GPIO backend could not be started."""


@dataclass(frozen=True, slots=True)
class PanelPins:
    """BCM pin numbers and electrical settings of the desk panel."""

    ptt: int
    ring: int
    tx: int
    alert: int
    fault: int
    ptt_pull_up: bool = True
    led_active_high: bool = True


_FACTORIES = {
    "lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory"),
    "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory"),
    "pigpio": ("gpiozero.pins.pigpio", "PiGPIOFactory"),
    "native": ("gpiozero.pins.native", "NativeFactory"),
}


def make_pin_factory(name: str) -> Any:
    """Create the gpiozero pin factory named in the configuration. "auto" is gpiozero's own
    choice: the factory named by GPIOZERO_PIN_FACTORY if set, else the first that starts of
    lgpio, rpigpio, pigpio, native (gpiozero's documented order)."""
    if name == "mock":
        return MockFactory(pin_class=BoundedMockPin)
    if name == "auto":
        try:
            return Device._default_pin_factory()
        except Exception as exc:  # BadPinFactory and whatever a backend raises
            chosen = os.environ.get("GPIOZERO_PIN_FACTORY")
            what = f"GPIOZERO_PIN_FACTORY={chosen!r}" if chosen else "no GPIO backend"
            raise PinFactoryError(f"GPIO backend 'auto' could not start ({what}): {exc}") from exc
    if name not in _FACTORIES:
        raise PinFactoryError(f"unknown pin factory {name!r}")
    module_name, class_name = _FACTORIES[name]
    try:
        module = __import__(module_name, fromlist=[class_name])
        return getattr(module, class_name)()
    except Exception as exc:  # any backend failure: missing library, no GPIO chip, no daemon
        raise PinFactoryError(f"GPIO backend {name!r} could not start: {exc}") from exc


class DeskPanel:
    """Owns the panel's pins. Not thread-safe: call `show` and `close` from one thread."""

    LED_NAMES = ("ring", "tx", "alert", "fault")

    def __init__(
        self,
        pins: PanelPins,
        factory: Any,
        on_ptt: PttCallback,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.factory = factory
        self.pins = pins
        self._clock = clock
        self._on_ptt = on_ptt
        self._shown: dict[str, LedPattern] = {}
        self._wanted: LedPatterns | None = None
        self._lamp_testing = False
        self._leds: dict[str, LED] = {}
        try:
            for name in self.LED_NAMES:
                self._leds[name] = LED(
                    getattr(pins, name),
                    active_high=pins.led_active_high,
                    initial_value=False,
                    pin_factory=factory,
                )
            # An input device, not gpiozero's Button: the same edges without the Button's hold
            # thread, which wakes ten times a second for a "held" event the desk never uses.
            self.button = DigitalInputDevice(
                pins.ptt, pull_up=pins.ptt_pull_up, pin_factory=factory
            )
        except Exception as exc:
            self.close()
            raise PinFactoryError(f"GPIO pins could not be claimed: {exc}") from exc
        self.button.when_activated = self._pressed
        self.button.when_deactivated = self._released

    def _pressed(self) -> None:
        self._on_ptt(True, self._clock())

    def _released(self) -> None:
        self._on_ptt(False, self._clock())

    @property
    def ptt_is_pressed(self) -> bool:
        """The raw state of the PTT button now."""
        return bool(self.button.is_active)

    def show(self, patterns: LedPatterns) -> None:
        """Set every LED to its pattern (only those that changed, so blinking keeps its rhythm).
        During a lamp test the patterns are kept and shown when the test ends."""
        self._wanted = patterns
        if self._lamp_testing:
            return
        for name in self.LED_NAMES:
            self._set(name, getattr(patterns, name))

    def _set(self, name: str, pattern: LedPattern) -> None:
        if self._shown.get(name) is pattern or name not in self._leds:
            return  # unchanged, or the panel is closed
        led = self._leds[name]
        times = blink_times(pattern)
        if times is not None:
            led.blink(on_time=times[0], off_time=times[1], background=True)
        elif pattern is LedPattern.ON:
            led.on()
        else:
            led.off()
        self._shown[name] = pattern

    def led_is_lit(self, name: str) -> bool:
        """Whether an LED is lit at this instant (bench display, tests)."""
        return bool(self._leds[name].is_lit)

    def led_pattern(self, name: str) -> LedPattern:
        """The pattern last set on an LED."""
        return self._shown.get(name, LedPattern.OFF)

    async def lamp_test(self, each_s: float) -> None:
        """Light each LED in turn for `each_s`, then restore what was shown (start-up check)."""
        if each_s <= 0 or self._lamp_testing:
            return
        self._lamp_testing = True
        try:
            for name in self.LED_NAMES:
                self._set(name, LedPattern.OFF)
            for name in self.LED_NAMES:
                self._set(name, LedPattern.ON)
                await asyncio.sleep(each_s)
                self._set(name, LedPattern.OFF)
        finally:
            self._lamp_testing = False
            if self._wanted is not None:
                self.show(self._wanted)

    def close(self) -> None:
        """Turn every LED off and release the pins."""
        for led in self._leds.values():
            try:
                led.off()
                led.close()
            except Exception:  # closing must go on for every pin
                pass
        button = getattr(self, "button", None)
        if button is not None:
            button.close()
        self._leds.clear()


def mock_press(panel: DeskPanel, pressed: bool) -> None:
    """Bench mode: press or release the PTT button by driving its mock pin."""
    pin = panel.factory.pin(panel.pins.ptt)
    level_low = pressed == panel.pins.ptt_pull_up
    if level_low:
        pin.drive_low()
    else:
        pin.drive_high()


def close_factory(factory: Any) -> None:
    """Release a pin factory (and, for the mock, forget its reservations)."""
    try:
        if isinstance(factory, MockFactory):
            factory.reset()
        factory.close()
    except Exception:
        pass
    if Device.pin_factory is factory:
        Device.pin_factory = None
