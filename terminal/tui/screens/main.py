"""The main screen: call panel, links, (bench lamps), alerts and picture, today's calls."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from terminal.core.lines import LineView
from terminal.i18n import N_, _
from terminal.i18n.notices import translate_notice
from terminal.snapshot import DeskSnapshot, NoticeLine
from terminal.tui.format import links_of
from terminal.tui.keys import BENCH_KEYS, OPERATOR_KEYS, bindings, localize
from terminal.tui.widgets.alerts import AlertList
from terminal.tui.widgets.callpanel import CallPanel
from terminal.tui.widgets.calls import CallsTable
from terminal.tui.widgets.lamps import LampsPane
from terminal.tui.widgets.links import LinksPane
from terminal.tui.widgets.notices import NoticeBar
from terminal.tui.widgets.picture import PicturePane
from terminal.tui.widgets.topbar import TopBar

LISTS_EVERY_S = 0.2
"""The alert and call lists and the picture redraw at most five times a second."""


def picture_title(view: LineView) -> str:
    """``PICTURE v3 DL ✓`` (the co-processor uses it too), ``PICTURE v3 DL coproc v2 sending``;
    just ``PICTURE`` with no versioned line. In the language in use (the co-processor's side
    through the notice templates: the core words it in English)."""
    picture = _("PICTURE")
    if view.version is None:
        return picture
    return f"{picture} v{view.version} {view.name} {translate_notice(view.coproc_text())}"


class MainScreen(Screen[None]):
    """Everything an operator watches. The app sets `snapshot`, `now`, `zulu` and `search_text`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings(OPERATOR_KEYS),
        *bindings(BENCH_KEYS, show=False),  # the bench line shows them
        ("escape", "app.clear_search", N_("Clear search")),
    ]

    # `var`, not `reactive`: a change repaints the widgets that show it, never the whole screen.
    snapshot: var[DeskSnapshot | None] = var(None)
    now: var[float] = var(0.0)
    zulu: var[str] = var("")
    search_text: var[str] = var("")

    def __init__(self, *, desk_name: str, bench: bool) -> None:
        super().__init__(id="main")
        localize(self._bindings)
        self.desk_name = desk_name
        self.bench = bench
        # Held, not queried: the timers may still tick while the screen is being torn down.
        self.top = TopBar(id="topbar")
        self.top.desk_name, self.top.bench = desk_name, bench
        self.call_panel = CallPanel(id="call")
        self.links = LinksPane(id="links")
        self.lamps = LampsPane(id="lamps")
        self.lamps.display = bench
        self.alerts = AlertList(id="alerts")
        self.calls = CallsTable(id="calls")
        self.picture = PicturePane(id="picture")
        self.notices = NoticeBar(id="notices")
        self._lists_due: DeskSnapshot | None = None
        self._lists_at = -LISTS_EVERY_S
        self._lists_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """The layout; app.tcss arranges it for narrow and wide terminals."""
        yield self.top
        with Horizontal(id="head"):
            yield self.call_panel
            yield self.links
        yield self.lamps
        with Horizontal(id="work"):
            with Vertical(id="lists"):
                yield self.alerts
                yield self.calls
            yield self.picture
        yield self.notices
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Titles, and the alert list takes the keyboard."""
        self.picture.border_title = _("PICTURE")
        self.call_panel.border_title = _("CALL")
        self.links.border_title = _("LINKS")
        alerts = self.alerts
        alerts.rebuild()
        self.calls.rebuild()
        alerts.focus()

    def watch_snapshot(self, snap: DeskSnapshot | None) -> None:
        """Hand each widget its part; widgets redraw only when their part changed. The call,
        links, LEDs and notices at once; the lists and the picture at most every LISTS_EVERY_S
        (the first change at once, a burst's latest at the end of the window)."""
        if snap is None:
            return
        self.call_panel.call = snap.call
        self.top.operator = snap.operator
        self.top.clock = snap.clock
        self.links.health = links_of(snap.health, snap.links)
        self.lamps.leds = snap.leds
        notices = self.notices
        notices.notices, notices.faults = snap.notices, snap.faults
        self._lists_due = snap
        if self._lists_timer is None:
            wait = self._lists_at + LISTS_EVERY_S - time.monotonic()
            if wait <= 0:
                self._apply_lists()
            else:
                self._lists_timer = self.set_timer(wait, self._apply_lists)

    def _apply_lists(self) -> None:
        self._lists_timer = None
        snap, self._lists_due = self._lists_due, None
        if snap is None:
            return
        self._lists_at = time.monotonic()
        self.alerts.alerts = snap.alerts
        picture = self.picture
        picture.line, picture.alerts = snap.line, snap.alerts
        title = picture_title(snap.line_view)
        if picture.border_title != title:
            picture.border_title = title
        self.calls.calls = snap.calls_today
        self.calls.log_head = snap.log_head
        self._select(self.alerts.selected_pair())

    def watch_now(self, now: float) -> None:
        """Timers."""
        self.call_panel.now = now

    def watch_zulu(self, zulu: str) -> None:
        """The clock."""
        self.top.zulu = zulu

    def watch_search_text(self, text: str) -> None:
        """Filter the lists."""
        self.alerts.search_text = text
        self.calls.search_text = text

    def on_alert_list_highlighted(self, event: AlertList.Highlighted) -> None:
        """The alert cursor moved: highlight that pair in the picture."""
        self._select(event.pair_id)

    def _select(self, pair_id: str | None) -> None:
        self.picture.selected = pair_id

    def selected_pair(self) -> str | None:
        """The alert the operator has selected."""
        return self.alerts.selected_pair()

    def say(self, notice: NoticeLine) -> None:
        """A message from the console itself (not the engine) on the notice line."""
        self.notices.local = notice

    def bench_state(self, *, pin_held: bool, unplugged: bool, far_talking: bool) -> None:
        """What the bench operator's hands are doing."""
        lamps = self.lamps
        lamps.pin_held, lamps.unplugged, lamps.far_talking = pin_held, unplugged, far_talking
