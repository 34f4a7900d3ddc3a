"""A braille canvas and a local map projection for the deconfliction picture.

Pure: the picture widget draws into a `BrailleCanvas` (2x4 dots per terminal cell) and turns its
cells into styled text. Each cell keeps the highest layer drawn into it, which picks its style,
so a critical track is never hidden under the deconfliction line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

BRAILLE_BASE = 0x2800
# Bit of each dot (x 0..1, y 0..3) in a braille cell.
_DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0
MIN_SPAN_M = 2_000.0


class BrailleCanvas:
    """Cells of braille dots with a layer per cell, plus text labels on top."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = max(0, cols)
        self.rows = max(0, rows)
        self._bits = [0] * (self.cols * self.rows)
        self._layer = [0] * (self.cols * self.rows)
        self._text: dict[int, str] = {}

    @property
    def width(self) -> int:
        """Width in dots."""
        return self.cols * 2

    @property
    def height(self) -> int:
        """Height in dots."""
        return self.rows * 4

    def dot(self, x: int, y: int, layer: int = 1) -> None:
        """Set one dot (ignored outside the canvas)."""
        if x < 0 or y < 0 or x >= self.cols * 2 or y >= self.rows * 4:
            return
        index = (y >> 2) * self.cols + (x >> 1)
        self._bits[index] |= _DOT_BITS[x & 1][y & 3]
        if self._layer[index] < layer:
            self._layer[index] = layer

    def line(self, x0: int, y0: int, x1: int, y1: int, layer: int = 1, step: int = 1) -> None:
        """A straight line of dots (Bresenham); `step` > 1 draws every step-th dot (dotted)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        count = 0
        limit = 4 * (self.width + self.height) + abs(dx) + abs(dy)  # clipped, bounded work
        while count <= limit:
            if count % step == 0:
                self.dot(x0, y0, layer)
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy
            count += 1

    def label(self, col: int, row: int, text: str, layer: int) -> None:
        """Write text over the cells from (col, row) on (clipped)."""
        if not 0 <= row < self.rows:
            return
        for offset, char in enumerate(text):
            c = col + offset
            if 0 <= c < self.cols:
                index = row * self.cols + c
                self._text[index] = char
                self._layer[index] = max(self._layer[index], layer)

    def cells(self) -> Iterable[list[tuple[str, int]]]:
        """Each row as (character, layer) per cell; empty cells are spaces at layer 0."""
        for row in range(self.rows):
            out = []
            for col in range(self.cols):
                index = row * self.cols + col
                char = self._text.get(index)
                if char is None:
                    bits = self._bits[index]
                    char = chr(BRAILLE_BASE + bits) if bits else " "
                out.append((char, self._layer[index]))
            yield out


@dataclass(frozen=True, slots=True)
class Projection:
    """Latitude/longitude to canvas dots, north up, equal scale both ways (equirectangular
    about the centre: good for the few tens of kilometres a desk watches)."""

    lat0: float
    lon0: float
    dots_per_m: float
    cx: float
    cy: float

    def metres_across(self, width: int) -> float:
        """Metres shown across `width` dots."""
        return width / self.dots_per_m if self.dots_per_m > 0 else 0.0

    def metres(self, lat: float, lon: float) -> tuple[float, float]:
        """East and north metres from the centre."""
        east = (lon - self.lon0) * M_PER_DEG_LON * math.cos(math.radians(self.lat0))
        north = (lat - self.lat0) * M_PER_DEG_LAT
        return east, north

    def dots(self, east: float, north: float) -> tuple[int, int]:
        """Canvas dot of a point given in metres from the centre."""
        return round(self.cx + east * self.dots_per_m), round(self.cy - north * self.dots_per_m)

    def to_dots(self, lat: float, lon: float) -> tuple[int, int]:
        """Canvas dot of a position."""
        return self.dots(*self.metres(lat, lon))

    @classmethod
    def fit(
        cls,
        points: Iterable[tuple[float, float]],
        width: int,
        height: int,
        extra_m: Iterable[tuple[float, float, float, float]] = (),
        margin: float = 0.08,
    ) -> Projection | None:
        """The projection that shows every point, and every (lat, lon, east, north) point
        displaced by metres, inside a width x height dot canvas; None with nothing to show."""
        pts = [(lat, lon) for lat, lon in points if math.isfinite(lat) and math.isfinite(lon)]
        extras = [e for e in extra_m if all(math.isfinite(v) for v in e)]
        if not pts and not extras:
            return None
        lats = [p[0] for p in pts] + [e[0] for e in extras]
        lons = [p[1] for p in pts] + [e[1] for e in extras]
        base = cls((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2, 1.0, 0.0, 0.0)
        xy = [base.metres(lat, lon) for lat, lon in pts]
        for lat, lon, east, north in extras:
            x, y = base.metres(lat, lon)
            xy += [(x, y), (x + east, y + north)]
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        mid_e, mid_n = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        span_e = max(max(xs) - min(xs), MIN_SPAN_M)
        span_n = max(max(ys) - min(ys), MIN_SPAN_M)
        usable = 1 - 2 * margin
        scale = min(max(width - 1, 1) * usable / span_e, max(height - 1, 1) * usable / span_n)
        cx = (width - 1) / 2 - mid_e * scale
        cy = (height - 1) / 2 + mid_n * scale
        return cls(base.lat0, base.lon0, scale, cx, cy)
