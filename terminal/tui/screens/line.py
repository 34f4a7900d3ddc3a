"""Entering a new version of the deconfliction line: its name, its points typed or pasted as
``lat,lon; lat,lon; ...``, when it takes effect (Zulu), the call it was agreed on. The new line is
drawn on the picture (over the one in force) as soon as its points read; Enter checks everything
and shows the preview to confirm, a second Enter confirms, Esc goes back or cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from terminal.core.lines import (
    MAX_POINTS,
    LineHistory,
    PointsError,
    new_version,
    parse_points,
)
from terminal.tui.widgets.picture import PicturePane
from terminal.views import AlertView
from terminal.zulu import to_iso

HINT = (
    f"Points: lat,lon; lat,lon; ... (2 to {MAX_POINTS}, decimal degrees, pasting works). From: "
    "now, HH:MM or 2026-12-07T21:30Z (Zulu). Enter: check and preview, Enter again: confirm. "
    "Esc: back / cancel."
)


@dataclass(frozen=True, slots=True)
class LineEntry:
    """What the operator confirmed."""

    name: str
    points: str
    effective: str
    on_call: bool


class LineEntryScreen(ModalScreen[LineEntry | None]):
    """The line-entry form with its own picture for the preview."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "back", "Back")]

    def __init__(
        self,
        *,
        next_version: int,
        name: str,
        current: tuple[tuple[float, float], ...],
        current_text: str,
        alerts: tuple[AlertView, ...],
        call_id: int | None,
        now_ms: Callable[[], int],
    ) -> None:
        super().__init__(id="line-entry")
        self.next_version = next_version
        self.name_value = name
        self.current = current
        self.current_text = current_text
        self.alerts = alerts
        self.call_id = call_id
        self.now_ms = now_ms
        self.ready: LineEntry | None = None

    def compose(self) -> ComposeResult:
        """The fields, the call, what is wrong or ready, and the picture."""
        with Vertical(classes="dialog") as box:
            box.border_title = f"NEW LINE VERSION v{self.next_version}"
            box.border_subtitle = self.current_text
            with Horizontal(classes="row"):
                yield Static("Name", classes="label")
                yield Input(self.name_value, max_length=16, id="line-name",
                            restrict=r"[A-Za-z0-9_-]*", select_on_focus=False)  # fmt: skip
                yield Static(" From", classes="label")
                yield Input("now", id="line-effective", max_length=30, select_on_focus=False)
            with Horizontal(classes="row"):
                yield Static("Points", classes="label")
                yield Input(placeholder="51.5185,-0.2; 51.5185,-0.08", id="line-points",
                            max_length=1000, select_on_focus=False)  # fmt: skip
            on_call = f"Agreed on call {self.call_id} (in progress)" if self.call_id else (
                "No call in progress: not tied to a call")
            yield Checkbox(on_call, self.call_id is not None, id="line-call",
                           disabled=self.call_id is None)  # fmt: skip
            yield Static(HINT, id="line-status")
            picture = PicturePane(id="line-picture")
            picture.border_title = "PREVIEW"
            yield picture

    def on_mount(self) -> None:
        """The picture shows the line in force and the open alerts; focus on the points."""
        picture = self.query_one(PicturePane)
        picture.line, picture.alerts = self.current, self.alerts
        self.query_one("#line-points", Input).focus()

    def _status(self, text: str, kind: str = "") -> None:
        status = self.query_one("#line-status", Static)
        status.update(text)
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "ready", "-ready")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Any change: back to editing; the points drawn as soon as they read."""
        self.ready = None
        if event.input.id != "line-points":
            return
        try:
            points = parse_points(event.value)
        except PointsError:
            points = ()
        self.query_one(PicturePane).preview = points

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """A change of the call: confirm again."""
        self.ready = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: check and preview; Enter again on the preview: confirm."""
        event.stop()
        if self.ready is not None:
            self.dismiss(self.ready)
            return
        entry = LineEntry(
            self.query_one("#line-name", Input).value.strip(),
            self.query_one("#line-points", Input).value,
            self.query_one("#line-effective", Input).value.strip(),
            self.query_one("#line-call", Checkbox).value and self.call_id is not None,
        )
        try:
            version = new_version(LineHistory(), entry.name, entry.points, entry.effective,
                                  entered_by=None, call_id=None, now_ms=self.now_ms())  # fmt: skip
        except PointsError as exc:
            self.query_one(PicturePane).preview = ()
            self._status("Not taken: " + "; ".join(exc.errors), "error")
            return
        self.query_one(PicturePane).preview = version.points
        when = "now" if entry.effective.lower() in ("", "now") else to_iso(version.effective_utc_ms)
        call = f", agreed on call {self.call_id}" if entry.on_call else ""
        count = len(version.points)
        self._status(f"PREVIEW v{self.next_version} {entry.name}: {count} points, in force from "
                     f"{when}{call}. Enter confirms; Esc edits.", "ready")  # fmt: skip
        self.ready = entry

    def action_back(self) -> None:
        """Esc: from the preview back to editing; else cancel."""
        if self.ready is not None:
            self.ready = None
            self._status(HINT)
            return
        self.dismiss(None)
