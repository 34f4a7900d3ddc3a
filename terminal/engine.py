"""The engine: one asyncio loop that owns the desk's resources and runs the core.

Adapter input (the radio link, the PTT button, operator intents from a front) becomes timestamped
core events; the core's effects go out to the bridge, the LEDs, the tone player and the log; the
state the fronts show is published after every event. The fail-safe path — UNKEY to the bridge,
written out before the process goes on — runs on every exit: normal stop, exception, signal, link
loss, GPIO failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from terminal import zulu
from terminal.core import events
from terminal.core.alert_effects import RECORD_TYPES, AlertRecord, AlertTone
from terminal.core.alert_events import AlertAcknowledged, AlertEvent, AlertTick
from terminal.core.alerts import AlertBook, AlertSettings
from terminal.core.calls import CallControl, CallSettings
from terminal.core.clock_trust import ClockChange, ClockFaultStarted, ClockState, ClockWatch
from terminal.core.debounce import Change, Debouncer
from terminal.core.effects import (
    CallAnswered,
    CallEnded,
    CallStarted,
    Effect,
    Notice,
    PlayTone,
    SendBridge,
    StopTone,
    TransmissionEnded,
    TransmissionStarted,
)
from terminal.core.leds import LedPatterns, led_patterns
from terminal.core.lines import CoprocLine, LineHistory, LineVersion, LineView, new_version
from terminal.core.recall import Play, RecallControl, RecallSource, RecallView, Refused
from terminal.snapshot import DeskSnapshot, NoticeLine
from terminal.views import AlertView, CallSummary, LinkHealth
from terminal.zulu import utc_stamp

log = logging.getLogger(__name__)

NOTICE_HISTORY = 50
OPERATOR_INTENTS = (
    "answer", "call", "hangup", "reject", "ptt_press", "ptt_release", "ptt_toggle",
    "recall", "recall_stop",
)  # fmt: skip
RECALL_MARGIN_S = 0.25  # the recall's end is published this long after its last sample is due


class BridgeLink(Protocol):
    """What the engine needs of the radio-bridge link adapter."""

    is_up: bool

    def send_command(self, command: str, reason: str) -> None:
        """Send CALL, ANSWER, REJECT, HANGUP, KEY or UNKEY (reliably, with retransmit)."""

    def fail_safe_unkey(self, reason: str, timeout_s: float) -> bool:
        """Write UNKEY to the port now, waiting up to timeout_s; True if it was written."""


class Panel(Protocol):
    """What the engine needs of the desk panel (LEDs and the PTT button)."""

    def show(self, patterns: LedPatterns) -> None:
        """Set the LEDs."""

    def close(self) -> None:
        """Release the pins."""


class RecordSink(Protocol):
    """What the engine needs of the log: committed records, in order."""

    def record_effect(self, effect: Effect, operator: str) -> asyncio.Future[int] | None:
        """Commit a call record; the future resolves once it is committed."""

    def journal(self, kind: str, item: dict[str, Any]) -> None:
        """Queue a journal entry (event or effect) for the next group commit."""

    def record_alert(self, effect: AlertRecord) -> asyncio.Future[int] | None:
        """Commit an alert record (received, acknowledged, closed; the rest journalled)."""


class TonePlayer(Protocol):
    """What the engine needs of the audio adapter."""

    def play(self, name: str) -> None:
        """Start a tone."""

    def stop(self, name: str) -> None:
        """Stop a tone."""


class RecallAudio(Protocol):
    """What the engine needs of instant recall (`hw.audio.recall.HeadsetRecall`): the headset
    only, never the bridge."""

    def source(self) -> RecallSource | None:
        """The current or last call recording's received transmissions (no I/O)."""

    def play(self, play: Play) -> None:
        """Play a received transmission on the headset (replacing any recall playing)."""

    def stop(self) -> None:
        """Silence the recall at once."""


def utc_ms() -> int:
    """Now, in milliseconds since the epoch (UTC), for records (the desk's one wall clock)."""
    return zulu.now_ms()


def _describe(item: object) -> dict[str, Any]:
    data = dataclasses.asdict(item) if dataclasses.is_dataclass(item) else {}  # type: ignore[arg-type]
    return {"type": type(item).__name__, **data}


@dataclass
class EngineOptions:
    """Settings the engine needs, taken from the configuration."""

    call: CallSettings
    bounce_s: float = 0.03
    operator: str = ""
    lamp_test_s: float = 0.0
    unkey_drain_s: float = 0.5
    alerts: AlertSettings = field(default_factory=AlertSettings)
    alerts_shown: int = 200
    clock_max_error_ms: float = 100.0


