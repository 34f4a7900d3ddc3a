"""The help screen: every key, grouped, made from the same table as the bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from terminal.i18n import N_, _
from terminal.tui.keys import BENCH_KEYS, EXTRA_KEYS, OPERATOR_KEYS, Key, localize

NOTE = N_(
    "Search filters what this screen shows (today's calls, open alerts); "
    "deeper log search is `hotline log` for now."
)


_NAMES = {"space": "Space", "slash": "/", "question_mark": "?", "f1": "F1"}


def key_name(key: Key) -> str:
    """How a key is written on the help screen: `Space`, `? / F1`."""
    return " / ".join(_NAMES.get(k, k) for k in key.keys.split(","))


def key_table(bench: bool) -> Table:
    """The keys as a table: key, what it does."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column("key", style="bold", no_wrap=True, width=12)
    table.add_column("what")
    grouped: dict[str, list[tuple[str, str]]] = {}
    for key in (*OPERATOR_KEYS, *(BENCH_KEYS if bench else ())):
        grouped.setdefault(key.group, []).append(
            (key_name(key), f"{_(key.title)} — {_(key.help)}"))
    groups = [*grouped.items(), (N_("Anywhere"), list(EXTRA_KEYS))]
    for group, rows in groups:
        table.add_row(f"[u]{_(group)}[/u]", "")
        for name, what in rows:
            table.add_row(_(name), _(what))
    return table


class HelpScreen(ModalScreen[None]):
    """Every key; Esc, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape,q,question_mark,f1", "dismiss_help", N_("Close")),
    ]

    def __init__(self, bench: bool) -> None:
        super().__init__(id="help")
        localize(self._bindings)
        self.bench = bench

    def compose(self) -> ComposeResult:
        """The key table and the note on search."""
        with VerticalScroll(id="help-body") as body:
            body.border_title = _("KEYS")
            body.border_subtitle = _("Esc closes")
            yield Static(key_table(self.bench), id="help-keys")
            yield Static(_(NOTE), id="help-note")

    def on_mount(self) -> None:
        """The keys scroll with Up/Down/PgUp/PgDn/Home/End on a small terminal."""
        self.query_one("#help-body").focus()

    def action_dismiss_help(self) -> None:
        """Close."""
        self.dismiss(None)
