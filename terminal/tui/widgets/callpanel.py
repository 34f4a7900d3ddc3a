"""The call panel: the state in large type, direction, call timer and time-out countdown."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.core.calls import CallPhase, CallView
from terminal.i18n import N_, _
from terminal.tui import bigtext
from terminal.tui.format import call_timer, countdown_text, direction_text, tot_left

TOT_WARN_S = 10.0
_STATES = ("idle", "ringing", "calling", "connected", "transmitting", "receiving", "stopped")


def state_label(call: CallView) -> str:
    """The word the panel shows: the display state, or STOPPED once the desk has shut down."""
    return "STOPPED" if call.closed else call.display_state()


STATE_WORDS = {
    "IDLE": N_("IDLE"), "RINGING": N_("RINGING"), "CALLING": N_("CALLING"),
    "CONNECTED": N_("CONNECTED"), "TRANSMITTING": N_("TRANSMITTING"),
    "RECEIVING": N_("RECEIVING"), "STOPPED": N_("STOPPED"),
}  # fmt: skip
"""The state words in large type; the Russian ones are short, so they fit in large type too."""


def state_word(label: str) -> str:
    """The state word shown, in the language in use."""
    return _(STATE_WORDS.get(label, label))


def detail_lines(call: CallView, now: float) -> list[tuple[str, str]]:
    """Up to three (text, style) lines beside the state; style is "", "warn" or "alarm"."""
    if call.closed:
        return [(_("DESK SHUT DOWN"), "alarm"), (_("transmitter unkeyed"), "")]
    lines: list[tuple[str, str]] = []
    if not call.link_up:
        lines.append((_("BRIDGE LINK DOWN"), "alarm"))
    direction = direction_text(call)
    ident = _("call {call_id}").format(call_id=call.call_id) if call.call_id is not None else ""
    lines.append((" · ".join(p for p in (direction, ident) if p), ""))
    what, mmss = call_timer(call, now)
    lines.append((f"{what} {mmss}" if what else _("no call"), ""))
    left = tot_left(call, now)
    if left is not None:
        warn = call.tot_warned or left <= TOT_WARN_S
        tot = _("TOT {left} left").format(left=countdown_text(left))
        lines.append((tot, "alarm" if warn else "warn"))
    elif call.need_release:
        lines.append((_("release PTT to key again"), "warn"))
    elif call.rx:
        lines.append((_("far end talking"), ""))
    elif call.phase is CallPhase.CONNECTED:
        lines.append((_("transmissions {count}").format(count=call.transmissions), ""))
    return [line for line in lines if line[0]][:3]


class CallPanel(Widget):
    """Shows the call: large state word, then details; falls back to one line when narrow."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"callpanel--warn", "callpanel--alarm"}
    DEFAULT_CSS = "CallPanel { height: 5; }"

    call: reactive[CallView] = reactive(CallView)
    now: reactive[float] = reactive(0.0, repaint=False)
    """The desk's clock: repaints only when the timers' text changes (not every tick)."""

    def watch_call(self, call: CallView) -> None:
        """Colour the panel for the state (CSS classes -idle, -ringing, ...)."""
        label = state_label(call).lower()
        for name in _STATES:
            self.set_class(name == label, f"-{name}")

    def watch_now(self, old: float, new: float) -> None:
        """Repaint when the clock moved the shown timers (idle: never)."""
        if detail_lines(self.call, old) != detail_lines(self.call, new):
            self.refresh()

    def render(self) -> Text:
        """Large state word and details side by side, or stacked when there is no room."""
        label = state_word(state_label(self.call))
        details = detail_lines(self.call, self.now)
        styles = {
            "": None,
            "warn": self.get_component_rich_style("callpanel--warn"),
            "alarm": self.get_component_rich_style("callpanel--alarm"),
        }
        width = self.content_size.width
        room = width - bigtext.width(label) - 3
        text = Text(no_wrap=True, overflow="ellipsis")
        if room >= 16:
            big = bigtext.render(label)
            rows = max(len(big), len(details))
            for row in range(rows):
                glyphs = big[row] if row < len(big) else ""
                line, style = details[row] if row < len(details) else ("", "")
                text.append(glyphs.ljust(bigtext.width(label)), style="bold")
                text.append("   ")
                text.append(line, style=styles[style] or "")
                if row < rows - 1:
                    text.append("\n")
            return text
        text.append(f" {label} ", style="bold reverse")
        first, *rest = details or [("", "")]
        text.append(f"  {first[0]}", style=styles[first[1]] or "")
        text.append("\n")
        for line, style in rest:
            if line:
                text.append(line, style=styles[style] or "")
                text.append("  ")
        return text
