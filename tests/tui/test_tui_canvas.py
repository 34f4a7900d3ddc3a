"""Large type, the braille canvas and the map projection."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from terminal.tui import bigtext
from terminal.tui.canvas import BRAILLE_BASE, BrailleCanvas, Projection
from terminal.tui.samples import LINE, critical_alerts
from terminal.tui.widgets.picture import LAYER, draw

STATES = ("IDLE", "RINGING", "CALLING", "CONNECTED", "TRANSMITTING", "RECEIVING", "STOPPED")


def test_big_text_for_every_state_fits_eighty_columns() -> None:
    for state in STATES:
        rows = bigtext.render(state)
        assert len(rows) == bigtext.ROWS
        assert {len(r) for r in rows} == {bigtext.width(state)}
        assert bigtext.width(state) <= 56  # leaves room for the details at 80 columns
        assert all(set(r) <= set(" ▀▄█") for r in rows)
    assert bigtext.width("") == 0


def test_big_text_draws_an_unknown_letter_as_a_box() -> None:
    assert bigtext.render("Q")[0] == "███"


def test_braille_dots_map_to_unicode_bits() -> None:
    canvas = BrailleCanvas(2, 1)
    canvas.dot(0, 0)
    canvas.dot(1, 3)
    canvas.dot(2, 0, layer=3)
    canvas.dot(99, 99)  # outside: ignored
    (row,) = list(canvas.cells())
    assert row[0] == (chr(BRAILLE_BASE | 0x01 | 0x80), 1)
    assert row[1] == (chr(BRAILLE_BASE | 0x01), 3)


def test_line_reaches_both_ends_and_label_overwrites() -> None:
    canvas = BrailleCanvas(10, 3)
    canvas.line(0, 0, 19, 11, layer=2)
    rows = list(canvas.cells())
    assert rows[0][0][0] != " " and rows[2][9][0] != " "
    canvas.label(3, 1, "AB", layer=5)
    assert [c for c, _ in list(canvas.cells())[1][3:5]] == ["A", "B"]
    canvas.label(9, 1, "XYZ", layer=5)  # clipped at the edge
    assert list(canvas.cells())[1][9][0] == "X"


lat = st.floats(min_value=-60, max_value=60)
lon = st.floats(min_value=-170, max_value=170)


size = st.integers(min_value=4, max_value=200)


@given(st.lists(st.tuples(lat, lon), min_size=1, max_size=20), size, size)
def test_projection_keeps_every_point_on_the_canvas(points, width, height) -> None:
    span = max(p[0] for p in points) - min(p[0] for p in points)
    span_lon = max(p[1] for p in points) - min(p[1] for p in points)
    if span > 2 or span_lon > 2:  # a desk watches tens of kilometres, not continents
        points = [(points[0][0] + (p[0] % 1) / 2, points[0][1] + (p[1] % 1) / 2) for p in points]
    proj = Projection.fit(points, width, height)
    assert proj is not None
    for p in points:
        x, y = proj.to_dots(*p)
        assert 0 <= x < width and 0 <= y < height


def test_projection_is_north_up_and_equal_scale() -> None:
    proj = Projection.fit([(55.0, 9.0), (55.1, 9.0)], 100, 100)
    assert proj is not None
    (_, y_south), (_, y_north) = proj.to_dots(55.0, 9.0), proj.to_dots(55.1, 9.0)
    assert y_north < y_south
    x0, y0 = proj.dots(0, 0)
    xe, _ = proj.dots(1000, 0)
    _, yn = proj.dots(0, 1000)
    assert abs((xe - x0) - (y0 - yn)) <= 1  # a kilometre is as long east as north
    east, _ = proj.metres(proj.lat0, proj.lon0 + 0.01)
    assert abs(east - 0.01 * 111_320 * math.cos(math.radians(proj.lat0))) < 1
    assert Projection.fit([], 10, 10) is None


def test_picture_draws_line_tracks_and_names_the_selected_pair() -> None:
    canvas = BrailleCanvas(60, 20)
    assert draw(canvas, LINE, critical_alerts(), selected="P-0107") is not None
    text = "\n".join("".join(c for c, _ in row) for row in canvas.cells())
    layers = {layer for row in canvas.cells() for _, layer in row}
    assert "RAF21" in text and "GAF43" in text
    assert "×" in text  # the line alert's closest point on the line
    assert {LAYER["line"], LAYER["warning"], LAYER["advisory"], LAYER["selected"]} <= layers
    assert draw(BrailleCanvas(10, 5), (), (), None) is None
