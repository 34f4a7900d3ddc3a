"""Call control: the pure state machine of one desk's calls and transmissions.

Feed it timestamped events with `CallControl.handle`; it returns effects and keeps a frozen
snapshot in `CallControl.state`. No I/O, no clock reads: the same events give the same effects,
so a logged session can be replayed.

Rules worth knowing (the tests pin each one):
- Timers run on event time. Before any event (except `Shutdown`) the timers due at its `at` fire,
  so a late `Tick` changes nothing. Times never run backwards: an earlier `at` counts as the
  latest time seen.
- A missed incoming call is REJECTed at the bridge so the far end stops ringing.
- The transmitter is keyed only on a PTT press, in a connected call (a press while ringing
  answers first), with the link up, no need to release first, and (with busy-channel lockout)
  the far end silent. A transmission that ends while PTT is still down (time-out, bridge,
  link, hang-up) latches `need_release`.
- `LinkDown` ends the call as link_lost without a HANGUP/REJECT (a late one could hit the next
  call); UNKEY(LINK) is still sent, to be delivered when it can.
- `Shutdown` always sends UNKEY(EXIT) first, whatever we believe the transmitter is doing, then
  ends an open call: ringing -> REJECT, missed; calling -> HANGUP, cancelled; connected ->
  HANGUP, answered. Later events are ignored.
- Glare (a ring while we call out) answers the ring: both desks want to talk.
- Open channel (`open_channel`, a plain radio through rigctld): there is no ring, answer or
  hang-up, so the "call" follows the channel. A PTT press that may key opens an outgoing call
  (answered at once) and keys; a squelch that opens (`RxChanged`) opens an incoming one. Each
  ends, answered, as soon as nobody transmits: we are unkeyed and the squelch is closed (our
  transmission ending under an open squelch hands over to a reception). So the log holds each
  transmission and reception with its start, end, duration and recording. Calling out is refused.
- The bridge reports its transmitter (TX) in the order it handles our commands, so while one of
  our KEYs is unconfirmed, a report that it unkeyed belongs to an earlier transmission (a quick
  release and press crosses it on the wire) and does not end the current one. A KEY the bridge
  refuses (`KeyRefused`) ends the transmission it was for.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, fields, replace
from typing import Literal, assert_never

from terminal.core.effects import (
    CallAnswered,
    CallEnded,
    CallStarted,
    Direction,
    Effect,
    Notice,
    Outcome,
    PlayTone,
    SendBridge,
    StopTone,
    ToneName,
    TransmissionEnded,
    TransmissionStarted,
    UnkeyReason,
)
from terminal.core.events import (
    AnswerPressed,
    BridgeTx,
    CallPressed,
    Event,
    FarAnswered,
    FarHungUp,
    HangupPressed,
    KeyRefused,
    LinkDown,
    LinkUp,
    PttPressed,
    PttReleased,
    RejectPressed,
    RingReceived,
    RxChanged,
    Shutdown,
    Tick,
)

DisplayState = Literal["IDLE", "RINGING", "CALLING", "CONNECTED", "TRANSMITTING", "RECEIVING"]


class CallPhase(enum.Enum):
    """Where the desk is in a call."""

    IDLE = "IDLE"
    RINGING = "RINGING"
    CALLING = "CALLING"
    CONNECTED = "CONNECTED"


@dataclass(frozen=True, slots=True)
class CallSettings:
    """Call timers and policy; `tx_warning_s=0` turns the time-out warning off."""

    ring_timeout_s: float = 30.0
    callout_timeout_s: float = 45.0
    busy_channel_lockout: bool = True
    tx_timeout_s: float = 60.0
    tx_warning_s: float = 10.0
    open_channel: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_s") and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{f.name} must be a finite number of seconds >= 0: {value!r}")
        for name in ("ring_timeout_s", "callout_timeout_s", "tx_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.tx_warning_s >= self.tx_timeout_s:
            raise ValueError("tx_warning_s must be shorter than tx_timeout_s")


@dataclass(frozen=True, slots=True)
class CallView:
    """A snapshot of the desk's call state (`now` is the time of the last event handled)."""

    phase: CallPhase = CallPhase.IDLE
    direction: Direction | None = None
    call_id: int | None = None
    started_at: float | None = None
    answered_at: float | None = None
    keyed: bool = False
    keyed_at: float | None = None
    rx: bool = False
    tot_deadline: float | None = None
    tot_warned: bool = False
    ptt_held: bool = False
    need_release: bool = False
    link_up: bool = False
    bridge_keyed: bool = False
    keys_unconfirmed: int = 0
    transmissions: int = 0
    transmit_s: float = 0.0
    closed: bool = False
    now: float | None = None

    @property
    def key_pending(self) -> bool:
        """A KEY we sent has not yet been confirmed (or refused) by the bridge."""
        return self.keys_unconfirmed > 0

    def display_state(self) -> DisplayState:
        """The label the console shows."""
        if self.phase is CallPhase.CONNECTED:
            if self.keyed:
                return "TRANSMITTING"
            if self.rx:
                return "RECEIVING"
        return _PHASE_LABEL[self.phase]


