"""Open alerts: most severe first, then oldest; coloured by severity, with symbol, word and the
suspect mark. The cursor row is the selected alert (acknowledge, highlight in the picture)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import DataTable

from terminal.tui.format import (
    MAX_ALERTS_SHOWN,
    AlertRow,
    alert_matches,
    alert_row,
    sort_alerts,
)
from terminal.tui.widgets.table import FitTable, fit_columns
from terminal.views import AlertView

WIDE_AT = 70
_NARROW = (("SEV", 7), ("PAIR", 12), ("HORIZ", 7), ("VERT", 7), ("CPA", 6))
_WIDE = (("SEV", 7), ("PAIR", 14), ("KIND", 6), ("HORIZ", 8), ("VERT", 8), ("CPA", 7),
         ("SINCE", 10))  # fmt: skip


def row_cells(row: AlertRow, wide: bool) -> list[str]:
    """The cells of one row for the narrow or the wide column set."""
    if wide:
        return [row.label, row.pair, row.kind, row.horizontal, row.vertical, row.cpa,
                row.first_seen, row.flags]  # fmt: skip
    flags = row.flags.replace("?SUSPECT", "?SUS").replace("ack ", "✓")
    return [row.label, row.pair, row.horizontal, row.vertical, row.cpa, flags]


class AlertTable(FitTable):
    """The alert list. `alerts` and `search_text` in; `selected_pair()` out."""

    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        "alerts--critical", "alerts--warning", "alerts--advisory", "alerts--suspect",
    }  # fmt: skip

    alerts: reactive[tuple[AlertView, ...]] = reactive(())
    search_text: reactive[str] = reactive("")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[str] = []
        self.total = 0

    def columns_for(self, width: int) -> list[tuple[str, int]]:
        """Narrow or wide set; FLAGS takes the rest."""
        return fit_columns(_WIDE if width >= WIDE_AT else _NARROW, "FLAGS", width)

    def watch_alerts(self) -> None:
        """Rebuild on new alerts."""
        self.rebuild()

    def watch_search_text(self) -> None:
        """Rebuild with the new filter."""
        self.rebuild()

    def selected_pair(self) -> str | None:
        """The pair id under the cursor, if any."""
        if not self._shown or not 0 <= self.cursor_row < len(self._shown):
            return None
        return self._shown[self.cursor_row]

    def listed(self) -> list[AlertView]:
        """The alerts listed: filtered, sorted, capped."""
        matching = [a for a in self.alerts if alert_matches(a, self.search_text)]
        self.total = len(matching)
        return sort_alerts(matching)[:MAX_ALERTS_SHOWN]

    def rebuild(self) -> None:
        """Replace the rows, keeping the cursor on the same pair when it is still open."""
        keep = self.selected_pair()
        if not self.ensure_columns():
            self.clear()
        wide = self.inner_width() >= WIDE_AT
        rows = [alert_row(a) for a in self.listed()]
        self._shown = [r.pair_id for r in rows]
        styles = {
            name: self.get_component_rich_style(f"alerts--{name}", partial=True)
            for name in ("critical", "warning", "advisory")
        }
        suspect = self.get_component_rich_style("alerts--suspect", partial=True)
        for row in rows:
            cells = [Text(c, style=styles[row.severity]) for c in row_cells(row, wide)]
            if "?" in row.flags:
                cells[-1].stylize(suspect)
            self.add_row(*cells, key=row.pair_id)
        if keep in self._shown:
            self.move_cursor(row=self._shown.index(keep), animate=False)
        self.border_title = self.title_text()

    def title_text(self) -> str:
        """`ALERTS 3 open`, with the filter and the cap when they apply."""
        shown = len(self._shown)
        title = f"ALERTS {self.total} open"
        if self.search_text:
            title = f"ALERTS {self.total} matching “{self.search_text}”"
        if shown < self.total:
            title += f", first {shown} shown"
        return title
