"""The desk: the engine with its adapters, built from the configuration, run until told to stop.

All three fronts (console, service, bench) run a Desk. Start-up order: configuration (validated
before this module is reached), the log, the pins, then the links; every exit path — a normal stop,
an exception, SIGTERM/SIGINT, a GPIO failure — goes through `Engine.fail_safe`, which writes UNKEY
to the bridge before anything is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hw.audio import DeskAudio, open_audio
from hw.clock import KernelClock
from hw.coproc import CoprocLink
from hw.gpio import DeskPanel, PanelPins, close_factory, make_pin_factory
from hw.radio import RadioLink
from hw.rig.link import RigctldLink
from terminal.attach.server import DeskControl
from terminal.config import Config
from terminal.config.rules import parse_line_points
from terminal.control import ControlServer
from terminal.core.alerts import AlertSettings
from terminal.core.calls import CallSettings
from terminal.core.clock_trust import ClockSource
from terminal.core.lines import LineHistory, LineVersion
from terminal.desk_records import DeskRecords, open_alerts
from terminal.engine import Engine, EngineOptions
from terminal.kernel.line_shape import Line
from terminal.line_log import entry_of, read_history
from terminal.log import DB_NAME, LogError, LogWriter
from terminal.log.checkpoint import Checkpointer
from terminal.zulu import now_ms

if TYPE_CHECKING:  # the MQTT client is imported only by a desk that publishes
    from terminal.mqtt.publisher import Publisher

log = logging.getLogger(__name__)


def engine_options(config: Config) -> EngineOptions:
    """The engine's settings from the configuration."""
    return EngineOptions(
        call=CallSettings(
            ring_timeout_s=config.call.ring_timeout_s,
            callout_timeout_s=config.call.callout_timeout_s,
            busy_channel_lockout=config.call.busy_channel_lockout,
            tx_timeout_s=config.ptt.tx_timeout_s,
            tx_warning_s=config.ptt.tx_warning_s,
            open_channel=config.radio.backend == "rigctld",
        ),
        bounce_s=config.gpio.ptt_bounce_ms / 1000.0,
        operator=config.desk.operator,
        lamp_test_s=config.gpio.lamp_test_ms / 1000.0,
        alerts=AlertSettings(
            critical_repeat_s=config.alerts.critical_repeat_s,
            suspect_tolerance_pct=config.alerts.suspect_tolerance_pct,
            restart_grace_s=config.alerts.restart_grace_s,
            line=configured_line(config),
        ),
        clock_max_error_ms=config.clock.max_error_ms,
    )


def configured_line(config: Config) -> Line | None:
    """The deconfliction line of `[alerts]`, or None when none is configured."""
    points = parse_line_points(config.alerts.line_points)
    return Line(config.alerts.line_id, points) if points else None


def panel_pins(config: Config) -> PanelPins:
    """The panel's pins from the configuration."""
    g = config.gpio
    return PanelPins(
        ptt=g.ptt_pin,
        ring=g.ring_led_pin,
        tx=g.tx_led_pin,
        alert=g.alert_led_pin,
        fault=g.fault_led_pin,
        ptt_pull_up=g.ptt_pull_up,
        led_active_high=g.led_active_high,
    )


