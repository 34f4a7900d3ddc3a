"""The top bar: the desk, the operator on duty, the Zulu clock and whether it is trusted."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.core.clock_trust import ClockView
from terminal.i18n import _
from terminal.zulu import to_iso


def clock_note(view: ClockView | None) -> tuple[str, bool]:
    """The clock's trust before the time: `clk ±1.2ms @06:58Z` (the estimated error, the last
    sync when known), `CLOCK UNSYNC` or `CLOCK ±480ms` during a clock fault, `clk ?` when it
    cannot be read; "" before the first reading. And whether it is a fault."""
    if view is None:
        return "", False
    if view.status == "unknown":
        return _("clk") + " ? ", False
    synced = f" @{to_iso(view.last_sync_utc_ms)[11:16]}Z" if view.last_sync_utc_ms else ""
    error = "" if view.est_error_ms is None else f" ±{view.est_error_ms:.1f}ms"
    if view.fault:
        word = _("UNSYNC") if view.status == "unsynchronised" else error.strip()
        return _("CLOCK") + f" {word} ", True
    return _("clk") + f"{error}{synced} ", False


class TopBar(Widget):
    """One line: desk name | operator on duty | date and time in UTC (Zulu)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"topbar--missing", "topbar--clock"}
    DEFAULT_CSS = "TopBar { height: 1; }"

    desk_name: reactive[str] = reactive("")
    operator: reactive[str] = reactive("")
    zulu: reactive[str] = reactive("")
    clock: reactive[ClockView | None] = reactive(None)
    bench: reactive[bool] = reactive(False)

    def render(self) -> Table:
        """The bar as a three-column grid."""
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))  # a space after each column
        grid.add_column(justify="left", ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="center", ratio=1, no_wrap=True, overflow="ellipsis")
        note, fault = clock_note(self.clock)
        grid.add_column(justify="right", no_wrap=True, min_width=len(self.zulu) + len(note))
        left = Text.assemble((_("HOTLINE") + " ", "bold"), self.desk_name)
        if self.bench:
            left.append(" " + _("BENCH"), style="bold reverse")
        if self.operator:
            who = Text.assemble(_("OPERATOR") + " ", (self.operator, "bold"))
        else:
            who = Text(_("NO OPERATOR SIGNED ON — press o"),
                       style=self.get_component_rich_style("topbar--missing"))  # fmt: skip
        clock = Text(self.zulu, style=self.get_component_rich_style("topbar--clock"))
        if note:
            style = "topbar--missing" if fault else "topbar--clock"
            clock = Text.assemble((note, self.get_component_rich_style(style)), clock)
        grid.add_row(left, who, clock)
        return grid
