"""The headless service: the desk under systemd.

READY=1 once the log is open, the pins are claimed and the links are up or retrying; WATCHDOG=1
from the event loop at half of WATCHDOG_USEC, so a stalled loop stops the pings and systemd
restarts the service; STATUS= with the call state and link health; STOPPING=1 on the way out.
SIGHUP reloads the settings that can change live (LIVE_SETTINGS), validating first and keeping
the old ones on any error; it names each changed setting it applied and each that needs a restart.
SIGTERM/SIGINT: unkey, end the call record, flush the log, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import os
import signal
import threading
import time
from dataclasses import fields, replace
from pathlib import Path

# Start-up is mostly imports (the desk's: gpiozero, the log, the links; NumPy after READY): they
# create a great many objects and no garbage, so the cyclic collector's passes over them are
# wasted start-up time.
_GC_WAS_ON = gc.isenabled()
gc.disable()
try:
    from terminal.config import Config, ConfigError, load_config
    from terminal.desk import Desk, engine_options
    from terminal.link_report import LinkReporter
    from terminal.realtime import Scheduling, raise_loop_thread, restore_loop_thread
    from terminal.sdnotify import Notifier, watchdog_interval_s
    from terminal.snapshot import DeskSnapshot
finally:
    if _GC_WAS_ON:
        gc.freeze()  # else the collector's first pass walks every object the imports made
        gc.enable()

log = logging.getLogger("hotline.service")

KERNEL_MODULE = "terminal.kernel.report"
"""What the alert book's cross-check needs (and NumPy with it): loaded just after READY."""


def load_kernel_in_background() -> threading.Thread:
    """Import the kernel in a daemon thread, so READY does not wait for NumPy and the first alert
    normally finds it loaded; an alert that comes during the import waits for it on Python's
    import lock inside the cross-check (terminal/kernel/verify.py), so none goes unchecked."""

    def load() -> None:
        # A thread inherits its creator's class: the import is bulk work, not the PTT path, so it
        # runs at the normal class and never holds a core against the rest of the machine.
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        started = time.perf_counter()
        try:
            importlib.import_module(KERNEL_MODULE)
        except Exception as exc:  # the cross-check will import it again and report the fault
            log.error("loading the kernel failed: %s", exc)
            return
        log.info("kernel loaded after READY in %.0f ms", 1000 * (time.perf_counter() - started))

    thread = threading.Thread(target=load, name="kernel-import", daemon=True)
    thread.start()
    return thread

