"""The co-processor link: the wire session over a serial port, in terms of alert-book events.

Mirrors the radio-bridge link (hw/radio.py): the session drops link-level duplicates; this
adapter turns what is left into `AlertReceived` and `AlertCleared` events (stamped with the loop's
monotonic time and the Zulu time of arrival) and reports the link going up (with the
co-processor's boot id) or down as `CoprocStatus`. An ALERT or CLEAR is acknowledged only when
the handler's future (its records' commit) is done, so one the terminal dies before committing is
resent by the co-processor, never lost. The terminal sends nothing here but HELLO, ACK and
heartbeats. A vanished device is reported at once and the port reopened with back-off (hw/link.py).

The co-processor's FEED messages (its track feed's health, docs/protocol.md 7.8-7.10) are kept and
shown in the link's health as a `FeedView`: up or DOWN as last reported, unknown before the first
one, when none has come for `FEED_STALE_S`, or while the link is down. A feed going DOWN (and
coming back) is also a notice for the operator. A co-processor that sends no FEED works as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hw.link import SerialLink
from hw.wire.messages import Alert, Clear, Feed, Message, Role, TrackState
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
from terminal.views import FeedView, LinkHealth

log = logging.getLogger(__name__)

FEED_STALE_S = 15.0
"""No FEED for this long: the feed's health is unknown again (three of the 5 s periods, 7.10)."""

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
        msg.miss_m, msg.line_version,
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
        self._feed: tuple[Feed, float] | None = None
        self.feeds_in = 0

    def feed_view(self, now: float) -> FeedView:
        """The co-processor's track feed at ``now`` as it last reported it (7.10)."""
        if self._feed is None or not self.is_up or now - self._feed[1] > FEED_STALE_S:
            return FeedView("unknown")
        msg, at = self._feed
        age = None if msg.age_ms < 0 else msg.age_ms / 1000 + max(0.0, now - at)
        return FeedView(
            "up" if msg.connected else "DOWN", msg.kind, msg.source, age, msg.rate, msg.tracks,
            msg.decode_errors, msg.error,
        )  # fmt: skip

    def health(self) -> LinkHealth:
        """The serial link's health, with the co-processor's track feed."""
        return replace(super().health(), feed=self.feed_view(self._clock()))

    def _feed_report(self, msg: Feed, now: float) -> None:
        """A FEED: kept; a feed going DOWN, or back up, is told to the operator."""
        self.feeds_in += 1
        was = self._feed[0].connected if self._feed is not None else None
        self._feed = (msg, now)
        if was is not False and not msg.connected:
            why = f": {msg.error}" if msg.error else ""
            self._notice("warning", f"Co-processor's track feed {msg.source} is DOWN{why}.")
        elif was is False and msg.connected:
            self._notice("info", f"Co-processor's track feed {msg.source} is up again.")

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
            case Feed():
                self._feed_report(msg, now)
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
                if restarted:
                    self._feed = None  # a new boot reports its feed afresh
                if restarted and self.is_up:  # restarted within the link timeout: say so
                    self._on_link(CoprocStatus(now, self._utc_ms(), True, self.peer_boot_id))
            case LinkUp():
                self._set_up(True, "", now)
            case LinkDown(reason=reason):
                self._feed = None
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
