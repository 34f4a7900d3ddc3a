"""The deconfliction picture: the line and the open alerts' tracks with velocity vectors, on a
braille canvas, north up. The selected alert is drawn on top with its track ids."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from terminal.i18n import _
from terminal.tui.canvas import BrailleCanvas, Projection
from terminal.tui.format import clock_text, distance_text, severity_key, sort_alerts
from terminal.views import AlertView, TrackView

VECTOR_S = 120.0
"""Velocity vectors show where each aircraft will be this many seconds from now."""
MAX_PAIRS_DRAWN = 24
LAYER = {"line": 1, "advisory": 2, "warning": 3, "critical": 4, "selected": 5, "preview": 6}


def _track(canvas: BrailleCanvas, proj: Projection, t: TrackView, layer: int) -> tuple[int, int]:
    """A 2x2-dot blob at the position and the velocity vector; returns the position."""
    x, y = proj.to_dots(t.lat, t.lon)
    for dx in (0, 1):
        for dy in (0, 1):
            canvas.dot(x + dx - 1, y + dy - 1, layer)
    east, north = proj.metres(t.lat, t.lon)
    ex, ey = proj.dots(east + t.ve_ms * VECTOR_S, north + t.vn_ms * VECTOR_S)
    canvas.line(x, y, ex, ey, layer)
    return x, y


def draw(
    canvas: BrailleCanvas,
    line: Sequence[tuple[float, float]],
    alerts: Sequence[AlertView],
    selected: str | None,
    preview: Sequence[tuple[float, float]] = (),
) -> Projection | None:
    """Draw the picture; returns the projection used (None when there is nothing to draw).
    ``preview`` is a line being entered, drawn over the one in force until it is confirmed."""
    ranked = sort_alerts(alerts)[:MAX_PAIRS_DRAWN]
    chosen = next((a for a in alerts if a.pair_id == selected), None)
    if chosen is not None and chosen not in ranked:
        ranked.append(chosen)
    tracks = [t for a in ranked for t in (a.a, a.b)]
    proj = Projection.fit(
        list(line) + list(preview) + [(t.lat, t.lon) for t in tracks],
        canvas.width,
        canvas.height,
        extra_m=[(t.lat, t.lon, t.ve_ms * VECTOR_S, t.vn_ms * VECTOR_S) for t in tracks],
    )
    if proj is None:
        return None
    points = [proj.to_dots(lat, lon) for lat, lon in line]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        canvas.line(x0, y0, x1, y1, LAYER["line"], step=2)
    shown = [proj.to_dots(lat, lon) for lat, lon in preview]
    for (x0, y0), (x1, y1) in itertools.pairwise(shown):
        canvas.line(x0, y0, x1, y1, LAYER["preview"])
    for alert in reversed(ranked):  # most severe drawn last, on top
        layer = LAYER["selected"] if alert is chosen else LAYER[severity_key(alert.severity)]
        ax, ay = _track(canvas, proj, alert.a, layer)
        if alert.kind == "LINE":
            bx, by = proj.to_dots(alert.b.lat, alert.b.lon)
            canvas.label(bx // 2, by // 4, "×", layer)
        else:
            bx, by = _track(canvas, proj, alert.b, layer)
        if alert is chosen:
            canvas.line(ax, ay, bx, by, layer, step=3)
            canvas.label(ax // 2 + 1, ay // 4, alert.a.id, layer)
            if alert.kind != "LINE":
                canvas.label(bx // 2 + 1, by // 4, alert.b.id, layer)
    return proj


class PicturePane(Widget):
    """The map. `line`, `alerts` and `selected` in."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "picture--line", "picture--advisory", "picture--warning", "picture--critical",
        "picture--selected", "picture--empty", "picture--preview",
    }  # fmt: skip

    line: reactive[tuple[tuple[float, float], ...]] = reactive(())
    alerts: reactive[tuple[AlertView, ...]] = reactive(())
    selected: reactive[str | None] = reactive(None)
    preview: reactive[tuple[tuple[float, float], ...]] = reactive(())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strips: list[Strip] = []
        self._drawn_at: tuple[int, int] | None = None

    def watch_line(self) -> None:
        """Redraw."""
        self.redraw()

    def watch_alerts(self) -> None:
        """Redraw."""
        self.redraw()

    def watch_selected(self) -> None:
        """Redraw."""
        self.redraw()

    def watch_preview(self) -> None:
        """Redraw."""
        self.redraw()

    def on_resize(self) -> None:
        """Redraw at the new size."""
        self.redraw()

    def redraw(self) -> None:
        """Draw the picture at the current size into strips (once per change, not per frame)."""
        size = self.content_size
        self._drawn_at = (size.width, size.height)
        canvas = BrailleCanvas(size.width, size.height)
        proj = draw(canvas, self.line, self.alerts, self.selected, self.preview)
        if proj is None:
            self.border_subtitle = ""
            empty = self.get_component_rich_style("picture--empty")
            text = _("no deconfliction line and no open alerts")
            self._strips = [Strip([Segment(text, empty)]).adjust_cell_length(size.width)]
            self.refresh()
            return
        across = distance_text(proj.metres_across(canvas.width))
        subtitle = _("N↑  {across} across  vectors {vectors}").format(
            across=across, vectors=clock_text(VECTOR_S))
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle
        styles: dict[int, Style] = {0: Style()}
        for name, layer in LAYER.items():
            styles[layer] = self.get_component_rich_style(f"picture--{name}")
        strips = []
        for row in canvas.cells():
            segments = []
            run, layer = "", -1
            for char, cell_layer in row:
                if cell_layer != layer and run:
                    segments.append(Segment(run, styles[layer]))
                    run = ""
                run += char
                layer = cell_layer
            if run:
                segments.append(Segment(run, styles[layer]))
            strips.append(Strip(segments, size.width))
        self._strips = strips
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """One row of the last drawing."""
        size = self.content_size
        if self._drawn_at != (size.width, size.height):
            self.redraw()
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(size.width)
