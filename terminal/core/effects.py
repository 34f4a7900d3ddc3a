"""Effects returned by the call-control core, for the engine to carry out in the order given.

Commands go to the radio bridge (`SendBridge`) and the tone player (`PlayTone`, `StopTone`);
records (`CallStarted` ... `CallEnded`) go to the log; `Notice` goes to the operator console.
"ring" and "ringback" play until stopped; "tot_warning" and "denied" are one-shot cues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BridgeCommand = Literal["CALL", "ANSWER", "REJECT", "HANGUP", "KEY", "UNKEY"]
UnkeyReason = Literal["PTT", "TOT", "EXIT", "LINK", "LOCKOUT", "HANGUP"]
ToneName = Literal["ring", "ringback", "tot_warning", "denied"]
Direction = Literal["incoming", "outgoing"]
Outcome = Literal["answered", "missed", "rejected", "link_lost", "no_answer", "cancelled"]
NoticeLevel = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class SendBridge:
    """A command for the radio bridge; `reason` says why (an `UnkeyReason` for UNKEY)."""

    command: BridgeCommand
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PlayTone:
    """Start a tone on the desk speaker."""

    name: ToneName


@dataclass(frozen=True, slots=True)
class StopTone:
    """Stop a continuous tone."""

    name: ToneName


@dataclass(frozen=True, slots=True)
class CallStarted:
    """Record: a call began (first ring in, or our call-out)."""

    call_id: int
    direction: Direction


@dataclass(frozen=True, slots=True)
class CallAnswered:
    """Record: the call was answered (by us, or by the far end)."""

    call_id: int


@dataclass(frozen=True, slots=True)
class TransmissionStarted:
    """Record: we keyed the transmitter."""

    call_id: int


@dataclass(frozen=True, slots=True)
class TransmissionEnded:
    """Record: the transmission ended; `reason` is an `UnkeyReason` or the bridge's own reason."""

    call_id: int
    duration_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    """Record: the call ended, with its outcome and transmit totals."""

    call_id: int
    outcome: Outcome
    transmissions: int
    transmit_s: float


@dataclass(frozen=True, slots=True)
class Notice:
    """A line for the operator console."""

    level: NoticeLevel
    text: str


Record = CallStarted | CallAnswered | TransmissionStarted | TransmissionEnded | CallEnded
Effect = SendBridge | PlayTone | StopTone | Record | Notice

RECORD_TYPES: tuple[type[Record], ...] = (
    CallStarted,
    CallAnswered,
    TransmissionStarted,
    TransmissionEnded,
    CallEnded,
)
"""The effects the engine must commit to the log."""
