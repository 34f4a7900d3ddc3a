"""The operator console: a view of the engine. It reads the desk's snapshots and sends the
operator's intents; it never touches hardware (at the bench, its extra keys move the rig's
simulated hands)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import ClassVar

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer

from terminal.core.calls import CallPhase
from terminal.i18n import _
from terminal.snapshot import DeskSnapshot, NoticeLine
from terminal.tui.desk_interface import BenchHands, DeskInterface
from terminal.tui.keys import BENCH_KEYS, OPERATOR_KEYS, localize
from terminal.tui.screens.confirm import ConfirmQuit
from terminal.tui.screens.help import HelpScreen
from terminal.tui.screens.line import LineEntry, LineEntryScreen
from terminal.tui.screens.main import MainScreen
from terminal.tui.screens.prompt import PromptScreen
from terminal.tui.screens.recall import RecallScreen
from terminal.tui.themes import DEFAULT_THEME, THEMES
from terminal.zulu import utc_stamp

TICK_S = 0.25
"""How often the call timers are redrawn while a call is up (4 Hz)."""
IDLE_TICK_MARGIN_S = 0.005
"""With no call up, the clock ticks once a second, this long after each second's boundary of the
Zulu clock (so the new second is drawn, not the old one again)."""
OPERATOR_ID = r"[A-Za-z0-9._-]*"
_BENCH_ACTIONS = frozenset(k.action for k in BENCH_KEYS)


def _freeze_heap() -> None:
    """Move everything alive once the console is up (modules, styles, widgets, the desk) out of
    the collector's way: a full collection then walks only what changes, so it stays short."""
    gc.collect()
    gc.freeze()


