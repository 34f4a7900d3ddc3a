"""The terminal's end of one serial link: a wire session over a serial port, on the asyncio loop.

What the radio-bridge and co-processor links share: the session's timers run on a loop timer at
the session's next deadline; bytes read go to the session and what it queues is written out; a
port that opens starts the session again (HELLO), one that closes takes the link down at once and
resets the session, so nothing is retried into a closed port. Each link turns the session's
events into its own terms (`_session_event`, `_link_changed`) and may add a timer (`_extra_due`).
The link counters (frames, CRC errors, garbage bytes, retransmits, duplicates, ERRs sent) come
from the session and its decoder.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from hw.serialport import SerialPort
from hw.wire.messages import Message, Role, random_boot_id
from hw.wire.session import LinkSession
from terminal import zulu
from terminal.config import LinkConfig
from terminal.views import LinkCounters, LinkHealth


class SerialLink:
    """One link of the terminal; subclasses say what the peer's messages mean."""

    peer_role: Role
    kind: str  # the link's name in the desk's health ("radio", "coproc")
    label: str  # the peer, for messages ("radio bridge", "co-processor")

    def __init__(
        self,
        cfg: LinkConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        name: str = "hotline-terminal",
        port: str | None = None,
        deferred_acks: tuple[type[Message], ...] = (),
    ) -> None:
        self.cfg = cfg
        self._clock = clock
        self.session = LinkSession(
            Role.TERMINAL,
            name,
            random_boot_id(),
            heartbeat_s=cfg.heartbeat_s,
            link_timeout_s=cfg.link_timeout_s,
            ack_timeout_s=cfg.ack_timeout_s,
            max_retries=cfg.max_retries,
            peer_roles={self.peer_role},
            deferred_acks=deferred_acks,
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
        self.last_heard_ms: int | None = None  # Zulu ms of the last bytes read
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

    # --- what the desk shows ---

    def counters(self) -> LinkCounters:
        """The link's counters since start-up."""
        stats, decoded = self.session.stats, self.session.decoder.stats
        return LinkCounters(
            frames_in=stats["frames_in"],
            frames_out=stats["frames_out"],
            crc_errors=decoded["bad_crc"],
            garbage_bytes=decoded["garbage_bytes"],
            bad_frames=decoded["too_long"] + decoded["bad_syntax"] + decoded["truncated"]
            + stats["bad_messages"],
            retransmits=stats["retransmits"],
            duplicates=stats["duplicates"],
            errs_out=stats["err_out"],
        )  # fmt: skip

    def health(self) -> LinkHealth:
        """Up or down, when the peer was last heard (UTC), what is wrong, and the counters."""
        if self.is_up:
            detail = f"{self.label} {self.peer_name}" if self.peer_name else ""
        elif not self.port.is_open:
            detail = f"{self.port.port}: {self.port.last_error or 'not open'}"
        else:
            detail = f"no HELLO from the {self.label}"
        heard = None if self.last_heard_ms is None else zulu.to_iso(self.last_heard_ms)
        return LinkHealth(self.kind, self.is_up, heard, detail, self.counters())

    # --- for the subclasses ---

    def _session_event(self, event: object, now: float) -> None:
        """A session event, in the link's terms."""
        raise NotImplementedError

    def _link_changed(self, up: bool, reason: str, now: float) -> None:
        """The link went up or down (`reason` says why it went down)."""
        raise NotImplementedError

    def _port_closed(self, now: float) -> None:
        """The port closed; the session is reset and the link taken down right after."""

    def _extra_due(self, now: float) -> float | None:
        """Run the link's own timer if due; return when it is next due (None: not armed)."""
        return None

    # --- the port and the session ---

    def _set_up(self, up: bool, reason: str, now: float) -> None:
        if up == self.is_up:
            return
        self.is_up = up
        self._link_changed(up, reason, now)

    def _data(self, data: bytes) -> None:
        self.last_heard_ms = zulu.now_ms()  # formatted only when health() is asked
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
        self._port_closed(now)
        # The session goes down with the port, before the desk hears of it: what is sent then
        # (an UNKEY(LINK)) is held for the port's return (4.8), not retried into a closed port
        # until it fails and is dropped; partial input and unsent bytes are dropped.
        self.session.reset(now)
        self._set_up(False, f"{self.label} port closed: {reason}", now)

    def _pump(self, now: float) -> None:
        """Run timers, send what is queued, and arm the timer for the next deadline."""
        for event in self.session.poll(now):
            self._session_event(event, now)
        extra = self._extra_due(now)
        data = self.session.data_to_send()
        if data and self.port.is_open:
            self.port.write(data)
        self._arm(extra)

    def _arm(self, extra: float | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadlines = [d for d in (self.session.next_deadline(), extra) if d is not None]
        if not deadlines:
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(max(0.0, min(deadlines) - self._clock()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._pump(self._clock())