_PHASE_LABEL: dict[CallPhase, DisplayState] = {
    CallPhase.IDLE: "IDLE",
    CallPhase.RINGING: "RINGING",
    CallPhase.CALLING: "CALLING",
    CallPhase.CONNECTED: "CONNECTED",
}
_CALL_TONE: dict[CallPhase, ToneName] = {CallPhase.RINGING: "ring", CallPhase.CALLING: "ringback"}


class CallControl:
    """The call-control state machine of one desk."""

    def __init__(self, settings: CallSettings | None = None, link_up: bool = False) -> None:
        self._cfg = settings if settings is not None else CallSettings()
        self._s = CallView(link_up=link_up)
        self._last_call_id = 0

    @property
    def settings(self) -> CallSettings:
        """The settings this machine runs with."""
        return self._cfg

    def reconfigure(self, settings: CallSettings) -> None:
        """Use new timer settings from the next event on (a live reload). A running timer keeps
        the deadline it was given; the next one uses the new values."""
        self._cfg = settings

    @property
    def state(self) -> CallView:
        """The current snapshot."""
        return self._s

    def next_deadline(self) -> float | None:
        """When the next timer falls due (the engine sends a `Tick` then), or None."""
        s, cfg = self._s, self._cfg
        if s.closed:
            return None
        if s.phase is CallPhase.RINGING and s.started_at is not None:
            return s.started_at + cfg.ring_timeout_s
        if s.phase is CallPhase.CALLING and s.started_at is not None:
            return s.started_at + cfg.callout_timeout_s
        if s.keyed and s.tot_deadline is not None:
            if not s.tot_warned and cfg.tx_warning_s > 0:
                return s.tot_deadline - cfg.tx_warning_s
            return s.tot_deadline
        return None

    def handle(self, event: Event) -> list[Effect]:
        """Apply one event; return the effects to carry out, in order."""
        if self._s.closed:
            return []
        now = event.at if self._s.now is None else max(event.at, self._s.now)
        self._s = replace(self._s, now=now)
        out: list[Effect] = []
        if isinstance(event, Shutdown):
            self._shutdown(event, now, out)
            return out
        self._run_timers(now, out)
        match event:
            case Tick():
                pass
            case AnswerPressed():
                self._on_answer(now, out)
            case CallPressed():
                self._on_call(now, out)
            case HangupPressed():
                self._on_hangup(now, out)
            case RejectPressed():
                self._on_reject(out)
            case PttPressed():
                self._on_ptt_pressed(now, out)
            case PttReleased():
                self._on_ptt_released(now, out)
            case RingReceived():
                self._on_ring(now, out)
            case FarAnswered():
                self._on_far_answered(now, out)
            case FarHungUp():
                self._on_far_hung_up(now, out)
            case RxChanged():
                self._on_rx(event, out)
            case BridgeTx():
                self._on_bridge_tx(event, now, out)
            case KeyRefused():
                self._on_key_refused(event, now, out)
            case LinkUp():
                self._on_link_up(out)
            case LinkDown():
                self._on_link_down(event, now, out)
            case _:
                assert_never(event)
        if self._cfg.open_channel:
            self._follow_channel(now, out)
        return out

    # --- timers ---------------------------------------------------------------------------------

    def _run_timers(self, now: float, out: list[Effect]) -> None:
        """Fire the timer due at `now`, if any."""
        # At most one is ever due (an overdue time-out skips its warning), so no loop that a
        # bug could turn into a hang on the path that unkeys the transmitter.
        deadline = self.next_deadline()
        if deadline is not None and now >= deadline:
            self._fire_timer(now, out)

    def _fire_timer(self, now: float, out: list[Effect]) -> None:
        s, cfg = self._s, self._cfg
        if s.phase is CallPhase.RINGING:
            out.append(SendBridge("REJECT", "TIMEOUT"))
            call_id = self._end_call("missed", out)
            out.append(Notice("info", f"Missed call {call_id}: not answered in time."))
        elif s.phase is CallPhase.CALLING:
            out.append(SendBridge("HANGUP", "TIMEOUT"))
            call_id = self._end_call("no_answer", out)
            out.append(Notice("info", f"Call {call_id}: no answer from the far end."))
        elif s.tot_deadline is not None and now >= s.tot_deadline:
            self._unkey("TOT", now, out)
            out.append(
                Notice(
                    "warning",
                    f"Transmit time-out: unkeyed after {cfg.tx_timeout_s:g} s. Release PTT.",
                )
            )
        else:
            self._s = replace(s, tot_warned=True)
            out.append(PlayTone("tot_warning"))
            out.append(Notice("warning", f"Transmit time-out in {cfg.tx_warning_s:g} s."))

    # --- operator intents -----------------------------------------------------------------------

    def _on_answer(self, now: float, out: list[Effect]) -> None:
        if self._s.phase is CallPhase.RINGING:
            self._answer(now, out)
        else:
            out.append(Notice("info", "No call to answer."))

    def _on_call(self, now: float, out: list[Effect]) -> None:
        if self._cfg.open_channel:
            out.append(Notice("info", "Open channel: there is no call to place; press PTT."))
        elif self._s.phase is not CallPhase.IDLE:
            out.append(Notice("info", "Already in a call."))
        elif not self._s.link_up:
            out.append(Notice("warning", "Cannot call: the radio bridge link is down."))
            out.append(PlayTone("denied"))
        else:
            out.append(SendBridge("CALL"))
            self._start_call("outgoing", now, out)

    def _on_hangup(self, now: float, out: list[Effect]) -> None:
        phase = self._s.phase
        if phase is CallPhase.IDLE:
            out.append(Notice("info", "No call to hang up."))
        elif phase is CallPhase.RINGING:
            self._on_reject(out)
        elif phase is CallPhase.CALLING:
            out.append(SendBridge("HANGUP"))
            self._end_call("cancelled", out)
        else:
            self._unkey_if_keyed("HANGUP", now, out)
            out.append(SendBridge("HANGUP"))
            self._end_call("answered", out)

    def _on_reject(self, out: list[Effect]) -> None:
        if self._s.phase is CallPhase.RINGING:
            out.append(SendBridge("REJECT"))
            self._end_call("rejected", out)
        else:
            out.append(Notice("info", "No ringing call to reject."))

    def _on_ptt_pressed(self, now: float, out: list[Effect]) -> None:
        if self._s.keyed:
            return  # a repeated press: we already transmit
        self._s = replace(self._s, ptt_held=True)
        phase = self._s.phase
        if phase is CallPhase.RINGING:
            self._answer(now, out)
            self._try_key(now, out)
        elif phase is CallPhase.CONNECTED:
            self._try_key(now, out)
        elif self._cfg.open_channel:  # IDLE: a transmission is a call of its own
            if not self._may_key():
                self._try_key(now, out)  # says why not
                return
            opened: list[Effect] = []
            self._open_call("outgoing", now, opened)
            first = len(out)
            self._try_key(now, out)
            out[first + 1 : first + 1] = opened  # KEY first: the radio before the paperwork
        else:
            why = "no call" if phase is CallPhase.IDLE else "the far end has not answered"
            out.append(Notice("info", f"PTT does not key: {why}."))
            out.append(PlayTone("denied"))

    def _on_ptt_released(self, now: float, out: list[Effect]) -> None:
        self._unkey_if_keyed("PTT", now, out)
        self._s = replace(self._s, ptt_held=False, need_release=False)

    # --- bridge reports -------------------------------------------------------------------------

    def _on_ring(self, now: float, out: list[Effect]) -> None:
        phase = self._s.phase
        if phase is CallPhase.IDLE:
            self._start_call("incoming", now, out)
        elif phase is CallPhase.CALLING:
            self._answer(now, out)
            out.append(Notice("info", "Both desks called at once: connected."))
        elif phase is CallPhase.CONNECTED:
            out.append(Notice("warning", "Ring from the bridge during a call: ignored."))
        # RINGING: the bridge repeats its ring; nothing changes.

    def _on_far_answered(self, now: float, out: list[Effect]) -> None:
        s = self._s
        if s.phase is not CallPhase.CALLING or s.call_id is None:
            out.append(Notice("warning", "Far-end answer with no call out: ignored."))
            return
        self._s = replace(s, phase=CallPhase.CONNECTED, answered_at=now)
        out.append(StopTone("ringback"))
        out.append(CallAnswered(s.call_id))

    def _on_far_hung_up(self, now: float, out: list[Effect]) -> None:
        phase = self._s.phase
        if phase is CallPhase.RINGING:
            call_id = self._end_call("missed", out)
            out.append(Notice("info", f"Missed call {call_id}: the far end gave up."))
        elif phase is CallPhase.CALLING:
            call_id = self._end_call("rejected", out)
            out.append(Notice("info", f"Call {call_id}: the far end declined."))
        elif phase is CallPhase.CONNECTED:
            self._unkey_if_keyed("HANGUP", now, out)
            call_id = self._end_call("answered", out)
            out.append(Notice("info", f"Call {call_id}: the far end hung up."))

    def _on_rx(self, event: RxChanged, out: list[Effect]) -> None:
        s = self._s
        if event.active == s.rx:
            return
        self._s = replace(s, rx=event.active)
        if event.active and s.keyed:
            out.append(Notice("warning", "The far end is transmitting while we transmit."))

    def _on_bridge_tx(self, event: BridgeTx, now: float, out: list[Effect]) -> None:
        s = self._s
        if event.keyed:
            confirms = s.keys_unconfirmed > 0  # the report of one of our KEYs
            self._s = replace(s, bridge_keyed=True, keys_unconfirmed=max(0, s.keys_unconfirmed - 1))
            if not s.keyed:
                out.append(SendBridge("UNKEY", "LOCKOUT"))
                if not confirms:  # else: the late confirmation of a KEY we already undid
                    why = f" ({event.reason})" if event.reason else ""
                    out.append(
                        Notice("error", f"Radio bridge keyed without a request{why}: unkeying.")
                    )
            return
        self._s = replace(s, bridge_keyed=False)
        if s.keyed and not s.key_pending:
            reason = event.reason or "BRIDGE"
            self._end_transmission(reason, now, out)
            out.append(Notice("warning", f"The radio bridge unkeyed ({reason}). Release PTT."))
        # Keyed with our KEY still unconfirmed: the report is of an earlier transmission.

    def _on_key_refused(self, event: KeyRefused, now: float, out: list[Effect]) -> None:
        s = self._s
        self._s = replace(s, keys_unconfirmed=max(0, s.keys_unconfirmed - 1))
        why = f"{event.code}: {event.text}" if event.text else event.code
        if s.keyed and s.keys_unconfirmed == 1:  # the refused KEY was the current one
            self._unkey("LOCKOUT", now, out)  # stops the keepalives; the bridge is unkeyed
            out.append(Notice("warning", f"The radio bridge refused to key ({why}). Release PTT."))
            out.append(PlayTone("denied"))
        else:
            out.append(Notice("warning", f"The radio bridge refused an earlier KEY ({why})."))

    def _on_link_up(self, out: list[Effect]) -> None:
        if not self._s.link_up:
            self._s = replace(self._s, link_up=True)
            out.append(Notice("info", "Radio bridge link up."))

    def _on_link_down(self, event: LinkDown, now: float, out: list[Effect]) -> None:
        was_up = self._s.link_up
        self._unkey_if_keyed("LINK", now, out)
        if self._s.phase is not CallPhase.IDLE:
            self._end_call("link_lost", out)
        self._s = replace(self._s, link_up=False, rx=False, keys_unconfirmed=0)
        if was_up:
            why = f": {event.reason}" if event.reason else ""
            out.append(Notice("warning", f"Radio bridge link down{why}."))

    # --- shutdown -------------------------------------------------------------------------------

    def _shutdown(self, event: Shutdown, now: float, out: list[Effect]) -> None:
        out.append(SendBridge("UNKEY", "EXIT"))
        if self._s.keyed:
            self._end_transmission("EXIT", now, out)
        phase = self._s.phase
        if phase is CallPhase.RINGING:
            out.append(SendBridge("REJECT", "EXIT"))
            self._end_call("missed", out)
        elif phase is CallPhase.CALLING:
            out.append(SendBridge("HANGUP", "EXIT"))
            self._end_call("cancelled", out)
        elif phase is CallPhase.CONNECTED:
            out.append(SendBridge("HANGUP", "EXIT"))
            self._end_call("answered", out)
        self._s = replace(self._s, closed=True)
        why = f": {event.reason}" if event.reason else ""
        out.append(Notice("info", f"Desk shutting down{why}."))

    # --- building blocks ------------------------------------------------------------------------

    def _start_call(self, direction: Direction, now: float, out: list[Effect]) -> None:
        self._last_call_id += 1
        self._s = replace(
            self._s,
            phase=CallPhase.RINGING if direction == "incoming" else CallPhase.CALLING,
            direction=direction,
            call_id=self._last_call_id,
            started_at=now,
            answered_at=None,
            transmissions=0,
            transmit_s=0.0,
        )
        out.append(CallStarted(self._last_call_id, direction))
        out.append(PlayTone("ring" if direction == "incoming" else "ringback"))

    def _answer(self, now: float, out: list[Effect]) -> None:
        """Answer the ringing call (or, in glare, the ring that crossed our call-out)."""
        s = self._s
        assert s.call_id is not None and s.phase in _CALL_TONE
        out.append(SendBridge("ANSWER"))
        self._s = replace(s, phase=CallPhase.CONNECTED, answered_at=now)
        out.append(StopTone(_CALL_TONE[s.phase]))
        out.append(CallAnswered(s.call_id))

    def _end_call(self, outcome: Outcome, out: list[Effect]) -> int:
        """Close the open call (the transmitter already unkeyed); return its id."""
        s = self._s
        assert s.call_id is not None and not s.keyed
        if s.phase in _CALL_TONE:
            out.append(StopTone(_CALL_TONE[s.phase]))
        out.append(CallEnded(s.call_id, outcome, s.transmissions, s.transmit_s))
        self._s = replace(
            s,
            phase=CallPhase.IDLE,
            direction=None,
            call_id=None,
            started_at=None,
            answered_at=None,
            transmissions=0,
            transmit_s=0.0,
        )
        return s.call_id

    def _may_key(self) -> bool:
        """Would `_try_key` key now (the link up, the channel free or no lockout, released)?"""
        s = self._s
        busy = s.rx and self._cfg.busy_channel_lockout
        return s.link_up and not busy and not s.need_release

    def _open_call(self, direction: Direction, now: float, out: list[Effect]) -> None:
        """Open channel: a transmission or reception starts, as a call answered at once."""
        self._last_call_id += 1
        call_id = self._last_call_id
        self._s = replace(
            self._s,
            phase=CallPhase.CONNECTED,
            direction=direction,
            call_id=call_id,
            started_at=now,
            answered_at=now,
            transmissions=0,
            transmit_s=0.0,
        )
        out.append(CallStarted(call_id, direction))
        out.append(CallAnswered(call_id))

    def _follow_channel(self, now: float, out: list[Effect]) -> None:
        """Open channel: end the call once nobody transmits; a squelch that opens starts one."""
        s = self._s
        if s.closed:
            return
        call_over = not s.rx or s.direction == "outgoing"
        if s.phase is CallPhase.CONNECTED and not s.keyed and call_over:
            self._end_call("answered", out)
        if self._s.phase is CallPhase.IDLE and self._s.rx and self._s.link_up:
            self._open_call("incoming", now, out)

    def _try_key(self, now: float, out: list[Effect]) -> None:
        s = self._s
        if not s.link_up:
            out.append(Notice("warning", "PTT refused: the radio bridge link is down."))
            out.append(PlayTone("denied"))
        elif s.rx and self._cfg.busy_channel_lockout:
            self._s = replace(s, need_release=True)
            out.append(Notice("warning", "PTT refused: channel busy. Release and press again."))
            out.append(PlayTone("denied"))
        elif s.need_release:
            out.append(Notice("warning", "PTT refused: release PTT first."))
            out.append(PlayTone("denied"))
        else:
            assert s.call_id is not None
            out.append(SendBridge("KEY"))
            self._s = replace(
                s,
                keyed=True,
                keyed_at=now,
                keys_unconfirmed=s.keys_unconfirmed + 1,
                tot_deadline=now + self._cfg.tx_timeout_s,
                tot_warned=False,
                transmissions=s.transmissions + 1,
            )
            out.append(TransmissionStarted(s.call_id))

    def _unkey_if_keyed(self, reason: UnkeyReason, now: float, out: list[Effect]) -> None:
        if self._s.keyed:
            self._unkey(reason, now, out)

    def _unkey(self, reason: UnkeyReason, now: float, out: list[Effect]) -> None:
        out.append(SendBridge("UNKEY", reason))
        self._end_transmission(reason, now, out)

    def _end_transmission(self, reason: str, now: float, out: list[Effect]) -> None:
        """Record the end of our transmission (the UNKEY, if any, already sent)."""
        s = self._s
        assert s.keyed and s.keyed_at is not None and s.call_id is not None
        duration = now - s.keyed_at
        self._s = replace(
            s,
            keyed=False,
            keyed_at=None,
            tot_deadline=None,
            tot_warned=False,
            need_release=s.need_release or reason != "PTT",
            transmit_s=s.transmit_s + duration,
        )
        out.append(TransmissionEnded(s.call_id, duration, reason))
