"""A list table whose columns fit its width: fixed columns, the last one takes what is left."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable

Columns = Sequence[tuple[str, int]]


def fit_columns(fixed: Columns, last: str, width: int, last_min: int = 6) -> list[tuple[str, int]]:
    """The fixed columns, then `last` as wide as the rest of `width` (at least `last_min`)."""
    used = sum(w for _, w in fixed)
    return [*fixed, (last, max(last_min, width - used))]


class FitTable(DataTable[Any]):
    """Rows only; columns set by `columns_for(width)` and redone when the width changes.

    Cells have no padding: column widths include one space of gap (left-aligned text)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=0)
        self._layout: list[tuple[str, int]] | None = None

    def columns_for(self, width: int) -> list[tuple[str, int]]:
        """The columns at this inner width (override)."""
        raise NotImplementedError

    def inner_width(self) -> int:
        """Columns available for cells."""
        return max(0, self.scrollable_content_region.width)

    def ensure_columns(self) -> bool:
        """Set the columns for the current width; True if they changed (rows were dropped)."""
        layout = self.columns_for(self.inner_width())
        if layout == self._layout:
            return False
        self._layout = layout
        self.clear(columns=True)
        for label, width in layout:
            self.add_column(label, width=width)
        return True

    def on_resize(self) -> None:
        """Refit the columns, then the rows."""
        if self.columns_for(self.inner_width()) != self._layout:
            self.rebuild()

    def rebuild(self) -> None:
        """Fill the rows (override)."""
        raise NotImplementedError