_SYSLOG_PRIORITY = {
    logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    """Prefix each line with its syslog priority, `<3>` for errors ..., which journald reads
    (SyslogLevelPrefix=yes, the default) to set the entry's level."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _SYSLOG_PRIORITY.get(record.levelno, 6 if record.levelno < 30 else 3)
        text = super().format(record)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines() or [""])


def status_line(snap: DeskSnapshot) -> str:
    """The one-line status shown by `systemctl status`: the call state, each link up or DOWN,
    what went wrong on a serial line since start-up (`radio=up[crc 2 rtx 1]`), and after an up
    co-processor its track feed (`coproc=up feed=DOWN`: up, DOWN or unknown)."""
    faults = {h.name: h.counters.faults() for h in snap.health if h.counters is not None}
    feeds = {h.name: h.feed.state for h in snap.health if h.feed is not None and h.up}
    links = " ".join(
        f"{name}={'up' if up else 'DOWN'}" + (f"[{faults[name]}]" if faults.get(name) else "")
        + (f" feed={feeds[name]}" if name in feeds else "")
        for name, up in snap.links.items()
    )
    clock = "" if snap.clock is None else f" clock={clock_word(snap)}"
    return f"{snap.display} {links}{clock}"


def clock_word(snap: DeskSnapshot) -> str:
    """The clock in STATUS: `ok`, `UNSYNCHRONISED`, `ERROR(152.0ms)`, or `unknown`."""
    view = snap.clock
    if view is None or view.status == "unknown":
        return "unknown"
    if view.status == "unsynchronised":
        return "UNSYNCHRONISED"
    if view.status == "error high":
        return f"ERROR({view.est_error_ms:.1f}ms)"
    return "ok" if not view.fault else "ok(recovering)"


LIVE_SETTINGS = frozenset({
    "call.ring_timeout_s", "call.callout_timeout_s", "call.busy_channel_lockout",
    "ptt.tx_timeout_s", "ptt.tx_warning_s", "ptt.keepalive_s", "ptt.bridge_keepalive_timeout_s",
    "alerts.critical_repeat_s", "alerts.suspect_tolerance_pct", "alerts.restart_grace_s",
    "desk.operator",
})
"""The settings a reload applies to the running desk (`section.key`). The keepalive interval
applies from the next KA, the bridge's keepalive time-out from the next KEY (it travels in it);
a new critical-alert repeat from each alert's next reminder. Everything else (the pins, the ports,
the log, audio, the socket, MQTT, the desk's id and site, the deconfliction line) needs a
restart."""


def changed_settings(old: Config, new: Config) -> list[str]:
    """Every `section.key` whose value differs between two configurations."""
    changed = []
    for section in fields(old):
        before, after = getattr(old, section.name), getattr(new, section.name)
        for item in fields(before):
            if getattr(before, item.name) != getattr(after, item.name):
                changed.append(f"{section.name}.{item.name}")
    return changed


def live_settings(old: Config, new: Config) -> tuple[Config, list[str], list[str]]:
    """The running configuration after a reload to `new`: the live settings (LIVE_SETTINGS) as in
    `new`, the rest as running. Also the changed settings applied, and those that need a
    restart."""
    changed = changed_settings(old, new)
    applied = [name for name in changed if name in LIVE_SETTINGS]
    merged = old
    for name in applied:
        section, key = name.split(".")
        merged = replace(
            merged, **{section: replace(getattr(merged, section), **{key: _get(new, name)})}
        )
    return merged, applied, [name for name in changed if name not in LIVE_SETTINGS]


def _get(config: Config, name: str) -> object:
    section, key = name.split(".")
    return getattr(getattr(config, section), key)


class Service:
    """Runs a Desk with the notify protocol and signal handling."""

    def __init__(
        self,
        config: Config,
        config_path: Path,
        notifier: Notifier | None = None,
    ):
        self.config = config
        self.config_path = config_path
        self.notifier = notifier or Notifier()
        self.desk = Desk(config, control_socket=config.service.socket)
        self._last_status = ""
        self._link_reporter = LinkReporter()
        self.reloads = 0
        self.reload_errors = 0
        self.scheduling: Scheduling | None = None
        """The loop thread's class, taken by `run` (after the imports)."""

    async def run(self) -> None:
        """Run until SIGTERM or SIGINT."""
        loop = asyncio.get_running_loop()
        self.scheduling = scheduling = raise_loop_thread()  # this thread moves PTT to the wire
        log.info("%s", scheduling.note)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.desk.engine.subscribe(self._on_snapshot)
        watchdog = None
        interval = watchdog_interval_s()
        try:
            start = loop.create_task(self.desk.run_until(stop))
            started = loop.create_task(self.desk.started_event.wait())
            await asyncio.wait((start, started), return_when=asyncio.FIRST_COMPLETED)
            started.cancel()
            if start.done():
                await start
                return
            self.notifier.ready(status_line(self.desk.engine.snapshot))
            log.info("ready")
            # What start-up built lives as long as the desk: out of the collector's way.
            gc.freeze()
            load_kernel_in_background()
            if interval is not None:
                watchdog = loop.create_task(self._watchdog(interval))
            await start
        finally:
            self.notifier.stopping()
            if watchdog is not None:
                watchdog.cancel()
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGHUP)
            self.notifier.close()
            restore_loop_thread(scheduling)

    async def _watchdog(self, interval: float) -> None:
        while True:
            self.notifier.watchdog()
            await asyncio.sleep(interval)

    def _on_snapshot(self, snap: DeskSnapshot) -> None:
        line = status_line(snap)
        if line != self._last_status:
            self._last_status = line
            self.notifier.status(line)
        for report in self._link_reporter.lines(snap.health, time.monotonic()):
            log.warning("%s", report)

    def reload(self) -> None:
        """SIGHUP: validate the file again; apply what can change live; keep all on error."""
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            self.reload_errors += 1
            log.error("reload refused, keeping the running settings:\n%s", exc)
            self.desk.engine.notice("error", "Configuration reload refused: see the journal.")
            return
        merged, applied, needs_restart = live_settings(self.config, new)
        self.config = merged
        self.apply(merged)
        self.reloads += 1
        if not applied and not needs_restart:
            text = "configuration reloaded: nothing changed"
        else:
            parts = []
            if applied:
                parts.append(f"applied: {', '.join(applied)}")
            if needs_restart:
                parts.append(
                    f"NOT applied, these need a restart (systemctl restart hotline-terminal): "
                    f"{', '.join(needs_restart)}"
                )
            text = f"configuration reloaded; {'; '.join(parts)}"
        (log.warning if needs_restart else log.info)("%s", text)
        self.desk.engine.notice("warning" if needs_restart else "info", text[0].upper() + text[1:])

    def apply(self, config: Config) -> None:
        """Give the running desk the live settings of `config`."""
        engine = self.desk.engine
        options = engine_options(config)
        # The line is not a live setting: keep the one the desk runs with.
        options.alerts = replace(options.alerts, line=engine.alerts.settings.line)
        engine.core.reconfigure(options.call)
        engine.options = options
        engine.alerts.settings = options.alerts
        radio = getattr(self.desk, "radio", None)
        if radio is not None:  # read at each KA and each KEY
            radio.keepalive_s = config.ptt.keepalive_s
            radio.bridge_keepalive_ms = round(config.ptt.bridge_keepalive_timeout_s * 1000)
        if config.desk.operator and config.desk.operator != engine.operator:
            engine.set_operator(config.desk.operator)
