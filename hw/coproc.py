"""The co-processor link: the wire session over a serial port, in terms of alert-book events.

Mirrors the radio-bridge link (hw/radio.py): the session drops link-level duplicates; this
adapter turns what is left into `AlertReceived` and `AlertCleared` events (stamped with the loop's
monotonic time and the Zulu time of arrival) and reports the link going up (with the
co-processor's boot id) or down as `CoprocStatus`. An ALERT or CLEAR is acknowledged only when
the handler's future (its records' commit) is done, so one the terminal dies before committing is
resent by the co-processor, never lost. The terminal sends nothing here but HELLO, ACK and
heartbeats. A vanished device is reported at once and the port reopened with back-off (hw/link.py).

The deconfliction line (docs/protocol.md 5.5, 7.16): the desk says which versions the
co-processor needs (`lines_wanted`: the version in force and every later one); each goes out in a
LINE until acknowledged by the current co-processor boot — when the link comes up, when the
co-processor restarts (a new boot id: it has forgotten them), when one is entered
(`offer_lines`), and again after a LINE that failed every retry. A co-processor that answers ERR
UNKNOWN does not know LINE: none is sent to that boot again. Its LINEUSE (the version in use) is
kept and reported with the rest (`line_state`).

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
from datetime import UTC, datetime
from typing import Any

from hw.link import SerialLink
from hw.wire.messages import (
    ERR_UNKNOWN,
    Alert,
    Clear,
    Feed,
    LineMsg,
    LineUse,
    Message,
    Role,
    TrackState,
)
from hw.wire.session import (
    Delivered,
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
from terminal.core.lines import CoprocLine, LineVersion
from terminal.kernel.members import Member
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
        lines_wanted: Callable[[], list[LineVersion]] | None = None,
        on_line: Callable[[CoprocLine], object] | None = None,
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
        self._lines_wanted = lines_wanted
        self._on_line = on_line
        self._line_seqs: dict[int, int] = {}  # LINE in the session: seq -> version
        self._lines_acked: set[int] = set()  # versions the current boot acknowledged
        self._line_refused_boot: str | None = None  # a boot that does not know LINE
        self.line_state = CoprocLine()

    # --- the deconfliction line ---

    def offer_lines(self) -> None:
        """Send the versions the co-processor needs that it has not acknowledged (a version
        was entered, or the link came up)."""
        now = self._clock()
        self._send_lines(now)
        self._pump(now)

    def _send_lines(self, now: float) -> None:
        if self._lines_wanted is None or not self.is_up:
            return
        if self._line_refused_boot == self.peer_boot_id:
            return
        busy = set(self._line_seqs.values())
        for v in self._lines_wanted():
            if v.version in self._lines_acked or v.version in busy:
                continue
            msg = LineMsg(
                v.version, v.name[:32], datetime.fromtimestamp(v.effective_utc_ms / 1000, UTC),
                v.points,
            )  # fmt: skip
            try:
                msg.to_fields()
            except ValueError as exc:  # e.g. a configured line of more than 16 points
                self._lines_acked.add(v.version)  # never sendable: do not try again
                self._notice("error", f"Line v{v.version} cannot be sent to the co-processor: "
                                      f"{exc}")  # fmt: skip
                continue
            self._line_seqs[self.session.send(msg, now)] = v.version
        self._line_report(sending=bool(self._line_seqs))

    def _line_report(self, **changes: Any) -> None:
        self.line_state = replace(self.line_state, **changes)
        if self._on_line is not None:
            self._on_line(self.line_state)

    def _line_use(self, msg: LineUse) -> None:
        since = round(msg.since.timestamp() * 1000)
        self._line_report(in_use=msg.version, in_use_name=msg.name, since_utc_ms=since)
        which = f"Line v{msg.version} {msg.name}".rstrip() if msg.name else "No line"
        self._notice("info", f"{which} in use by the co-processor"
                     + (" (its own)." if msg.version == 0 and msg.name else "."))  # fmt: skip

    def _line_event(self, event: object) -> bool:
        """A session event about a LINE of ours; whether it was one."""
        match event:
            case Delivered(seq=seq) if seq in self._line_seqs:
                version = self._line_seqs.pop(seq)
                self._lines_acked.add(version)
                self._line_report(acked=max(self._lines_acked), sending=bool(self._line_seqs))
                return True
            case SendFailed(seq=seq) if seq in self._line_seqs:
                del self._line_seqs[seq]  # sent again when the link is back up
                return True
            case Refused(seq=seq, code=code) if seq in self._line_seqs:
                version = self._line_seqs.pop(seq)
                if code == ERR_UNKNOWN:
                    self._line_refused_boot = self.peer_boot_id
                    self._line_report(refused=True, sending=False)
                    self._notice("warning", "The co-processor does not know LINE (built before "
                                 "it): it keeps its own line; LINE alerts are checked as the "
                                 "protocol says for such a co-processor.")  # fmt: skip
                else:
                    self._notice("warning", f"Co-processor refused line v{version}: {code}.")
                return True
        return False

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
            case LineUse():
                self._line_use(msg)
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
        if self._line_event(event):
            return
        match event:
            case MessageReceived(msg=msg, ack_ref=ack_ref):
                self._message(msg, now, ack_ref)
            case PeerHello(hello=hello):
                self.peer_name = hello.name
                restarted = hello.boot_id.upper() != self.peer_boot_id
                self.peer_boot_id = hello.boot_id.upper()
                if restarted:
                    self._feed = None  # a new boot reports its feed afresh
                    self._lines_acked.clear()  # a new boot has forgotten every line given
                    self._line_report(acked=None, in_use=None, in_use_name="", refused=False)
                if restarted and self.is_up:  # restarted within the link timeout: say so
                    self._on_link(CoprocStatus(now, self._utc_ms(), True, self.peer_boot_id))
                    self._send_lines(now)
            case LinkUp():
                self._set_up(True, "", now)
                self._send_lines(now)
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
