"""The four desk LEDs as lamps, and the bench's simulated hardware (bench mode only)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.core.leds import LedPattern, LedPatterns
from terminal.i18n import N_, _

LAMP_MARK = {
    LedPattern.OFF: ("○", N_("off")),
    LedPattern.ON: ("●", N_("ON")),
    LedPattern.BLINK_SLOW: ("◐", N_("slow")),
    LedPattern.BLINK_FAST: ("◉", N_("FAST")),
}
LAMPS = ("ring", "tx", "alert", "fault")
LAMP_NAMES = {"ring": N_("RING"), "tx": N_("TX"), "alert": N_("ALERT"), "fault": N_("FAULT")}
HINT = N_("far end: 1 ring · 2 answer · 3 hang up · 4 talk │ 5 PTT pin │ 6 cable")


class LampsPane(Widget):
    """LED lamps (symbol and word: never colour alone), the bench state and the bench keys."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lamps--ring", "lamps--tx", "lamps--alert", "lamps--fault", "lamps--off", "lamps--hint",
    }  # fmt: skip

    leds: reactive[LedPatterns | None] = reactive(None)
    pin_held: reactive[bool] = reactive(False)
    unplugged: reactive[bool] = reactive(False)
    far_talking: reactive[bool] = reactive(False)

    def render(self) -> Text:
        """Lamps and bench state on the first line, the bench keys on the second."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for name in LAMPS:
            pattern = getattr(self.leds, name) if self.leds is not None else LedPattern.OFF
            mark, word = LAMP_MARK[pattern]
            key = "lamps--off" if pattern is LedPattern.OFF else f"lamps--{name}"
            lamp = f"{mark}{_(LAMP_NAMES[name])} {_(word)}"
            text.append(lamp, style=self.get_component_rich_style(key))
            text.append(" ")
        text.append("│ ")
        text.append(_("pin DOWN") if self.pin_held else _("pin up"))
        text.append(" · ")
        text.append(_("cable OUT") if self.unplugged else _("cable in"))
        text.append(" · ")
        text.append(_("far TALKING") if self.far_talking else _("far silent"))
        text.append("\n")
        text.append(_("BENCH") + " ", style="bold")
        text.append(_(HINT), style=self.get_component_rich_style("lamps--hint"))
        return text
