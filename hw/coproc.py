"""The co-processor link: the wire session over a serial port, in terms of alert-book events.

Mirrors the radio-bridge link (hw/radio.py): the session drops link-level duplicates; this
adapter turns what is left into `AlertReceived` and `AlertCleared` events (stamped with the loop's
monotonic time and the Zulu time of arrival) and reports the link going up (with the
co-processor's boot id) or down as `CoprocStatus`. An ALERT or CLEAR is acknowledged only when
the handler's future (its records' commit) is done, so one the terminal dies before committing is
resent by the co-processor, never lost. The terminal sends nothing here but HELLO, ACK and
heartbeats. A vanished device is reported at once and the port reopened with back-off (hw/link.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from hw.link import SerialLink
from hw.wire.messages import Alert, Clear, Message, Role, TrackState
from hw.wire.session import (
    LinkDown,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
    Refused,
    SendFailed,
)
from terminal import zulu
from terminal.config import LinkConfig
from terminal.core.alert_events import AlertCleared, AlertReceived, CoprocStatus, Severity
from terminal.kernel.report import Member

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


class CoprocLink(SerialLink):
    """The terminal end of the co-processor link, on the running asyncio loop."""

    peer_role = Role.COPROC
    kind = "coproc"
    label = "co-processor"

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
        super().__init__(cfg, clock=clock, name=name, port=port, deferred_acks=(Alert, Clear))
        self._utc_ms = utc_ms
        self._on_alert = on_alert
        self._on_clear = on_clear
        self._on_link = on_link
        self._on_notice = on_notice
        self.peer_boot_id = ""

    def _link_changed(self, up: bool, reason: str, now: float) -> None:
        self._on_link(CoprocStatus(now, self._utc_ms(), up, self.peer_boot_id, reason))

    def _message(self, msg: Message, now: float, ack_ref: tuple[int, int] | None) -> None:
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
