"""Today's calls, newest first, filtered by the search text."""

from __future__ import annotations

from textual.reactive import reactive

from terminal.i18n import N_, _
from terminal.tui.format import CallRow, call_matches, call_row
from terminal.tui.widgets.table import FitTable, fit_columns
from terminal.views import CallSummary

WIDE_AT = 70
_NARROW = ((N_("ID"), 4), (N_("DIR"), 4), (N_("START"), 10), (N_("OUTCOME"), 10), (N_("DUR"), 6))
_WIDE = ((N_("ID"), 24), (N_("DIR"), 4), (N_("START"), 10), (N_("OUTCOME"), 10), (N_("DUR"), 8),
         (N_("TX"), 4), (N_("OP"), 10))  # fmt: skip


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
        columns = fit_columns(_WIDE if width >= WIDE_AT else _NARROW, N_("NOTES"), width)
        return [(_(name), w) for name, w in columns]

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
        title = _("TODAY'S CALLS {count}").format(count=len(self.calls))
        if self.search_text:
            title = _("TODAY'S CALLS {shown} of {count} matching “{search}”").format(
                shown=len(shown), count=len(self.calls), search=self.search_text)
        self._title = title
        self.watch_log_head()

    _title = ""

    def watch_log_head(self) -> None:
        """The title: the calls, and the log's head fingerprint (docs/record.md)."""
        head = " · " + _("LOG") + f" {self.log_head}" if self.log_head else ""
        self.border_title = self._title + head
