"""Link health: radio bridge, co-processor, GPIO, log, audio — up or down, last heard, and for
the serial links their counters (frames in/out; CRC errors, garbage, retransmits, ... when any).
An up co-processor's row says how its track feed is first (``feed DOWN: connection refused``),
so a healthy link watching an empty sky is not taken for a healthy picture."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from terminal.i18n import N_, _
from terminal.i18n.notices import translate_notice
from terminal.tui.format import LINK_ORDER, link_counters, link_name, zulu_time
from terminal.views import LinkHealth

UP_MARK, DOWN_MARK, NA_MARK = "●", "✖", "·"
_STATE_WORDS = {"up": N_("up"), "DOWN": N_("DOWN"), "n/a": N_("n/a"), "unknown": N_("unknown")}
ROW_HEAD_WIDTH = 2 + 7 + 5 + 1 + 15
"""Mark, name, state word and last heard: what comes before the detail on a row."""


class LinksPane(Widget):
    """One line per link when it has the rows, else all links on one line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"links--up", "links--down", "links--na"}

    health: reactive[tuple[LinkHealth, ...]] = reactive(())

    def _parts(self) -> list[tuple[str, str, str, str, str]]:
        """(mark, name, state word, last heard, counters and detail) per link: the expected five
        in order (n/a when not reported, never up), then any others."""
        reported = {h.name: h for h in self.health}
        names = [*LINK_ORDER, *(n for n in reported if n not in LINK_ORDER)]
        rows = []
        for name in names:
            h = reported.get(name)
            if h is None:
                rows.append((NA_MARK, link_name(name), "n/a", "", _("not reported")))
                continue
            mark, word = (UP_MARK, "up") if h.up else (DOWN_MARK, "DOWN")
            # The row is narrow: an up link shows its counters first (a fault on the line is
            # news), a down one what is wrong first; only the faults when all does not fit.
            room = max(0, self.content_size.width - ROW_HEAD_WIDTH - len(h.detail) - 1)
            counters = link_counters(h.counters)
            if len(counters) > room:
                counters = link_counters(h.counters, short=True)
            said = (translate_notice(h.detail), counters)
            detail = " ".join(filter(None, said if not h.up else reversed(said)))
            if h.up and h.feed is not None:
                detail = f"{translate_notice(h.feed.text())} {detail}".strip()
            rows.append((mark, link_name(name), word, zulu_time(h.last_heard_utc), detail))
        return rows

    def _word(self, word: str) -> str:
        """The state word shown: `up`, `DOWN`, `n/a` in the language in use."""
        return _(_STATE_WORDS.get(word, word))

    def _style(self, word: str) -> str:
        key = {"up": "links--up", "DOWN": "links--down"}.get(word, "links--na")
        return str(self.get_component_rich_style(key))

    def render(self) -> Text:
        """The links, compact or one per line."""
        parts = self._parts()
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.content_size.height <= 1:
            text.append(_("LINKS") + " ", style="bold")
            feeds = {link_name(h.name): h.feed for h in self.health if h.up and h.feed is not None}
            for mark, name, word, _heard, _detail in parts:
                text.append(f" {mark} {name} {self._word(word)} ", style=self._style(word))
                feed = feeds.get(name)
                if feed is not None and feed.state != "up":
                    text.append(_("feed") + f" {self._word(feed.state)} ",
                                style=self._style(feed.state))
            return text
        for index, (mark, name, word, heard, detail) in enumerate(parts):
            if index:
                text.append("\n")
            heard_text = _("last {time}").format(time=heard) if heard and heard != "—" else ""
            text.append(f"{mark} {name:<7}{self._word(word):<5}", style=self._style(word))
            text.append(f" {heard_text:<15}{detail}")
        return text
