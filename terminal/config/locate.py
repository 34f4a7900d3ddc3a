"""Find the line of a dotted key in TOML text (tomllib reports lines only for syntax errors).

Best effort: it understands `[table]` and `[[array]]` headers, bare, quoted and dotted keys, and
skips multi-line strings; anything it cannot place falls back to its parent's line, or None.
"""

from __future__ import annotations

import re
import tomllib

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_SIMPLE = r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'"""
_KEY = re.compile(rf"^\s*((?:{_SIMPLE})(?:\s*\.\s*(?:{_SIMPLE}))*)\s*=")
_PART = re.compile(_SIMPLE)


def _unquote(part: str) -> str:
    """A bare or quoted key part as tomllib reads it (escapes and all)."""
    if part[0] not in "\"'":
        return part
    try:
        return str(tomllib.loads(f"k = {part}")["k"])
    except tomllib.TOMLDecodeError:
        return part[1:-1]


def _dotted(raw: str) -> str:
    """`a . "b"` -> `a.b`."""
    return ".".join(_unquote(part) for part in _PART.findall(raw))


class KeyLocator:
    """An index from dotted keys (and table names) to the 1-based line that first defines them."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        self.duplicate: tuple[str, int] | None = None
        table = ""
        open_quote: str | None = None
        for number, line in enumerate(text.split("\n"), start=1):
            if open_quote is not None:
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            header = _HEADER.match(line)
            if header:
                table = _dotted(header.group(1))
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key is None:
                continue
            full = ".".join(filter(None, (table, _dotted(key.group(1)))))
            if full in self._lines and self.duplicate is None:
                self.duplicate = (full, number)
            self._lines.setdefault(full, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    open_quote = quote
                    break

    def line(self, dotted: str) -> int | None:
        """The line of `dotted`, else of its nearest enclosing table or key, else None."""
        parts = dotted.split(".")
        while parts:
            found = self._lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None
