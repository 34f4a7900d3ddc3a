"""The top bar: the desk, the operator on duty, and the Zulu clock."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TopBar(Widget):
    """One line: desk name | operator on duty | date and time in UTC (Zulu)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"topbar--missing", "topbar--clock"}
    DEFAULT_CSS = "TopBar { height: 1; }"

    desk_name: reactive[str] = reactive("")
    operator: reactive[str] = reactive("")
    zulu: reactive[str] = reactive("")
    bench: reactive[bool] = reactive(False)

    def render(self) -> Table:
        """The bar as a three-column grid."""
        grid = Table.grid(expand=True)
        grid.add_column(justify="left", ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="center", ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True, min_width=len(self.zulu))
        left = Text.assemble(("HOTLINE ", "bold"), self.desk_name)
        if self.bench:
            left.append(" BENCH", style="bold reverse")
        if self.operator:
            who = Text.assemble("OPERATOR ", (self.operator, "bold"))
        else:
            who = Text("NO OPERATOR SIGNED ON — press o",
                       style=self.get_component_rich_style("topbar--missing"))  # fmt: skip
        clock = Text(self.zulu, style=self.get_component_rich_style("topbar--clock"))
        grid.add_row(left, who, clock)
        return grid
