"""Entering a new version of the deconfliction line: its name, its points typed or pasted as
``lat,lon; lat,lon; ...``, when it takes effect (Zulu), the call it was agreed on. The new line is
drawn on the picture (over the one in force) as soon as its points read; Enter checks everything
and shows the preview to confirm, a second Enter confirms, Esc goes back or cancels.

Everything shown is in the language in use; what the core says (the points' errors, the line in
force and the co-processor's side of it) is translated here through the notice templates
(terminal/i18n/notices.py). The effective time may be typed as the translated word for "now"."""

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
from terminal.i18n import N_, _
from terminal.i18n.notices import translate_notice
from terminal.tui.keys import localize
from terminal.tui.widgets.picture import PicturePane
from terminal.views import AlertView
from terminal.zulu import to_iso

HINT = N_(
    "Points: lat,lon; lat,lon; ... (2 to {most}, decimal degrees, pasting works). From: "
    "now, HH:MM or 2026-12-07T21:30Z (Zulu). Enter: check and preview, Enter again: confirm. "
    "Esc: back / cancel."
)
NOW = N_("now")
"""Typed in the "From" field for "in force now" (the English word is always understood too)."""


def hint() -> str:
    """The help line under the fields, in the language in use."""
    return _(HINT).format(most=MAX_POINTS)


def effective_as_typed(text: str) -> str:
    """The "From" field for the core: the translated word for now becomes ``now``."""
    text = text.strip()
    return "now" if text.lower() in ("", "now", _(NOW).lower()) else text


@dataclass(frozen=True, slots=True)
class LineEntry:
    """What the operator confirmed."""

    name: str
    points: str
    effective: str
    on_call: bool


class LineEntryScreen(ModalScreen[LineEntry | None]):
    """The line-entry form with its own picture for the preview."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "back", N_("Back"))]

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
        localize(self._bindings)
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
            box.border_title = _("NEW LINE VERSION v{version}").format(version=self.next_version)
            box.border_subtitle = translate_notice(self.current_text)
            with Horizontal(classes="row"):
                yield Static(_("Name"), classes="label")
                yield Input(self.name_value, max_length=16, id="line-name",
                            restrict=r"[A-Za-z0-9_-]*", select_on_focus=False)  # fmt: skip
                yield Static(" " + _("From"), classes="label")
                yield Input(_(NOW), id="line-effective", max_length=30, select_on_focus=False)
            with Horizontal(classes="row"):
                yield Static(_("Points"), classes="label")
                yield Input(placeholder="51.5185,-0.2; 51.5185,-0.08", id="line-points",
                            max_length=1000, select_on_focus=False)  # fmt: skip
            on_call = (
                _("Agreed on call {call_id} (in progress)").format(call_id=self.call_id)
                if self.call_id
                else _("No call in progress: not tied to a call")
            )
            yield Checkbox(on_call, self.call_id is not None, id="line-call",
                           disabled=self.call_id is None)  # fmt: skip
            yield Static(hint(), id="line-status")
            picture = PicturePane(id="line-picture")
            picture.border_title = _("PREVIEW")
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
            effective_as_typed(self.query_one("#line-effective", Input).value),
            self.query_one("#line-call", Checkbox).value and self.call_id is not None,
        )
        try:
            version = new_version(LineHistory(), entry.name, entry.points, entry.effective,
                                  entered_by=None, call_id=None, now_ms=self.now_ms())  # fmt: skip
        except PointsError as exc:
            self.query_one(PicturePane).preview = ()
            wrong = "; ".join(translate_notice(e) for e in exc.errors)
            self._status(_("Not taken: {errors}").format(errors=wrong), "error")
            return
        self.query_one(PicturePane).preview = version.points
        when = _(NOW) if entry.effective == "now" else to_iso(version.effective_utc_ms)
        call = _(", agreed on call {call_id}").format(call_id=self.call_id) if entry.on_call else ""
        said = _("PREVIEW v{version} {name}: {count} points, in force from {when}{call}. "
                 "Enter confirms; Esc edits.")  # fmt: skip
        said = said.format(version=self.next_version, name=entry.name,
                           count=len(version.points), when=when, call=call)  # fmt: skip
        self._status(said, "ready")
        self.ready = entry

    def action_back(self) -> None:
        """Esc: from the preview back to editing; else cancel."""
        if self.ready is not None:
            self.ready = None
            self._status(hint())
            return
        self.dismiss(None)
