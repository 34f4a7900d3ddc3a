"""Quitting while a call is up: ask, and say what will happen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmQuit(ModalScreen[bool]):
    """y / Enter on "Hang up and quit" quits; n / Esc stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("y", "answer(True)", "Hang up and quit"),
        ("n,escape", "answer(False)", "Stay"),
    ]

    def __init__(self, state: str) -> None:
        super().__init__(id="confirm-quit")
        self.state = state

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog") as box:
            box.border_title = "QUIT?"
            yield Static(
                f"A call is up ({self.state}). Quitting hangs it up and unkeys the "
                "transmitter; the desk stops answering.\n\nHang up and quit?  y = yes, n = no",
                id="confirm-text",
            )
            with Horizontal(classes="buttons"):
                yield Button("Stay (n)", id="stay", variant="primary")
                yield Button("Hang up and quit (y)", id="quit", variant="error")

    def on_mount(self) -> None:
        """The safe choice has the focus."""
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button."""
        self.dismiss(event.button.id == "quit")

    def action_answer(self, quit_: bool) -> None:
        """A key."""
        self.dismiss(quit_)
