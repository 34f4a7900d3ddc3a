"""One-line prompts: a note, the operator's id, the search text."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from terminal.i18n import N_
from terminal.tui.keys import localize


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line: Enter gives it back, Esc gives None."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", N_("Cancel"))]

    def __init__(
        self,
        title: str,
        hint: str,
        *,
        value: str = "",
        placeholder: str = "",
        restrict: str | None = None,
        max_length: int = 0,
        prompt_id: str = "prompt",
    ) -> None:
        super().__init__(id=prompt_id)
        localize(self._bindings)
        self.title_text = title
        self.hint = hint
        self.value = value
        self.placeholder = placeholder
        self.restrict = restrict
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        """Title, input, hint."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Input(self.value, placeholder=self.placeholder, restrict=self.restrict,
                        max_length=self.max_length, select_on_focus=False)  # fmt: skip
            yield Static(self.hint, classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: done."""
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Esc: nothing."""
        self.dismiss(None)