@dataclass
class Desk:
    """One desk's engine and adapters."""

    config: Config
    radio_port: str | None = None
    coproc_port: str | None = None
    line: Line | None = None
    pin_factory: Any = None
    control_socket: Path | None = None
    clock_source: ClockSource | None = None
    """Where the clock's synchronisation is read (the kernel's adjtimex unless given)."""
    engine: Engine = field(init=False)
    radio: RadioLink | RigctldLink = field(init=False)
    panel: DeskPanel | None = field(init=False, default=None)
    control: DeskControl | None = field(init=False, default=None)
    writer: LogWriter | None = field(init=False, default=None)
    records: DeskRecords | None = field(init=False, default=None)
    audio: DeskAudio | None = field(init=False, default=None)
    started: bool = field(init=False, default=False)
    """Start-up is over: the log open, the pins claimed, every link up or retrying (READY)."""
    started_event: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    """Set with `started`, for a waiter (the service's READY) to wake at once."""
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)
    _on_close: list[Callable[[], None]] = field(init=False, default_factory=list)

    coproc: CoprocLink | None = field(init=False, default=None)
    mqtt: Publisher | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        options = engine_options(self.config)
        if self.line is not None:
            options.alerts = replace(options.alerts, line=self.line)
        self.engine = Engine(options)

    async def start(self) -> None:
        """Open the log, claim the pins, open the links, run the lamp test. Raises on a log or
        GPIO failure (before anything is keyed)."""
        loop = asyncio.get_running_loop()
        self.engine.bind_loop(loop)
        self.engine.clock = loop.time
        self._open_log(loop)
        self._load_lines()
        self._open_audio(loop)
        self._restore_open_alerts(loop)  # after the audio: an unacknowledged one sounds its tone
        if self.pin_factory is None:
            self.pin_factory = make_pin_factory(self.config.gpio.pin_factory)
        self.panel = DeskPanel(
            panel_pins(self.config),
            self.pin_factory,
            self.engine.ptt_edge_threadsafe,
            clock=loop.time,
        )
        self.radio = self._radio_link(loop)
        self.engine.attach(bridge=self.radio, panel=self.panel)
        self.engine.add_health("radio", self.radio.health)
        self._tasks.append(loop.create_task(self._refresh_health(), name="health"))
        self._tasks.append(loop.create_task(self._watch_clock(), name="clock"))
        self._tasks.append(loop.create_task(self.radio.run(), name="radio-link"))
        if self.config.coproc.enabled:
            self.coproc = CoprocLink(
                self.config.coproc,
                on_alert=self.engine.alert_event,
                on_clear=self.engine.alert_event,
                on_link=self.engine.alert_event,
                on_notice=self._notice,
                clock=loop.time,
                name=f"{self.config.desk.site}/{self.config.desk.id}",
                port=self.coproc_port,
                lines_wanted=lambda: self.engine.lines.to_send(now_ms()),
                on_line=self.engine.coproc_line,
            )
            coproc = self.coproc
            self.engine.add_link("coproc", lambda: coproc.is_up)
            self.engine.add_health("coproc", coproc.health)
            self._tasks.append(loop.create_task(coproc.run(), name="coproc-link"))
        if self.config.mqtt.enabled:
            self._start_mqtt(loop)
        if self.control_socket is not None:
            socket_path = self.control_socket
            service = self.config.service
            self.control = DeskControl(
                self.engine,
                self._force_unkey,
                lambda handlers, gone: ControlServer(
                    socket_path, handlers, mode=service.socket_mode, group=service.socket_group,
                    on_disconnect=gone,
                ),
            )
            await self.control.server.start()
        # The lamp test runs beside start-up: the desk is ready (and rings) while it lights up.
        self._tasks.append(
            loop.create_task(self.panel.lamp_test(self.engine.options.lamp_test_s), name="lamps")
        )
        self.engine.refresh()
        self.started = True
        self.started_event.set()

    def _radio_link(self, loop: asyncio.AbstractEventLoop) -> RadioLink | RigctldLink:
        """The radio bridge over its port, or a plain radio through rigctld (`[radio] backend`)."""
        if self.config.radio.backend == "rigctld":
            return RigctldLink(
                self.config.radio,
                on_event=self.engine.bridge_event,
                on_notice=self._notice,
                on_fault=self.engine.set_fault,
                clock=loop.time,
            )
        return RadioLink(
            self.config.radio,
            keepalive_s=self.config.ptt.keepalive_s,
            bridge_keepalive_ms=round(self.config.ptt.bridge_keepalive_timeout_s * 1000),
            on_event=self.engine.bridge_event,
            on_notice=self._notice,
            clock=loop.time,
            name=f"{self.config.desk.site}/{self.config.desk.id}",
            port=self.radio_port,
        )

    async def _refresh_health(self) -> None:
        """Publish once a second, so "last heard" and the timers on the console stay current."""
        while True:
            await asyncio.sleep(1.0)
            self.engine.refresh()

    async def _watch_clock(self) -> None:
        """Read the clock's synchronisation every `[clock] poll_s` (a syscall: never blocks)."""
        source = self.clock_source if self.clock_source is not None else KernelClock()
        while True:
            self.engine.clock_reading(source.read())
            await asyncio.sleep(self.config.clock.poll_s)

    def _start_mqtt(self, loop: asyncio.AbstractEventLoop) -> None:
        """The optional MQTT publisher: every call and alert record, store-and-forward from the
        log (docs/mqtt.md). The desk works the same with the broker away."""
        from terminal.mqtt.publisher import Publisher

        assert self.writer is not None
        desk = self.config.desk
        self.mqtt = Publisher(
            self.config.mqtt, desk.site, desk.id, self.writer, on_change=self.engine.refresh
        )
        mqtt = self.mqtt
        self.engine.add_link("mqtt", lambda: mqtt.is_up)
        self.engine.add_health("mqtt", mqtt.health)
        self.engine.subscribe(mqtt.desk_changed)
        self._tasks.append(loop.create_task(mqtt.run(), name="mqtt"))

    def _force_unkey(self) -> bool:
        if not self.radio.is_up:
            return False
        self.radio.force_unkey()
        return True

    def _open_log(self, loop: asyncio.AbstractEventLoop) -> None:
        directory = self.config.log.directory
        directory.mkdir(parents=True, exist_ok=True)

        def on_fault(text: str | None) -> None:  # the writer's thread
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.engine.set_fault, "log", text)

        self.writer = LogWriter.open(
            directory / DB_NAME,
            group_commit_ms=self.config.log.group_commit_ms,
            on_fault=on_fault,
            checkpoints=self._checkpoints(),
        )
        writer = self.writer
        self.engine.log_head = lambda: writer.head_fingerprint
        self.records = DeskRecords(self.writer, self.engine.set_calls_today)
        self.records.bind_loop(loop)
        self.engine.attach(records=self.records)
        self.engine.parts.note = self.records.note
        self.engine.parts.clock_record = self.records.record_clock
        self.records.refresh_calls()

    def _load_lines(self) -> None:
        """The line's versions from the log; the configured line becomes a version when it is
        new (docs/log.md `line_version`). New versions are recorded and offered to the
        co-processor as they are entered."""
        assert self.writer is not None and self.records is not None
        desk = f"{self.config.desk.site}/{self.config.desk.id}"
        self.engine.desk_name = desk
        self.engine.log_call_id = self.records.log_call_id
        self.engine.parts.line_sink = self._line_entered
        try:
            history = read_history(self.writer.path)
        except (LogError, ValueError) as exc:
            self.engine.notice("warning", f"Line versions not read from the log: {exc}")
            history = LineHistory()
        line = self.engine.options.alerts.line
        if line is not None:
            first = history.config_version(line.id, tuple(line.points), now_ms(), desk)
            if first is not None:
                history.add(first)
                self._record_line(first)
        self.engine.use_lines(history)

    def _line_entered(self, version: LineVersion) -> None:
        self._record_line(version)
        if self.coproc is not None:
            self.coproc.offer_lines()

    def _record_line(self, version: LineVersion) -> None:
        assert self.writer is not None
        try:
            self.writer.submit(*entry_of(version), utc_ms=version.entered_utc_ms)
        except LogError as exc:
            self.engine.notice("error", f"Line v{version.version} not recorded: {exc}")

    def _restore_open_alerts(self, loop: asyncio.AbstractEventLoop) -> None:
        """Alerts the log holds open from the last run go back into the book before the
        co-processor link starts: its re-sends are then repeats, its CLEARs close them."""
        assert self.writer is not None
        try:
            event, bad = open_alerts(self.writer.path, loop.time(), now_ms())
        except LogError as exc:
            self.engine.notice("warning", f"Open alerts not restored from the log: {exc}")
            return
        if bad:
            self.engine.notice("warning", f"{bad} open alert(s) in the log could not be read back.")
        if event.alerts:
            self.engine.alert_event(event)

    def _checkpoints(self) -> Checkpointer | None:
        """The signer of the log's checkpoints (docs/record.md); None: the desk runs unsigned.
        Raises KeyFileError (a LogError) for an unusable key, before any hardware is touched."""
        cfg = self.config.log
        if cfg.checkpoint_key is None:
            return None
        desk = f"{self.config.desk.site}/{self.config.desk.id}"
        return Checkpointer.from_file(
            cfg.checkpoint_key, every_records=cfg.checkpoint_records, every_s=cfg.checkpoint_s,
            desk=desk,
        )  # fmt: skip

    def _open_audio(self, loop: asyncio.AbstractEventLoop) -> None:
        """Tones and recording; with no device the desk runs on and says so (audio fault)."""

        def on_fault(text: str | None) -> None:  # the audio supervisor's thread
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.engine.set_fault, "audio", text)

        self.audio = open_audio(self.config.audio, self.config.log.directory, on_fault)
        if self.audio.notice:
            self.engine.notice("info", self.audio.notice)
        for info in self.audio.start():
            self.engine.notice("warning", f"Recording {info.path.name} was cut short; mended.")
        self.engine.attach(tones=self.audio.player, recall=self.audio.recall)
        self.engine.on_event(self.audio.calls)
        records = self.records
        if records is not None:
            self.audio.calls.on_finished = lambda cid, info: records.recording(cid, info.path)
        audio = self.audio
        if audio.host is not None:
            self.engine.add_link("audio", lambda: audio.ok)

    def on_close(self, hook: Callable[[], None]) -> None:
        """Run `hook` after the desk has stopped (close simulators, temp files)."""
        self._on_close.append(hook)

    def _notice(self, level: str, text: str) -> None:
        self.engine.notice(level, text)

    async def shutdown(self, reason: str, settle_s: float = 0.5) -> None:
        """Fail safe, give the bridge up to `settle_s` to acknowledge the last commands (the
        HANGUP of an open call), then close everything."""
        self.engine.fail_safe(reason)
        with contextlib.suppress(AttributeError):
            await self.radio.settle(settle_s)
        if self.mqtt is not None:
            await self.mqtt.stop(timeout_s=settle_s)
        self.stop(reason)

    def stop(self, reason: str) -> None:
        """Fail safe (UNKEY written out), then close links and pins. Safe to call twice."""
        self.engine.fail_safe(reason)
        if self.control is not None:
            self.control.server.close()
            self.control = None
        with contextlib.suppress(AttributeError):
            self.radio.stop()
        if self.coproc is not None:
            self.coproc.stop()
        for task in self._tasks:
            task.cancel()
        self.engine.close()
        if self.audio is not None:
            self.audio.close()
            self.audio = None
        if self.mqtt is not None:
            self.mqtt.save_on_close()
        if self.records is not None:
            self.records.close()
        if self.writer is not None:
            if not self.writer.close(timeout=5.0):
                log.error("the log did not flush within 5 s; records may be waiting in the queue")
            self.writer = None
        if self.pin_factory is not None:
            close_factory(self.pin_factory)
            self.pin_factory = None
        for hook in self._on_close:
            hook()
        self._on_close.clear()

    async def run_until(self, stop: asyncio.Event) -> None:
        """Start, run until `stop` is set or a signal arrives; always fail safe on the way out."""
        loop = asyncio.get_running_loop()
        reason = "stop"

        def on_signal(name: str) -> None:
            nonlocal reason
            reason = name
            stop.set()

        def on_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            nonlocal reason
            log.error("fault in the event loop: %s", context.get("exception") or context)
            reason = f"exception: {context.get('exception')!r}"
            self.engine.fail_safe(reason)
            stop.set()

        loop.set_exception_handler(on_loop_exception)
        installed: list[signal.Signals] = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, on_signal, sig.name)
                installed.append(sig)
        try:
            await self.start()
            await stop.wait()
        except BaseException as exc:
            reason = f"exception: {exc!r}"
            raise
        finally:
            await self.shutdown(reason)
            for sig in installed:
                loop.remove_signal_handler(sig)
            loop.set_exception_handler(None)