@dataclass
class EngineParts:
    """The adapters the engine drives, each optional (a desk without one runs without it)."""

    bridge: BridgeLink | None = None
    panel: Panel | None = None
    records: RecordSink | None = None
    tones: TonePlayer | None = None
    recall: RecallAudio | None = None
    extra_links: dict[str, Callable[[], bool]] = field(default_factory=dict)
    health: dict[str, Callable[[], LinkHealth]] = field(default_factory=dict)
    note: Callable[[int, str, str], object] | None = None
    clock_record: Callable[[ClockChange], object] | None = None
    line_sink: Callable[[LineVersion], object] | None = None
    """Records a new line version and offers it to the co-processor (the desk)."""


class Engine:
    """Runs the call core against the adapters on one asyncio loop."""

    def __init__(self, options: EngineOptions, clock: Callable[[], float] = time.monotonic) -> None:
        self.options = options
        self.clock = clock
        self.core = CallControl(options.call)
        self.last_call_id: int | None = None  # notes after a call ends go to it
        self.parts = EngineParts()
        self.log_head: Callable[[], str] = lambda: ""
        """The log's head fingerprint for the snapshot (the desk sets it to the writer's)."""
        self.operator = options.operator
        self._debounce = Debouncer(options.bounce_s)
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._listeners: list[Callable[[DeskSnapshot], None]] = []
        self._event_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._notices: deque[NoticeLine] = deque(maxlen=NOTICE_HISTORY)
        self._faults: dict[str, str] = {}
        self._pending_records: set[asyncio.Future[Any]] = set()
        self._lamp_tests: set[asyncio.Task[None]] = set()
        self._alert_commit: asyncio.Future[int] | None = None  # the newest alert record's
        self._calls_today: tuple[CallSummary, ...] = ()
        self.alerts = AlertBook(options.alerts)
        self._alert_views: tuple[AlertView, ...] = ()
        self._alert_level: str | None = None
        self._line: tuple[tuple[float, float], ...] = ()
        self.recall = RecallControl()
        self._recall_timer: asyncio.TimerHandle | None = None
        if options.alerts.line is not None:
            self._line = tuple(options.alerts.line.points)
        given = options.alerts.lines
        self.lines: LineHistory = given if given is not None else LineHistory()
        """The deconfliction line's versions (the alert book checks against the same object
        once it has one: the desk gives the log's, with the config line as version 1)."""
        self.desk_name = ""
        self.log_call_id: Callable[[int], str] = str
        self._coproc_line = CoprocLine()
        self.clock_watch = ClockWatch(options.clock_max_error_ms)
        self._clock_read = False
        self.stopped = False
        self.snapshot = self._make_snapshot()

    # --- wiring ---

    def attach(
        self,
        *,
        bridge: BridgeLink | None = None,
        panel: Panel | None = None,
        records: RecordSink | None = None,
        tones: TonePlayer | None = None,
        recall: RecallAudio | None = None,
    ) -> None:
        """Give the engine its adapters (any may be absent on the bench or in tests)."""
        if recall is not None:
            self.parts.recall = recall
        if bridge is not None:
            self.parts.bridge = bridge
        if panel is not None:
            self.parts.panel = panel
        if records is not None:
            self.parts.records = records
        if tones is not None:
            self.parts.tones = tones

    def add_link(self, name: str, is_up: Callable[[], bool]) -> None:
        """Show another link's health (the co-processor, ...)."""
        self.parts.extra_links[name] = is_up

    def add_health(self, name: str, health: Callable[[], LinkHealth]) -> None:
        """Show a link's health detail (last heard, what is wrong) on the console."""
        self.parts.health[name] = health

    def subscribe(self, listener: Callable[[DeskSnapshot], None]) -> None:
        """Call `listener` with a new snapshot after every change."""
        self._listeners.append(listener)

    def on_event(self, listener: Callable[[str, dict[str, Any]], None]) -> None:
        """Call `listener(kind, item)` for every event and effect (headless front, journal)."""
        self._event_listeners.append(listener)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run on this loop (must be called from it before any input arrives)."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    # --- input ---

    def ptt_edge_threadsafe(self, pressed: bool, at: float) -> None:
        """A raw PTT edge from gpiozero's thread: hand it to the loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            self._ptt_edge(pressed, at)  # already on the loop (mock pins driven from it)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._ptt_edge, pressed, at)

    def _ptt_edge(self, pressed: bool, at: float) -> None:
        self._feed_ptt(self._debounce.edge(pressed, at))
        self._reschedule()

    def _feed_ptt(self, changes: Iterable[Change]) -> None:
        """The debounced PTT changes, as core events."""
        for change in changes:
            kind = events.PttPressed if change.pressed else events.PttReleased
            self.feed(kind(change.at))

    def intent(self, name: str) -> None:
        """An operator intent from a front: answer, call, hangup, reject, ptt_press, ptt_release,
        ptt_toggle, recall (the last received transmission; pressed again, the one before),
        recall_stop."""
        now = self.clock()
        if name == "recall":
            self.recall_pick(None)
            return
        if name == "recall_stop":
            self._stop_recall(now)
            self._publish()
            return
        makers: dict[str, Callable[[float], events.Event]] = {
            "answer": events.AnswerPressed,
            "call": events.CallPressed,
            "hangup": events.HangupPressed,
            "reject": events.RejectPressed,
            "ptt_press": events.PttPressed,
            "ptt_release": events.PttReleased,
        }
        if name == "ptt_toggle":
            self._ptt_toggle(now)
            return
        if name not in makers:
            self._notice(Notice("error", f"Unknown operator action {name!r}."))
            self._publish()
            return
        self.feed(makers[name](now))

    def _ptt_toggle(self, now: float) -> None:
        """The keyboard's PTT: a press keys, the next one unkeys. A keyboard has no key to let
        go, so after a forced unkey (time-out, link loss, busy channel) the next press is a
        release and a new press: one press to talk again, not two."""
        state = self.core.state
        if not state.ptt_held:
            self.feed(events.PttPressed(now))
            return
        self.feed(events.PttReleased(now))
        if state.need_release and not state.keyed:
            self.feed(events.PttPressed(now))

    def bridge_event(self, event: events.Event) -> None:
        """An event from the radio-bridge link adapter."""
        self.feed(event)

    def set_fault(self, source: str, text: str | None) -> None:
        """Raise (text) or clear (None) a fault shown on the console and the fault LED."""
        if text is None:
            if self._faults.pop(source, None) is not None:
                self._notice(Notice("info", f"{source}: recovered."))
        elif self._faults.get(source) != text:
            self._faults[source] = text
            self._notice(Notice("error", f"{source}: {text}"))
        self._publish()

    def clock_reading(self, state: ClockState) -> ClockChange | None:
        """A reading of the system clock's synchronisation (from the desk's poll): a clock fault
        starts or ends by the rules of terminal/core/clock_trust.py, and each goes in the log."""
        if self.stopped:
            return None
        first = not self._clock_read
        self._clock_read = True
        change = self.clock_watch.observe(state, utc_ms())
        if first and state.synchronised is None:  # said once; an unknown clock is not a fault
            self._notice(Notice("warning", f"Clock: synchronisation unknown ({state.detail})."))
        if change is not None:
            record = self.parts.clock_record
            if record is not None:
                record(change)
            if isinstance(change, ClockFaultStarted):
                self.set_fault("clock", change.reason)
                return change
            self.set_fault("clock", None)
            return change
        self._publish()
        return None

    # --- operator actions beyond call control (the console's keys) ---

    def recall_pick(self, number: int | None) -> bool:
        """Replay received transmission `number` of the recall list (1 the newest) on the headset,
        or with None the recall key's choice (the newest; pressed again, the one before). False,
        with a notice saying why, when recall may not sound."""
        if self.stopped:
            return False
        now = self.clock()
        audio = self.parts.recall
        source = audio.source() if audio is not None else None
        state = self.core.state
        if number is None:
            result = self.recall.press(source, state, now)
        else:
            result = self.recall.pick(number, source, state, now)
        if isinstance(result, Refused) or audio is None:
            reason = result.reason if isinstance(result, Refused) else "No audio to recall."
            self._notice(Notice("info", reason))
            self._publish()
            return False
        audio.play(result)
        item = result.item
        when = zulu.to_iso(item.utc_ms)[11:19]
        self._notice(Notice("info", f"Recall {item.number}: received {when}Z, "
                                    f"{item.seconds:.1f} s, on the headset."))  # fmt: skip
        self._schedule_recall_end(item.seconds)
        self._publish()
        return True

    def _schedule_recall_end(self, seconds: float) -> None:
        loop = self._loop
        if self._recall_timer is not None:
            self._recall_timer.cancel()
            self._recall_timer = None
        if loop is not None:
            self._recall_timer = loop.call_later(seconds + RECALL_MARGIN_S, self._recall_ended)

    def _recall_ended(self) -> None:
        self._recall_timer = None
        if self.recall.finish(self.clock()):
            self._publish()

    def _stop_recall(self, now: float) -> None:
        """Silence any recall at once (PTT, a new call, the stop key, shutdown)."""
        audio = self.parts.recall
        if audio is not None:
            audio.stop()
        self.recall.stop(now)
        if self._recall_timer is not None:
            self._recall_timer.cancel()
            self._recall_timer = None

    def acknowledge(self, pair_id: str) -> bool:
        """The operator acknowledges an open alert; False if there is no such alert."""
        if not self.alerts.is_open(pair_id):
            self.notice("warning", f"No open alert {pair_id!r} to acknowledge.")
            return False
        self.alert_event(AlertAcknowledged(self.clock(), utc_ms(), pair_id, self.operator))
        return True

    def add_note(self, text: str) -> bool:
        """A free-text note on the current call (or the last one); False if there is none."""
        text = text.strip()
        if not text:
            return False
        handler = self.parts.note
        call_id = self.core.state.call_id
        if call_id is None:
            call_id = self.last_call_id
        if handler is None or call_id is None:
            self.notice("warning", "No call to attach the note to.")
            return False
        handler(call_id, text, self.operator)
        self.notice("info", f"Note added to call {call_id}.")
        return True

    def enter_line(
        self, name: str, points: str, effective: str = "", *, on_call: bool = True
    ) -> str | None:
        """A new version of the line from the operator (``lat,lon; ...``, effective ``now``,
        ``HH:MM`` or an ISO time, Zulu), agreed on the current call when ``on_call``: recorded
        and sent to the co-processor. None when entered, else what is wrong."""
        now = utc_ms()
        core_call = self.core.state.call_id if on_call else None
        call_id = self.log_call_id(core_call) if core_call is not None else None
        try:
            version = new_version(
                self.lines, name, points, effective, entered_by=self.operator or None,
                call_id=call_id, now_ms=now, desk=self.desk_name,
            )  # fmt: skip
        except ValueError as exc:
            return str(exc)
        self.lines.add(version)
        if self.alerts.settings.lines is None:  # no history given: this one from now on
            self.alerts.settings = dataclasses.replace(self.alerts.settings, lines=self.lines)
        if self.parts.line_sink is not None:
            self.parts.line_sink(version)
        when = "now" if version.effective_utc_ms <= now else zulu.to_iso(version.effective_utc_ms)
        on = f" (call {call_id})" if call_id else ""
        self.notice("info", f"Line v{version.version} {version.name} entered{on}, in force "
                            f"from {when}.")  # fmt: skip
        return None

    def use_lines(self, history: LineHistory) -> None:
        """The line's history from the log (at start-up, before any alert arrives)."""
        self.lines = history
        self.alerts.settings = dataclasses.replace(self.alerts.settings, lines=history)
        self._publish()

    def coproc_line(self, state: CoprocLine) -> None:
        """What the co-processor link knows of the line (acknowledged, in use)."""
        self._coproc_line = state
        self._publish()

    def line_view(self) -> LineView:
        """The line in force now, what is pending, and the co-processor's side."""
        now = utc_ms()
        v = self.lines.in_force(now)
        pending = tuple(x.version for x in self.lines.to_send(now) if x is not v)
        if v is None:
            return LineView(pending=pending, coproc=self._coproc_line)
        return LineView(
            v.version, v.name, zulu.to_iso(v.effective_utc_ms), v.entered_by, v.call_id,
            pending, self._coproc_line,
        )  # fmt: skip

    def lamp_test(self) -> None:
        """Light each LED in turn (the operator's check of the panel)."""
        panel = self.parts.panel
        loop = self._loop
        run = getattr(panel, "lamp_test", None)
        if run is None or loop is None:
            self.notice("warning", "No LED panel to test.")
            return
        task = loop.create_task(run(max(self.options.lamp_test_s, 0.25)), name="lamp test")
        self._lamp_tests.add(task)
        task.add_done_callback(self._lamp_test_done)

    def _lamp_test_done(self, task: asyncio.Task[None]) -> None:
        self._lamp_tests.discard(task)
        self._publish()

    def alert_event(self, event: AlertEvent) -> asyncio.Future[int] | None:
        """An event for the alert book (from the co-processor link, the operator, the timer).

        The book's records go to the log first; what the operator sees and hears of them (the
        list, the alert LED, the tone, notices) follows once they are committed. Returns the
        commit of the event's last record (the log commits in order), or None if it made none:
        the co-processor link acknowledges an ALERT only then.

        An event that makes no record (the same ALERT again in a new frame) returns the commit
        of the newest alert record still being written: its ACK must not overtake the commit of
        the ALERT it repeats, and the log commits in order (docs/protocol.md 4.2)."""
        if self.stopped:
            return None
        self._emit("event", _describe(event))
        effects = self.alerts.handle(event)
        visible: list[Any] = []
        last_commit: asyncio.Future[int] | None = None
        sink = self.parts.records
        for effect in effects:
            if isinstance(effect, RECORD_TYPES):
                if sink is not None:
                    last_commit = sink.record_alert(effect) or last_commit
            else:
                visible.append(effect)
        views = self.alerts.views(self.options.alerts_shown)
        level = self.alerts.highest_open_severity()
        if last_commit is None:
            self._show_alerts(visible, views, level)
            earlier = self._alert_commit
            self._reschedule()
            return earlier if earlier is not None and not earlier.done() else None
        self._alert_commit = last_commit
        last_commit.add_done_callback(lambda _f: self._show_alerts(visible, views, level))
        self._reschedule()
        return last_commit

    def _show_alerts(
        self, effects: list[Any], views: tuple[AlertView, ...], level: str | None
    ) -> None:
        if self.stopped:  # committed (or failed) after the desk stopped: nothing to show
            return
        tones = self.parts.tones
        for effect in effects:
            self._emit("effect", _describe(effect))
            if isinstance(effect, AlertTone):
                if tones is not None:
                    if effect.previous and effect.previous != effect.name:
                        tones.stop(effect.previous)
                    if effect.name:
                        tones.play(effect.name)
            elif isinstance(effect, Notice):
                self._notice(effect)
        self._alert_views = views
        self._alert_level = level
        self._publish()

    def notice(self, level: str, text: str) -> None:
        """A line for the console from an adapter (level: info, warning or error)."""
        lvl: Any = level if level in ("info", "warning", "error") else "error"
        self._notice(Notice(lvl, text))
        self._publish()

    def set_calls_today(self, calls: tuple[CallSummary, ...]) -> None:
        """Today's calls as committed to the log (newest first)."""
        self._calls_today = calls
        self._publish()

    def set_operator(self, operator: str) -> None:
        """The operator on duty signs on."""
        self.operator = operator
        self._notice(Notice("info", f"Operator {operator} on duty."))
        self._publish()

    # --- the core ---

    def feed(self, event: events.Event) -> list[Effect]:
        """Run one event through the core and carry out its effects."""
        if self.stopped and not isinstance(event, events.Shutdown):
            return []
        self._emit("event", _describe(event))
        if isinstance(event, events.PttPressed | events.Shutdown):
            self._stop_recall(event.at)  # PTT stops a recall at once, then keys as normal
        effects = self.core.handle(event)
        for effect in effects:
            self._carry_out(effect)
        self._reschedule()
        self._publish()
        return effects

    def _carry_out(self, effect: Effect) -> None:
        self._emit("effect", _describe(effect))
        parts = self.parts
        match effect:
            case SendBridge(command=command, reason=reason):
                if parts.bridge is not None:
                    parts.bridge.send_command(command, reason)
            case PlayTone(name=name):
                if parts.tones is not None:
                    parts.tones.play(name)
            case StopTone(name=name):
                if parts.tones is not None:
                    parts.tones.stop(name)
            case Notice():
                self._notice(effect)
            case (
                CallStarted() | CallAnswered() | TransmissionStarted() | TransmissionEnded()
                | CallEnded()
            ):
                if isinstance(effect, CallStarted):
                    self.last_call_id = effect.call_id
                    self._stop_recall(self.clock())  # a new call's ring must be heard
                self._record(effect)

    def _record(self, effect: Effect) -> None:
        sink = self.parts.records
        if sink is None:
            return
        result = sink.record_effect(effect, self.operator)
        if result is not None:
            self._pending_records.add(result)
            result.add_done_callback(self._pending_records.discard)

    def _emit(self, kind: str, item: dict[str, Any]) -> None:
        if self.parts.records is not None:
            self.parts.records.journal(kind, item)
        for listener in self._event_listeners:
            listener(kind, item)

    def _notice(self, notice: Notice) -> None:
        self._notices.append(NoticeLine(utc_stamp(), notice.level, notice.text))
        log.log(
            {"info": logging.INFO, "warning": logging.WARNING}.get(notice.level, logging.ERROR),
            notice.text,
        )

    def _reschedule(self) -> None:
        loop = self._loop
        if loop is None or self.stopped:
            return
        deadlines = [
            d
            for d in (
                self.core.next_deadline(),
                self._debounce.next_deadline(),
                self.alerts.next_deadline(),
            )
            if d is not None
        ]
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadlines:
            delay = max(0.0, min(deadlines) - self.clock())
            self._timer = loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self.clock()
        self._feed_ptt(self._debounce.poll(now))
        self.feed(events.Tick(now))
        deadline = self.alerts.next_deadline()
        if deadline is not None and deadline <= now:
            self.alert_event(AlertTick(now, utc_ms()))

    # --- output to fronts ---

    def links(self) -> dict[str, bool]:
        """Health of each link, for display."""
        bridge = self.parts.bridge
        links = {"radio": bool(bridge is not None and bridge.is_up)}
        for name, is_up in self.parts.extra_links.items():
            links[name] = is_up()
        links["log"] = "log" not in self._faults
        links["gpio"] = "gpio" not in self._faults
        return links

    def health(self, links: dict[str, bool]) -> tuple[LinkHealth, ...]:
        """One entry per link: up or down, last heard, and what is wrong."""
        out = []
        for name, up in links.items():
            source = self.parts.health.get(name)
            item = source() if source is not None else LinkHealth(name, up)
            fault = self._faults.get(name)
            if fault is not None:
                item = dataclasses.replace(item, up=False, detail=fault)
            out.append(item)
        return tuple(out)

    def _make_snapshot(self) -> DeskSnapshot:
        state = self.core.state
        links = self.links()
        links_down = not all(links.values()) or bool(set(self._faults) - {"clock"})
        leds = led_patterns(
            state,
            links_down=links_down,
            alert_level=self._alert_level,
            clock_fault="clock" in self._faults,
        )
        return DeskSnapshot(
            call=state,
            display=state.display_state(),
            links=links,
            leds=leds,
            operator=self.operator,
            notices=tuple(self._notices),
            faults=tuple(f"{k}: {v}" for k, v in self._faults.items()),
            calls_today=self._calls_today,
            health=self.health(links),
            alerts=self._alert_views,
            line=self._line_points(),
            line_view=self.line_view(),
            log_head=self.log_head(),
            recall=self._recall_view(),
            clock=self.clock_watch.view if self._clock_read else None,
        )

    def _line_points(self) -> tuple[tuple[float, float], ...]:
        """The line drawn on the picture: the version in force (the configured one if none)."""
        v = self.lines.in_force(utc_ms())
        return v.points if v is not None else self._line

    def _recall_view(self) -> RecallView:
        audio = self.parts.recall
        return self.recall.view(audio.source() if audio is not None else None, self.clock())

    def _publish(self) -> None:
        self.snapshot = self._make_snapshot()
        panel = self.parts.panel
        if panel is not None:
            try:
                panel.show(self.snapshot.leds)
            except Exception as exc:  # the pin backend failed: treat as a fault, fail safe
                log.error("GPIO failure: %s", exc)
                self.parts.panel = None
                self._faults["gpio"] = f"GPIO failure: {exc}"
                self.fail_safe("GPIO failure")
        for listener in self._listeners:
            listener(self.snapshot)

    def refresh(self) -> None:
        """Publish again (after a link or fault changed outside an event)."""
        self._publish()

    # --- stopping ---

    def fail_safe(self, reason: str) -> None:
        """The one exit path: shut the core down (UNKEY first) and write UNKEY out now."""
        if self.stopped:
            return
        self.stopped = True
        if self._timer is not None:
            self._timer.cancel()
        self.feed(events.Shutdown(self.clock(), reason))
        bridge = self.parts.bridge
        if bridge is not None:
            try:
                bridge.fail_safe_unkey("EXIT", self.options.unkey_drain_s)
            except Exception as exc:  # keep going: the bridge's keepalive expiry is the backstop
                log.error("could not write UNKEY on exit: %s", exc)

    async def drain_records(self, timeout_s: float = 2.0) -> None:
        """Wait for the call records already handed to the log to be committed."""
        pending = list(self._pending_records)
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)

    def close(self) -> None:
        """Release the panel (after `fail_safe`), ending a lamp test the operator started."""
        for task in self._lamp_tests:
            task.cancel()
        panel = self.parts.panel
        self.parts.panel = None
        if panel is not None:
            panel.close()
