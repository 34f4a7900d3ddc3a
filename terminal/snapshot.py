"""What a front shows of the desk: the engine publishes a `DeskSnapshot` after every event, and
the console, the line front, the attach protocol and the MQTT state read nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from terminal.core.calls import CallView
from terminal.core.clock_trust import ClockView
from terminal.core.leds import LedPatterns
from terminal.core.lines import LineView
from terminal.core.recall import RecallView
from terminal.views import AlertView, CallSummary, LinkHealth


@dataclass(frozen=True, slots=True)
class NoticeLine:
    """A notice for the console, stamped in UTC."""

    utc: str
    level: str
    text: str


@dataclass(frozen=True, slots=True)
class DeskSnapshot:
    """Everything a front shows, derived from the engine's state after an event.

    `alerts` are the open alerts, most severe first then oldest first; `calls_today` the calls
    committed to the log since 00:00Z, newest first; `line` the deconfliction line as (lat, lon)
    points; `health` one entry per link (radio, coproc, gpio, log, audio); `clock` the system
    clock's synchronisation (None until the desk has read it).
    """

    call: CallView
    display: str
    links: dict[str, bool]
    leds: LedPatterns
    operator: str
    notices: tuple[NoticeLine, ...] = ()
    faults: tuple[str, ...] = ()
    alerts: tuple[AlertView, ...] = ()
    calls_today: tuple[CallSummary, ...] = ()
    line: tuple[tuple[float, float], ...] = ()
    health: tuple[LinkHealth, ...] = ()
    log_head: str = ""
    """The log's head for the shift summary, `#<id> <4 hex> <4 hex>` ("" when not known)."""
    recall: RecallView = field(default_factory=RecallView)  # the call's received transmissions
    clock: ClockView | None = None
    line_view: LineView = field(default_factory=LineView)
    """The line's version in force, what is pending, what the co-processor uses."""
