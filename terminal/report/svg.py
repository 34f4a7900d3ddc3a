"""The report's map: the deconfliction line and every alert's position, as inline SVG.

An equirectangular picture around the middle latitude (east is right, north is up), framed on the
line and the marks with a margin. Alerts are binned (`facts.GRID_DEG`): one circle per spot and
severity, sized by how many alerts it holds, with the count in its tooltip.
"""

from __future__ import annotations

import math
from html import escape

from terminal.i18n import _
from terminal.report.facts import GRID_DEG, ShiftFacts

WIDTH = 720
HEIGHT = 480
PAD = 24
COLOURS = {"advisory": "#d4a017", "warning": "#e0672b", "critical": "#c8102e"}
OTHER = "#7a3fc4"
DRAW_ORDER = {"advisory": 0, "warning": 1, "critical": 2}


def map_svg(facts: ShiftFacts) -> str:
    """The picture (an `<svg>` element), or a short paragraph when there is nothing to draw."""
    older = [v.points for v, _s, _e in facts.line_periods[:-1]]
    points = list(facts.line) + [p for line in older for p in line] + [
        (lat_bin * GRID_DEG, lon_bin * GRID_DEG) for (lat_bin, lon_bin, _s) in facts.marks
    ]
    if not points:
        nothing = _("No line configured and no alert positions: nothing to draw.")
        return f'<p class="empty">{escape(nothing)}</p>'
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = math.radians((min(lats) + max(lats)) / 2)
    squeeze = max(math.cos(mid), 0.05)
    x0, x1 = min(lons) * squeeze, max(lons) * squeeze
    y0, y1 = min(lats), max(lats)
    span = max(x1 - x0, y1 - y0, 0.02)
    scale = min((WIDTH - 2 * PAD) / span, (HEIGHT - 2 * PAD) / span)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (
            round(WIDTH / 2 + (lon * squeeze - cx) * scale, 1),
            round(HEIGHT / 2 - (lat - cy) * scale, 1),
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="map" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="The deconfliction line and '
        f'the alert positions">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f6f8" stroke="#888"/>',
    ]
    for (v, _start, _end) in facts.line_periods[:-1]:
        path = " ".join(f"{x},{y}" for x, y in (xy(lat, lon) for lat, lon in v.points))
        parts.append(
            f'<polyline class="line-old" points="{path}" fill="none" stroke="#1f4e9c" '
            f'stroke-width="1.5" stroke-dasharray="6 4"><title>{escape(v.name)} v{v.version}'
            "</title></polyline>"
        )
    if len(facts.line) >= 2:
        path = " ".join(f"{x},{y}" for x, y in (xy(lat, lon) for lat, lon in facts.line))
        which = (f"v{facts.line_periods[-1][0].version}" if facts.line_periods
                 else "configured")  # fmt: skip
        parts.append(
            f'<polyline id="line" points="{path}" fill="none" stroke="#1f4e9c" '
            f'stroke-width="3"><title>{escape(facts.line_id or "line")} ({which})</title>'
            "</polyline>"
        )
    marks = sorted(facts.marks.items(), key=lambda m: DRAW_ORDER.get(m[0][2], 3))
    for (lat_bin, lon_bin, severity), count in marks:
        x, y = xy(lat_bin * GRID_DEG, lon_bin * GRID_DEG)
        radius = round(3 + 2 * math.log10(count), 1)
        colour = COLOURS.get(severity, OTHER)
        parts.append(
            f'<circle class="mark" cx="{x}" cy="{y}" r="{radius}" fill="{colour}" '
            f'fill-opacity="0.75"><title>{escape(severity)}: {count} '
            f"near {lat_bin * GRID_DEG:.3f}, {lon_bin * GRID_DEG:.3f}</title></circle>"
        )
    parts.append(_scale_bar(scale))
    parts.append("</svg>")
    return "\n".join(parts)


def _scale_bar(scale: float) -> str:
    """A bar of a round number of kilometres, bottom left."""
    km_per_px = 111.32 / scale
    km = next((k for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if k / km_per_px >= 60), 1000)
    length = round(km / km_per_px, 1)
    y = HEIGHT - 10
    return (
        f'<g id="scale"><line x1="{PAD}" y1="{y}" x2="{PAD + length}" y2="{y}" stroke="#222" '
        f'stroke-width="2"/><text x="{PAD}" y="{y - 4}" font-size="11">{km} km</text></g>'
    )
