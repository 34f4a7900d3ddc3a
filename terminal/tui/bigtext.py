"""Large type for the call state: a 5-pixel-high block font drawn with half blocks in 3 rows.

Only the letters the call states need (and a few more); an unknown character draws as a box,
so a new state still shows (in the plain label beside it), just not prettily.
"""

from __future__ import annotations

ROWS = 3
_GAP = 1

_FONT: dict[str, tuple[str, ...]] = {
    "A": (".#.", "#.#", "###", "#.#", "#.#"),
    "C": ("###", "#..", "#..", "#..", "###"),
    "D": ("##.", "#.#", "#.#", "#.#", "##."),
    "E": ("###", "#..", "###", "#..", "###"),
    "G": ("###", "#..", "#.#", "#.#", "###"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "K": ("#.#", "#.#", "##.", "#.#", "#.#"),
    "L": ("#..", "#..", "#..", "#..", "###"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#..#", "##.#", "#.##", "#..#", "#..#"),
    "O": ("###", "#.#", "#.#", "#.#", "###"),
    "P": ("###", "#.#", "###", "#..", "#.."),
    "R": ("##.", "#.#", "##.", "#.#", "#.#"),
    "S": ("###", "#..", "###", "..#", "###"),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#.#", "#.#", "#.#", "#.#", "###"),
    "V": ("#.#", "#.#", "#.#", "#.#", ".#."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "Y": ("#.#", "#.#", ".#.", ".#.", ".#."),
    " ": ("..", "..", "..", "..", ".."),
    # Cyrillic, for the Russian state words (terminal/i18n): the letters Latin does not share
    "Б": ("###", "#..", "##.", "#.#", "##."),
    "В": ("##.", "#.#", "##.", "#.#", "##."),
    "Г": ("###", "#..", "#..", "#..", "#.."),
    "Д": (".##.", ".#.#", ".#.#", "####", "#..#"),
    "Ж": ("#.#.#", "#.#.#", ".###.", "#.#.#", "#.#.#"),
    "З": ("##.", "..#", ".#.", "..#", "##."),
    "И": ("#..#", "#..#", "#.##", "##.#", "#..#"),
    "Л": (".##", "#.#", "#.#", "#.#", "#.#"),
    "Н": ("#.#", "#.#", "###", "#.#", "#.#"),
    "П": ("###", "#.#", "#.#", "#.#", "#.#"),
    "У": ("#.#", "#.#", ".##", "..#", "##."),
    "Ч": ("#.#", "#.#", "###", "..#", "..#"),
    "Ы": ("#...#", "#...#", "##..#", "#.#.#", "##..#"),
    "Ь": ("#..", "#..", "##.", "#.#", "##."),
    "Я": (".##", "#.#", ".##", "#.#", "#.#"),
    "?": ("###", "..#", ".##", "...", ".#."),
}
_UNKNOWN = ("###", "###", "###", "###", "###")
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


_SAME = dict(zip("АЕЁКМОРСТ", "AEEKMOPCT", strict=True))
"""Cyrillic letters drawn as the Latin ones they look like."""


def _glyph(char: str) -> tuple[str, ...]:
    upper = char.upper()
    return _FONT.get(_SAME.get(upper, upper), _UNKNOWN)


def width(text: str) -> int:
    """Columns `render(text)` takes."""
    if not text:
        return 0
    return sum(len(_glyph(c)[0]) for c in text) + _GAP * (len(text) - 1)


def render(text: str) -> list[str]:
    """The text in large type: ROWS strings of equal length."""
    pixels = ["" for _ in range(5)]
    for index, char in enumerate(text):
        glyph = _glyph(char)
        for row in range(5):
            pixels[row] += ("." * _GAP if index else "") + glyph[row]
    lines = []
    for row in range(ROWS):
        top = pixels[2 * row]
        bottom = pixels[2 * row + 1] if 2 * row + 1 < 5 else "." * len(top)
        lines.append("".join(_HALF[(t == "#", b == "#")] for t, b in zip(top, bottom, strict=True)))
    return lines
