"""The recall list: the received transmissions of the current (or last) call, newest first, with
their Zulu time and length; Enter replays the one highlighted on the headset."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from terminal.core.recall import RecallItem, RecallView
from terminal.i18n import N_, _
from terminal.tui.keys import localize
from terminal.zulu import to_iso

REFRESH_S = 0.25
HINT = N_(
    "Enter replays on the headset (never on the radio); g the last, again the one before; "
    "x stops; Space keys PTT (stops the replay); Esc closes."
)


def item_line(item: RecallItem, playing: bool) -> str:
    """`2  07:35:25Z   4.0 s  ▶` for the list."""
    mark = "  ▶ " + _("playing") if playing else ""
    return f"{item.number:>2}  {to_iso(item.utc_ms)[11:19]}Z  {item.seconds:6.1f} s{mark}"


def title_of(view: RecallView) -> str:
    """The list's title: which call, live or ended."""
    if view.call_id is None:
        return _("RECALL")
    state = _("in progress") if view.live else _("ended")
    return _("RECALL — CALL {call_id} ({state})").format(call_id=view.call_id, state=state)


class RecallScreen(ModalScreen[None]):
    """The call's received transmissions to pick from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape,G", "close", N_("Close")),
        ("g", "again", N_("Say again")),
        ("x", "stop", N_("Stop")),
        ("space", "ptt", N_("PTT")),
    ]

    def __init__(
        self,
        latest: Callable[[], RecallView],
        pick: Callable[[int | None], object],
        intent: Callable[[str], None],
    ) -> None:
        super().__init__(id="recall")
        localize(self._bindings)
        self.latest = latest
        self.pick = pick
        self.intent = intent
        self._shown: RecallView | None = None

    def compose(self) -> ComposeResult:
        """The list and a hint."""
        with Vertical(classes="dialog") as box:
            box.border_title = _("RECALL")
            yield OptionList(id="recall-list")
            yield Static("", id="recall-empty")
            yield Static(_(HINT), classes="hint")

    def on_mount(self) -> None:
        """Fill the list, keep it current."""
        self._refresh()
        self.set_interval(REFRESH_S, self._refresh)
        self.query_one(OptionList).focus()

    def _refresh(self) -> None:
        view = self.latest()
        if view == self._shown:
            return
        self._shown = view
        self.query_one(".dialog", Vertical).border_title = title_of(view)
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(item_line(item, item.number == view.playing), id=str(item.number))
            for item in view.items
        )
        if view.items:
            options.highlighted = min(highlighted or 0, len(view.items) - 1)
        self.query_one("#recall-empty", Static).update(
            "" if view.items else _("No received transmission in this call yet.")
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: replay that one."""
        event.stop()
        if event.option.id is not None:
            self.pick(int(event.option.id))

    def action_again(self) -> None:
        """The recall key, as on the main screen."""
        self.intent("recall")

    def action_stop(self) -> None:
        """Stop the replay."""
        self.intent("recall_stop")

    def action_ptt(self) -> None:
        """PTT works here too: close the list and key (the desk stops the replay)."""
        self.dismiss(None)
        self.intent("ptt_toggle")

    def action_close(self) -> None:
        """Back to the desk."""
        self.dismiss(None)
