"""Quitting while a call is up: ask, and say what will happen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from terminal.i18n import N_, _
from terminal.tui.keys import localize
from terminal.tui.widgets.callpanel import state_word


class ConfirmQuit(ModalScreen[bool]):
    """y / Enter on "Hang up and quit" quits; n / Esc stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("y", "answer(True)", N_("Hang up and quit")),
        ("n,escape", "answer(False)", N_("Stay")),
    ]

    def __init__(self, state: str) -> None:
        super().__init__(id="confirm-quit")
        localize(self._bindings)
        self.state = state

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog") as box:
            box.border_title = _("QUIT?")
            yield Static(
                _("A call is up ({state}). Quitting hangs it up and unkeys the "
                  "transmitter; the desk stops answering.\n\nHang up and quit?  y = yes, n = no"
                  ).format(state=state_word(self.state)),
                id="confirm-text",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Stay (n)"), id="stay", variant="primary")
                yield Button(_("Hang up and quit (y)"), id="quit", variant="error")

    def on_mount(self) -> None:
        """The safe choice has the focus."""
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button."""
        self.dismiss(event.button.id == "quit")

    def action_answer(self, quit_: bool) -> None:
        """A key."""
        self.dismiss(quit_)
