"""The co-processor link: the wire session over a serial port, in terms of alert-book events.

Mirrors the radio-bridge link (hw/radio.py): the session drops link-level duplicates; this
adapter turns what is left into `AlertReceived` and `AlertCleared` events (stamped with the loop's
monotonic time and the Zulu time of arrival) and reports the link going up (with the
co-processor's boot id) or down as `CoprocStatus`. An ALERT or CLEAR is acknowledged only when
the handler's future (its records' commit) is done, so one the terminal dies before committing is
resent by the co-processor, never lost. The terminal sends nothing here but HELLO, ACK and
heartbeats. A vanished device is reported at once and the port reopened with back-off.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from hw.serialport import SerialPort
from hw.wire.messages import Alert, Clear, Message, Role, TrackState, random_boot_id
from hw.wire.session import (
    LinkDown,
    LinkSession,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
    Refused,
    SendFailed,
)
from terminal.config import LinkConfig
from terminal.core.alerts import AlertCleared, AlertReceived, CoprocStatus, Severity
from terminal.kernel.report import Member
from terminal.log import zulu

log = logging.getLogger(__name__)

NoticeCallback = Callable[[str, str], None]


def wall_ms() -> int:
    """Now, in milliseconds since the epoch (the Zulu time stamped on arrivals)."""
    return zulu.now_ms()


def member(track: TrackState) -> Member:
    """A pair member of the alert book from the wire's track state."""
    return Member(
        track.id, track.lat, track.lon, float(track.alt_ft), track.vn_ms, track.ve_ms, track.vu_ms
    )


def alert_event(msg: Alert, boot_id: str, at: float, utc_ms: int) -> AlertReceived:
    """The alert-book event for an ALERT from co-processor boot ``boot_id``."""
    severity: Severity = msg.severity.value.lower()  # type: ignore[assignment]
    computed = round(msg.computed_at.timestamp() * 1000)
    return AlertReceived(
        at, utc_ms, boot_id.upper(), msg.alert_seq, msg.pair_id, msg.kind.value, severity,
        computed, member(msg.a), member(msg.b), msg.hsep_m, float(msg.vsep_ft), msg.tcpa_s,
        msg.miss_m,
    )  # fmt: skip


class CoprocLink:
    """The terminal end of the co-processor link, on the running asyncio loop."""

    def __init__(
        self,
        cfg: LinkConfig,
        *,
        on_alert: Callable[[AlertReceived], asyncio.Future[Any] | None],
        on_clear: Callable[[AlertCleared], asyncio.Future[Any] | None],
        on_link: Callable[[CoprocStatus], object],
        on_notice: NoticeCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
        utc_ms: Callable[[], int] = wall_ms,
        name: str = "hotline-terminal",
        port: str | None = None,
    ) -> None:
        self.cfg = cfg
        self._clock = clock
        self._utc_ms = utc_ms
        self._on_alert = on_alert
        self._on_clear = on_clear
        self._on_link = on_link
        self._on_notice = on_notice
        self.session = LinkSession(
            Role.TERMINAL,
            name,
            random_boot_id(),
            heartbeat_s=cfg.heartbeat_s,
            link_timeout_s=cfg.link_timeout_s,
            ack_timeout_s=cfg.ack_timeout_s,
            max_retries=cfg.max_retries,
            peer_roles={Role.COPROC},
            deferred_acks=(Alert, Clear),
        )
        self.port = SerialPort(
            port or cfg.port,
            cfg.baud,
            on_data=self._data,
            on_state=self._port_state,
            reopen_min_s=cfg.reopen_min_s,
            reopen_max_s=cfg.reopen_max_s,
        )
        self.is_up = False
        self.peer_name = ""
        self.peer_boot_id = ""
        self.last_heard: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    async def run(self) -> None:
        """Keep the link: open the port, reopen after loss; returns after `stop`."""
        await self.port.run()

    def stop(self) -> None:
        """Close the port."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.port.stop()

    # --- the port and the session ---

    def _data(self, data: bytes) -> None:
        now = self._clock()
        for event in self.session.receive(data, now):
            self._session_event(event, now)
        self._pump(now)

    def _port_state(self, is_open: bool, reason: str) -> None:
        now = self._clock()
        if is_open:
            for event in self.session.reset(now):
                self._session_event(event, now)
            self._pump(now)
            return
        self.port.discard_pending()
        self._set_up(False, f"co-processor port closed: {reason}", now)

    def _set_up(self, up: bool, reason: str, now: float) -> None:
        if up == self.is_up:
            return
        self.is_up = up
        self._on_link(CoprocStatus(now, self._utc_ms(), up, self.peer_boot_id, reason))

    def _message(self, msg: Message, now: float, ack_ref: tuple[int, int] | None) -> None:
        self.last_heard = now
        safe: asyncio.Future[Any] | None = None
        match msg:
            case Alert():
                safe = self._on_alert(alert_event(msg, self.peer_boot_id, now, self._utc_ms()))
            case Clear(pair_id=pair_id):
                safe = self._on_clear(
                    AlertCleared(now, self._utc_ms(), self.peer_boot_id, pair_id)
                )
        if ack_ref is None:
            return
        if safe is None:
            self._acknowledge(ack_ref)
        else:
            safe.add_done_callback(lambda fut: self._acknowledge(ack_ref, fut))

    def _acknowledge(
        self, ack_ref: tuple[int, int], committed: asyncio.Future[Any] | None = None
    ) -> None:
        """ACK once the records are committed (a cancelled commit: not ACKed, so resent)."""
        if committed is not None and committed.cancelled():
            return
        now = self._clock()
        if self.session.acknowledge(ack_ref, now):
            self._pump(now)

    def _session_event(self, event: object, now: float) -> None:
        match event:
            case MessageReceived(msg=msg, ack_ref=ack_ref):
                self._message(msg, now, ack_ref)
            case PeerHello(hello=hello):
                self.peer_name = hello.name
                restarted = hello.boot_id.upper() != self.peer_boot_id
                self.peer_boot_id = hello.boot_id.upper()
                if restarted and self.is_up:  # restarted within the link timeout: say so
                    self._on_link(CoprocStatus(now, self._utc_ms(), True, self.peer_boot_id))
            case LinkUp():
                self._set_up(True, "", now)
            case LinkDown(reason=reason):
                self._set_up(False, f"co-processor link down: {reason}", now)
            case Refused(code=code, text=text):
                self._notice("warning", f"Co-processor refused a message: {code} {text}")
            case SendFailed(msg=msg):
                self._notice("error", f"Co-processor did not acknowledge {msg.TYPE}.")
            case ProtocolError(detail=detail):
                log.debug("co-processor link: %s", detail)

    def _notice(self, level: str, text: str) -> None:
        if self._on_notice is not None:
            self._on_notice(level, text)

    def _pump(self, now: float) -> None:
        """Run timers, send what is queued, and arm the timer for the next deadline."""
        for event in self.session.poll(now):
            self._session_event(event, now)
        data = self.session.data_to_send()
        if data and self.port.is_open:
            self.port.write(data)
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.session.next_deadline()
        if deadline is None:
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(max(0.0, deadline - self._clock()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._pump(self._clock())
