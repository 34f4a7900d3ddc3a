"""Events fed to the call-control core: small immutable facts, each stamped with its time.

`at` is monotonic seconds, read once by the engine when the event arrives; the core never reads a
clock. Operator intents come from the fronts or the PTT button, bridge reports from the radio-bridge
adapter, `Tick` from the engine's timer (scheduled at `CallControl.next_deadline()`), and `Shutdown`
from every exit path (normal exit, exception, SIGTERM, watchdog...).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- operator intents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerPressed:
    """The operator answers the ringing call."""

    at: float


@dataclass(frozen=True, slots=True)
class CallPressed:
    """The operator calls the far end."""

    at: float


@dataclass(frozen=True, slots=True)
class HangupPressed:
    """The operator hangs up (or, while ringing, declines the call)."""

    at: float


@dataclass(frozen=True, slots=True)
class RejectPressed:
    """The operator declines the ringing call."""

    at: float


@dataclass(frozen=True, slots=True)
class PttPressed:
    """Push-to-talk went down (physical button or keyboard toggle)."""

    at: float


@dataclass(frozen=True, slots=True)
class PttReleased:
    """Push-to-talk came up (physical button or keyboard toggle)."""

    at: float


# --- reports from the radio bridge --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RingReceived:
    """The far end is calling us."""

    at: float


@dataclass(frozen=True, slots=True)
class FarAnswered:
    """The far end answered our call."""

    at: float


@dataclass(frozen=True, slots=True)
class FarHungUp:
    """The far end hung up, gave up calling, or declined our call."""

    at: float


@dataclass(frozen=True, slots=True)
class RxChanged:
    """The far end started (`active`) or stopped transmitting."""

    at: float
    active: bool


@dataclass(frozen=True, slots=True)
class BridgeTx:
    """The bridge's report of its own transmitter; `reason` says why it changed (PTT, TOT...)."""

    at: float
    keyed: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class KeyRefused:
    """The bridge refused one of our KEYs (ERR LOCKOUT or BADSTATE) and stays unkeyed."""

    at: float
    code: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class LinkUp:
    """The serial link to the radio bridge is up (HELLO exchanged, heartbeats flowing)."""

    at: float


@dataclass(frozen=True, slots=True)
class LinkDown:
    """The serial link to the radio bridge is lost."""

    at: float
    reason: str = ""


# --- engine -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tick:
    """Time has passed: run the timers due at `at`."""

    at: float


@dataclass(frozen=True, slots=True)
class Shutdown:
    """The desk is going down; the core runs its fail-safe path and ignores all later events."""

    at: float
    reason: str = ""


Event = (
    AnswerPressed
    | CallPressed
    | HangupPressed
    | RejectPressed
    | PttPressed
    | PttReleased
    | RingReceived
    | FarAnswered
    | FarHungUp
    | RxChanged
    | BridgeTx
    | KeyRefused
    | LinkUp
    | LinkDown
    | Tick
    | Shutdown
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        AnswerPressed,
        CallPressed,
        HangupPressed,
        RejectPressed,
        PttPressed,
        PttReleased,
        RingReceived,
        FarAnswered,
        FarHungUp,
        RxChanged,
        BridgeTx,
        KeyRefused,
        LinkUp,
        LinkDown,
        Tick,
        Shutdown,
    )
}
"""Event classes by name, for decoding a logged session to replay it."""
