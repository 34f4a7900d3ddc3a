"""The headless service: the desk under systemd.

READY=1 once the log is open, the pins are claimed and the links are up or retrying; WATCHDOG=1
from the event loop at half of WATCHDOG_USEC, so a stalled loop stops the pings and systemd
restarts the service; STATUS= with the call state and link health; STOPPING=1 on the way out.
SIGHUP reloads the settings that can change live, validating first and keeping the old ones on
any error. SIGTERM/SIGINT: unkey, end the call record, flush the log, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import replace
from pathlib import Path

from terminal.config import Config, ConfigError, load_config
from terminal.desk import Desk, engine_options
from terminal.link_report import LinkReporter
from terminal.sdnotify import Notifier, watchdog_interval_s
from terminal.snapshot import DeskSnapshot

log = logging.getLogger("hotline.service")

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
    and what went wrong on a serial line since start-up (`radio=up[crc 2 rtx 1]`)."""
    faults = {h.name: h.counters.faults() for h in snap.health if h.counters is not None}
    links = " ".join(
        f"{name}={'up' if up else 'DOWN'}" + (f"[{faults[name]}]" if faults.get(name) else "")
        for name, up in snap.links.items()
    )
    return f"{snap.display} {links}"


def live_settings(old: Config, new: Config) -> tuple[Config, list[str]]:
    """The settings a reload may change (timers, lockout, operator); the rest stays as running,
    with a note for each section that needs a restart."""
    merged = replace(old, call=new.call, ptt=new.ptt, alerts=new.alerts,
                     desk=replace(old.desk, operator=new.desk.operator))
    needs_restart = [
        name for name in ("gpio", "radio", "coproc", "log", "audio", "service", "mqtt")
        if getattr(old, name) != getattr(new, name)
    ]
    if old.desk.id != new.desk.id or old.desk.site != new.desk.site:
        needs_restart.append("desk")
    return merged, needs_restart


class Service:
    """Runs a Desk with the notify protocol and signal handling."""

    def __init__(self, config: Config, config_path: Path, notifier: Notifier | None = None):
        self.config = config
        self.config_path = config_path
        self.notifier = notifier or Notifier()
        self.desk = Desk(config, control_socket=config.service.socket)
        self._last_status = ""
        self._link_reporter = LinkReporter()
        self.reloads = 0
        self.reload_errors = 0

    async def run(self) -> None:
        """Run until SIGTERM or SIGINT."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.desk.engine.subscribe(self._on_snapshot)
        watchdog = None
        interval = watchdog_interval_s()
        try:
            start = loop.create_task(self.desk.run_until(stop))
            while self.desk.radio_started is False and not start.done():
                await asyncio.sleep(0.01)
            if start.done():
                await start
                return
            self.notifier.ready(status_line(self.desk.engine.snapshot))
            log.info("ready")
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
        merged, needs_restart = live_settings(self.config, new)
        self.config = merged
        options = engine_options(merged)
        self.desk.engine.core.reconfigure(options.call)
        self.desk.engine.options = options
        if merged.desk.operator and merged.desk.operator != self.desk.engine.operator:
            self.desk.engine.set_operator(merged.desk.operator)
        self.reloads += 1
        note = f"; restart needed for: {', '.join(needs_restart)}" if needs_restart else ""
        log.info("configuration reloaded%s", note)
        self.desk.engine.notice("info", f"Configuration reloaded{note}.")
