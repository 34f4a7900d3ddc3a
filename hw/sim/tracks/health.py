"""Feed health: what a track source says of itself, for the status line and the desk.

Every live source (SBS-1 over TCP, ASTERIX over UDP) gives a `FeedHealth` when asked with the
time of asking; scenarios and files are always healthy. The co-processor prints these in its
status line and sends them to the desk, so a link that is up over an empty sky is seen as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """One track source's state at one moment."""

    name: str
    """The source as given, e.g. ``sbs://127.0.0.1:30003`` or ``asterix+udp://239.0.0.1:8600``."""
    kind: str
    """``sbs``, ``asterix``, ``scenario`` or ``file``."""
    connected: bool
    """TCP: the socket is connected. UDP: a datagram was heard within the source's silence limit."""
    last_message_age_s: float | None
    """Seconds since the last message; None when nothing has been heard yet."""
    messages_per_s: float
    """Messages (SBS lines, ASTERIX records) per second over the source's recent window."""
    tracks_held: int
    """Tracks the source holds now (before the kernel's filters)."""
    decode_errors: int
    """Messages that could not be read, since start."""
    last_error: str = ""
    """The last connection or decode error, e.g. ``connection refused``; empty when none."""


class HasFeedHealth(Protocol):
    """A source that can say how its feed is."""

    def health(self, now: float) -> FeedHealth:
        """The feed's state at ``now`` (the source's own clock, seconds)."""
        ...


__all__ = ["FeedHealth", "HasFeedHealth"]
