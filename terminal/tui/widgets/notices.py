"""The notice line: a standing fault if there is one, else the latest notice."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.engine import NoticeLine
from terminal.tui.format import zulu_time

LEVEL_MARK = {"info": "i", "warning": "⚠", "error": "✖"}


class NoticeBar(Widget):
    """One line; the level is a symbol and a word as well as a colour."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "notices--info", "notices--warning", "notices--error",
    }  # fmt: skip
    DEFAULT_CSS = "NoticeBar { height: 1; }"

    notices: reactive[tuple[NoticeLine, ...]] = reactive(())
    faults: reactive[tuple[str, ...]] = reactive(())
    local: reactive[NoticeLine | None] = reactive(None)

    def latest(self) -> NoticeLine | None:
        """The newest of the engine's notices and the console's own."""
        engine = self.notices[-1] if self.notices else None
        if engine is None or (self.local is not None and self.local.utc >= engine.utc):
            return self.local
        return engine

    def render(self) -> Text:
        """The line."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.faults:
            style = self.get_component_rich_style("notices--error")
            text.append(f"✖ FAULT {' | '.join(self.faults)}", style=style)
            return text
        notice = self.latest()
        if notice is None:
            return text
        level = notice.level if notice.level in LEVEL_MARK else "error"
        style = self.get_component_rich_style(f"notices--{level}")
        text.append(f"{LEVEL_MARK[level]} {level.upper()} ", style=style)
        text.append(f"{zulu_time(notice.utc)} {notice.text}")
        return text
