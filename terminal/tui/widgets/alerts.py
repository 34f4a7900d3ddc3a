"""Open alerts: most severe first, then oldest; coloured by severity, with symbol, word and the
suspect mark. The cursor row is the selected alert (acknowledge, highlight in the picture).

A Line API widget: only the rows on screen are drawn, so a new list of 200 alerts costs a sort
and 200 short strings, not a table relayout — the console shares the desk's event loop, and a
burst of alerts must not hold it up."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from terminal.i18n import N_, _
from terminal.tui.format import (
    MAX_ALERTS_SHOWN,
    AlertRow,
    alert_matches,
    alert_row,
    sort_alerts,
)
from terminal.views import AlertView

WIDE_AT = 70
_NARROW = ((N_("SEV"), 7), (N_("PAIR"), 12), (N_("HORIZ"), 7), (N_("VERT"), 7), (N_("CPA"), 6))
_WIDE = ((N_("SEV"), 7), (N_("PAIR"), 14), (N_("KIND"), 6), (N_("HORIZ"), 8), (N_("VERT"), 8),
         (N_("CPA"), 7), (N_("SINCE"), 10))  # fmt: skip
_STYLES = ("header", "critical", "warning", "advisory", "suspect", "cursor", "cursor-blur")


def row_cells(row: AlertRow, wide: bool) -> list[str]:
    """The cells of one row for the narrow or the wide column set."""
    if wide:
        return [row.label, row.pair, row.kind, row.horizontal, row.vertical, row.cpa,
                row.first_seen, row.flags]  # fmt: skip
    ack = _("ack {operator}").replace("{operator}", "")
    flags = row.flags.replace(_("?SUSPECT"), _("?SUS")).replace(ack, "✓")
    return [row.label, row.pair, row.horizontal, row.vertical, row.cpa, flags]


def columns_for(width: int) -> list[tuple[str, int]]:
    """Fixed columns for the width; FLAGS takes the rest."""
    fixed = _WIDE if width >= WIDE_AT else _NARROW
    return [*fixed, (N_("FLAGS"), max(6, width - sum(w for _, w in fixed)))]


def fit(cells: list[str], columns: list[tuple[str, int]]) -> list[str]:
    """Each cell cut to its column, with one space of gap."""
    return [c[: w - 1].ljust(w) for c, (_, w) in zip(cells, columns, strict=False)]


class AlertList(Widget, can_focus=True):
    """The alert list. `alerts` and `search_text` in; `selected_pair()` and `Highlighted` out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"alerts--{name}" for name in _STYLES}

    alerts: reactive[tuple[AlertView, ...]] = reactive(())
    search_text: reactive[str] = reactive("")

    class Highlighted(Message):
        """The selected alert changed (None: no alert)."""

        def __init__(self, pair_id: str | None) -> None:
            super().__init__()
            self.pair_id = pair_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[AlertRow] = []
        self.cursor = 0
        self.top = 0
        self.total = 0
        self._selected: str | None = None
        self._styles: tuple[tuple[str, bool], dict[str, Style]] | None = None

    # --- data in ---

    def watch_alerts(self) -> None:
        """Rebuild on new alerts."""
        self.rebuild()

    def watch_search_text(self) -> None:
        """Rebuild with the new filter."""
        self.rebuild()

    def rebuild(self) -> None:
        """New rows, keeping the cursor on the same pair while it is still listed."""
        matching = [a for a in self.alerts if alert_matches(a, self.search_text)]
        self.total = len(matching)
        self.rows = [alert_row(a) for a in sort_alerts(matching)[:MAX_ALERTS_SHOWN]]
        ids = [r.pair_id for r in self.rows]
        if self._selected in ids:
            self.cursor = ids.index(self._selected)
        self._moved()
        self.border_title = self.title_text()

    # --- selection ---

    def selected_pair(self) -> str | None:
        """The pair id under the cursor, if any."""
        return self._selected

    def _page(self) -> int:
        return max(1, self.content_size.height - 1)

    def _moved(self) -> None:
        """Clamp the cursor, scroll it into view, tell the screen if the selection changed."""
        count = len(self.rows)
        self.cursor = min(max(self.cursor, 0), max(count - 1, 0))
        page = self._page()
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + page:
            self.top = self.cursor - page + 1
        self.top = min(max(self.top, 0), max(count - page, 0))
        selected = self.rows[self.cursor].pair_id if self.rows else None
        if selected != self._selected:
            self._selected = selected
            self.post_message(self.Highlighted(selected))
        shown = f"{self.top + 1}–{min(self.top + page, count)} of {count}" if count > page else ""
        self.border_subtitle = shown
        self.refresh()

    def action_move(self, delta: int) -> None:
        """Up / Down."""
        self.cursor += delta
        self._moved()

    def action_page(self, direction: int) -> None:
        """Page up / Page down."""
        self.cursor += direction * self._page()
        self._moved()

    def action_jump(self, where: int) -> None:
        """Home / End."""
        self.cursor = where if where >= 0 else len(self.rows) - 1
        self._moved()

    def on_click(self, event: events.Click) -> None:
        """Select the clicked row."""
        if event.y >= 1:
            self.cursor = self.top + event.y - 1
            self._moved()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """Scroll the selection down."""
        self.action_move(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """Scroll the selection up."""
        self.action_move(-1)

    def on_resize(self) -> None:
        """Keep the cursor in view at the new height."""
        self._moved()

    def on_focus(self) -> None:
        """The cursor row's style depends on focus."""
        self.refresh()

    def on_blur(self) -> None:
        """The cursor row's style depends on focus."""
        self.refresh()

    # --- drawing ---

    def title_text(self) -> str:
        """`ALERTS 3 open`, with the filter and the cap when they apply."""
        title = _("ALERTS {count} open").format(count=self.total)
        if self.search_text:
            title = _("ALERTS {count} matching “{search}”").format(
                count=self.total, search=self.search_text)
        if len(self.rows) < self.total:
            title += _(", first {count} shown").format(count=len(self.rows))
        return title

    def _style(self, name: str) -> Style:
        key = (self.app.theme, self.has_focus)
        if self._styles is None or self._styles[0] != key:
            self._styles = (key, {n: self.get_component_rich_style(f"alerts--{n}")
                                  for n in _STYLES})  # fmt: skip
        return self._styles[1][name]

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; the rest are rows from `top` on."""
        width = self.content_size.width
        columns = columns_for(width)
        if y == 0:
            text = "".join(_(label)[: w - 1].ljust(w) for label, w in columns)
            return Strip([Segment(text, self._style("header"))]).adjust_cell_length(width)
        index = self.top + y - 1
        if index >= len(self.rows):
            return Strip.blank(width)
        row = self.rows[index]
        style = self._style(row.severity)
        if index == self.cursor:
            style += self._style("cursor" if self.has_focus else "cursor-blur")
        cells = fit(row_cells(row, width >= WIDE_AT), columns)
        segments = [Segment("".join(cells[:-1]), style)]
        flags_style = style + self._style("suspect") if "?" in row.flags else style
        segments.append(Segment(cells[-1], flags_style))
        return Strip(segments).adjust_cell_length(width, style)
