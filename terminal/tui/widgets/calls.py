"""Today's calls, newest first, filtered by the search text."""

from __future__ import annotations

from textual.reactive import reactive

from terminal.tui.format import CallRow, call_matches, call_row
from terminal.tui.widgets.table import FitTable, fit_columns
from terminal.views import CallSummary

WIDE_AT = 70
_NARROW = (("ID", 4), ("DIR", 4), ("START", 10), ("OUTCOME", 10), ("DUR", 6))
_WIDE = (("ID", 24), ("DIR", 4), ("START", 10), ("OUTCOME", 10), ("DUR", 8), ("TX", 4),
         ("OP", 10))  # fmt: skip


def row_cells(row: CallRow, wide: bool) -> list[str]:
    """The cells of one row for the narrow or the wide column set."""
    if wide:
        return [row.call_id, row.direction, row.started, row.outcome, row.duration,
                row.transmissions, row.operator, row.notes]  # fmt: skip
    return [row.short_id, row.direction, row.started, row.outcome, row.duration, row.notes]


class CallsTable(FitTable):
    """The call list. `calls` and `search_text` in."""

    calls: reactive[tuple[CallSummary, ...]] = reactive(())
    search_text: reactive[str] = reactive("")
    log_head: reactive[str] = reactive("")
    """The log's head as read over the phone at shift change ("" to show none)."""

    def columns_for(self, width: int) -> list[tuple[str, int]]:
        """Narrow or wide set; NOTES takes the rest."""
        return fit_columns(_WIDE if width >= WIDE_AT else _NARROW, "NOTES", width)

    def watch_calls(self) -> None:
        """Rebuild on new calls."""
        self.rebuild()

    def watch_search_text(self) -> None:
        """Rebuild with the new filter."""
        self.rebuild()

    def rebuild(self) -> None:
        """Replace the rows."""
        if not self.ensure_columns():
            self.clear()
        wide = self.inner_width() >= WIDE_AT
        shown = [c for c in self.calls if call_matches(c, self.search_text)]
        for call in shown:
            self.add_row(*row_cells(call_row(call), wide))
        title = f"TODAY'S CALLS {len(self.calls)}"
        if self.search_text:
            title = f"TODAY'S CALLS {len(shown)} of {len(self.calls)} matching “{self.search_text}”"
        self._title = title
        self.watch_log_head()

    _title = ""

    def watch_log_head(self) -> None:
        """The title: the calls, and the log's head fingerprint (docs/record.md)."""
        head = f" · LOG {self.log_head}" if self.log_head else ""
        self.border_title = self._title + head