def zulu_text(moment: datetime) -> str:
    """The clock as shown: `2026-11-25 07:10:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


class ConsoleApp(App[None]):
    """The console. `desk` is the engine (or a stand-in); `hands` the bench rig, at the bench."""

    CSS_PATH = "app.tcss"
    TITLE = "hotline"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        desk: DeskInterface,
        *,
        hands: BenchHands | None = None,
        desk_name: str = "",
        utc: Callable[[], datetime] | None = None,
        clock: Callable[[], float] | None = None,
        banner: str = "",
        report: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        localize(self._bindings)  # Textual's own palette key, in the desk's language
        self.report = report
        self._reporting = False
        self.desk = desk
        self.hands = hands
        self.desk_name = desk_name
        self.utc = utc or (lambda: datetime.now(UTC))
        self.clock = clock or desk.clock
        self.banner = banner
        self.search_text = ""
        self.pin_held = False
        self.unplugged = False
        self.far_talking = False
        self._latest: DeskSnapshot = desk.snapshot
        self._apply_pending = False
        self._detached = False
        self._tick_timer: Timer | None = None
        self._shown_call_up = False
        self.freeze_heap = False
        self._main = MainScreen(desk_name=desk_name, bench=hands is not None)
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    # --- wiring to the desk ---

    @property
    def main(self) -> MainScreen:
        """The main screen."""
        return self._main

    def get_default_screen(self) -> Screen[None]:
        """Start on the main screen."""
        return self._main

    def on_ready(self) -> None:
        """Once the main screen is up: show the current state, subscribe to the next ones,
        start the clock's ticks."""
        self.main.snapshot = self._latest
        self._shown_call_up = self._call_up()
        self._tick()
        self.desk.subscribe(self._on_snapshot)
        if self.banner:
            self.say("info", self.banner)
        if self.freeze_heap:
            self.call_after_refresh(_freeze_heap)

    def _on_snapshot(self, snap: DeskSnapshot) -> None:
        """Engine listener (loop thread, any rate): keep the latest, apply once per pass."""
        self._latest = snap
        if self._apply_pending or self._detached:
            return
        self._apply_pending = self.call_later(self._apply)

    def _apply(self) -> None:
        self._apply_pending = False
        was_up = self._shown_call_up
        self.main.snapshot = self._latest
        self._shown_call_up = self._call_up()
        if self._shown_call_up and not was_up:
            self._retick()

    def _tick(self) -> None:
        """Redraw the clock and timers (a widget repaints only if its text changed), then wait
        for the next: TICK_S while a call is up (its timers count), else the next second of the
        Zulu clock, so an idle console wakes once a second."""
        main = self.main
        main.now = self.clock()
        moment = self.utc()
        main.zulu = zulu_text(moment)
        if self._detached:
            return
        self._tick_timer = self.set_timer(self._next_tick_s(moment), self._tick, name="tick")

    def _next_tick_s(self, moment: datetime) -> float:
        if self._call_up():
            return TICK_S
        return 1.0 - moment.microsecond / 1e6 + IDLE_TICK_MARGIN_S

    def _retick(self) -> None:
        """A call came up: start the 4 Hz ticks now, not at the next second."""
        timer = self._tick_timer
        if timer is not None:
            timer.stop()
        self._tick()

    def say(self, level: str, text: str) -> None:
        """A console message on the notice line (stamped like the engine's)."""
        self.main.say(NoticeLine(utc_stamp(self.utc()), level, text))

    def _call_up(self) -> bool:
        call = self._latest.call
        return call.phase is not CallPhase.IDLE and not call.closed

    # --- operator actions ---

    def action_answer(self) -> None:
        """Answer the ringing call."""
        self.desk.intent("answer")

    def action_call(self) -> None:
        """Call the far end."""
        self.desk.intent("call")

    def action_hangup(self) -> None:
        """Hang up."""
        self.desk.intent("hangup")

    def action_reject(self) -> None:
        """Reject the ringing call."""
        self.desk.intent("reject")

    def action_ptt(self) -> None:
        """Toggle PTT (the time-out timer still applies)."""
        self.desk.intent("ptt_toggle")

    def action_recall(self) -> None:
        """Say again: replay the last received transmission (again: the one before)."""
        self.desk.intent("recall")

    def action_recall_list(self) -> None:
        """The call's received transmissions, to pick one to replay."""
        if not isinstance(self.screen, RecallScreen):
            self.push_screen(
                RecallScreen(lambda: self._latest.recall, self.desk.recall_pick, self.desk.intent)
            )

    def action_acknowledge(self) -> None:
        """Acknowledge the selected alert."""
        pair = self.main.selected_pair()
        if pair is None:
            self.say("warning", _("No alert selected to acknowledge."))
            return
        if self.desk.acknowledge(pair):
            self.say("info", _("Alert {pair} acknowledged.").format(pair=pair))

    def action_note(self) -> None:
        """Type a note into the call record."""
        call_id = self._latest.call.call_id
        where = _("call {call_id}").format(call_id=call_id) if call_id is not None else _(
            "the last call")
        self.push_screen(
            PromptScreen(_("NOTE ON {where}").format(where=where.upper()),
                         _("Enter saves it to the record; Esc cancels."),
                         placeholder=_("what was said or agreed"), max_length=500,
                         prompt_id="note"),
            self._note_done,
        )  # fmt: skip

    def _note_done(self, text: str | None) -> None:
        if text and text.strip():
            self.desk.add_note(text.strip())

    def action_search(self) -> None:
        """Filter today's calls and the open alerts."""
        self.push_screen(
            PromptScreen(_("SEARCH"), _("Filters today's calls and the open alerts; empty shows "
                         "all. The full record: hotline log."), value=self.search_text,
                         placeholder=_("pair, track, call id, outcome, operator, note…"),
                         max_length=60, prompt_id="search"),
            self._search_done,
        )  # fmt: skip

    def _search_done(self, text: str | None) -> None:
        if text is not None:
            self.set_search(text.strip())

    def set_search(self, text: str) -> None:
        """Apply a filter (empty: none)."""
        self.search_text = text
        self.main.search_text = text
        self.refresh_bindings()

    def action_clear_search(self) -> None:
        """Drop the filter."""
        self.set_search("")

    def action_lamp_test(self) -> None:
        """Light each LED in turn."""
        self.desk.lamp_test()

    def action_sign_on(self) -> None:
        """The operator on duty signs on."""
        self.push_screen(
            PromptScreen(_("OPERATOR SIGN-ON"), _("Your operator id (letters, digits . _ -); "
                         "Enter signs on, Esc cancels."), value=self._latest.operator,
                         restrict=OPERATOR_ID, max_length=16, prompt_id="sign-on"),
            self._sign_on_done,
        )  # fmt: skip

    def _sign_on_done(self, text: str | None) -> None:
        if text and text.strip():
            self.desk.set_operator(text.strip())

    def action_shift_report(self) -> None:
        """Write the shift report (off the loop: it reads the whole shift's log)."""
        if self.report is None:
            self.say("warning", _("No log here to report from: run `hotline report` on the desk."))
            return
        if self._reporting:
            self.say("info", _("The shift report is being written."))
            return
        self._reporting = True
        self.say("info", _("Writing the shift report..."))
        self.run_worker(self._write_report(self.report), name="shift report", group="report")

    async def _write_report(self, report: Callable[[], str]) -> None:
        try:
            text = await asyncio.to_thread(report)
        except Exception as exc:  # the log unreadable, the disk full: say so, stay up
            failed = _("Shift report failed: {error}")
            self.say("error", failed.format(error=exc or type(exc).__name__))
        else:
            self.say("info", text)
        finally:
            self._reporting = False

    def action_line_entry(self) -> None:
        """Enter a new version of the deconfliction line."""
        if isinstance(self.screen, LineEntryScreen):
            return
        snap = self._latest
        view = snap.line_view
        pending = max(view.pending, default=view.version or 0)
        next_version = max(pending, view.coproc.acked or 0, view.version or 0) + 1
        current = (f"in force: v{view.version} {view.name} · {view.coproc_text()}"
                   if view.version is not None else "no line in force")  # fmt: skip
        self.push_screen(
            LineEntryScreen(
                next_version=next_version, name=view.name or "LINE", current=snap.line,
                current_text=current, alerts=snap.alerts,
                call_id=snap.call.call_id if self._call_up() else None,
                now_ms=lambda: round(self.utc().timestamp() * 1000),
            ),
            self._line_done,
        )  # fmt: skip

    def _line_done(self, entry: LineEntry | None) -> None:
        if entry is None:
            return
        wrong = self.desk.enter_line(entry.name, entry.points, entry.effective,
                                     on_call=entry.on_call)  # fmt: skip
        if wrong is not None:
            self.say("error", f"Line not entered: {wrong}")

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(bench=self.hands is not None))

    async def action_quit(self) -> None:
        """Quit; while a call is up, only after the operator confirms."""
        if isinstance(self.screen, ConfirmQuit):
            return
        if not self._call_up():
            self.exit()
            return
        self.push_screen(ConfirmQuit(self._latest.display), self._quit_done)

    def _quit_done(self, confirmed: bool | None) -> None:
        if confirmed:
            self.call_later(self.exit)  # after the dialog has closed

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        """Stop listening to the desk, then exit."""
        self._detached = True
        super().exit(result, return_code, message)

    # --- the bench operator's hands ---

    def _hand(self, what: str, act: Callable[[BenchHands], object]) -> None:
        if self.hands is None:
            return
        try:
            act(self.hands)
        except Exception as exc:  # the rig is gone (desk stopped): say so, stay up
            self.say("error", _("bench: {what} failed: {error}").format(
                what=what, error=exc or type(exc).__name__))
        self.main.bench_state(pin_held=self.pin_held, unplugged=self.unplugged,
                              far_talking=self.far_talking)  # fmt: skip

    def action_far_ring(self) -> None:
        """Bench: the far end rings."""
        self._hand("far ring", lambda h: h.far("ring"))

    def action_far_answer(self) -> None:
        """Bench: the far end answers."""
        self._hand("far answer", lambda h: h.far("answer"))

    def action_far_hangup(self) -> None:
        """Bench: the far end hangs up."""
        self.far_talking = False
        self._hand("far hangup", lambda h: h.far("hangup"))

    def action_far_talk(self) -> None:
        """Bench: the far end starts or stops talking."""
        self.far_talking = not self.far_talking
        talking = self.far_talking
        self._hand("far rx", lambda h: h.far("rx", talking))

    def action_pin_ptt(self) -> None:
        """Bench: press or release the PTT button's mock pin."""
        self.pin_held = not self.pin_held
        held = self.pin_held
        self._hand("PTT pin", lambda h: h.press(held))

    def action_cable(self) -> None:
        """Bench: unplug or plug the bridge cable."""
        self.unplugged = not self.unplugged
        self._hand("cable", (lambda h: h.unplug()) if self.unplugged else (lambda h: h.plug()))

    # --- keys and palette ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Bench keys only at the bench; Esc (clear search) only while a filter is set."""
        if action in _BENCH_ACTIONS:
            return self.hands is not None
        if action == "clear_search":
            return bool(self.search_text)
        return True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every console action by name, then Textual's own (theme, screenshot, keys)."""
        keys = (*OPERATOR_KEYS, *(BENCH_KEYS if self.hands is not None else ()))
        for key in keys:
            yield SystemCommand(_(key.title), _(key.help), getattr(self, f"action_{key.action}"))
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command
