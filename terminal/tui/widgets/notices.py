"""The notice line: standing faults, and the latest notice."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.i18n import N_, _
from terminal.i18n.notices import translate_notice
from terminal.snapshot import NoticeLine
from terminal.tui.format import zulu_time

LEVEL_MARK = {"info": "i", "warning": "⚠", "error": "✖"}
LEVEL_WORD = {"info": N_("INFO"), "warning": N_("WARNING"), "error": N_("ERROR")}


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
        """Standing faults first (shortened when a notice shares the line), then the latest
        notice: a fault must not hide the answer to what the operator just did."""
        text = Text(no_wrap=True, overflow="ellipsis")
        notice = self.latest()
        if self.faults:
            faults = "✖ " + _("FAULT") + f" {' | '.join(translate_notice(f) for f in self.faults)}"
            if notice is not None:
                room = max(24, self.content_size.width * 2 // 5)
                if len(faults) > room:
                    faults = faults[: room - 1] + "…"
            text.append(faults, style=self.get_component_rich_style("notices--error"))
            if notice is not None:
                text.append(" │ ")
        if notice is None:
            return text
        level = notice.level if notice.level in LEVEL_MARK else "error"
        style = self.get_component_rich_style(f"notices--{level}")
        text.append(f"{LEVEL_MARK[level]} {_(LEVEL_WORD[level])} ", style=style)
        text.append(f"{zulu_time(notice.utc)} {translate_notice(notice.text)}")
        return text
