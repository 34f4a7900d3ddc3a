"""Push-to-talk debounce, pure: raw pin edges in, accepted press/release changes out.

Leading-edge debounce: a change is accepted at once (no added latency), then the input is ignored
for the bounce window. When the window ends, the raw level is compared with the accepted one and a
missed change is emitted then, so a release that bounced inside the window is never lost (a lost
release would leave the transmitter keyed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Change:
    """An accepted change of the button: pressed or released, at a monotonic time."""

    pressed: bool
    at: float


class Debouncer:
    """Debounce one button; times are monotonic seconds supplied by the caller."""

    def __init__(self, bounce_s: float, pressed: bool = False) -> None:
        if bounce_s < 0:
            raise ValueError(f"bounce time must be >= 0, got {bounce_s}")
        self._bounce_s = bounce_s
        self._accepted = pressed
        self._raw = pressed
        self._window_end: float | None = None

    @property
    def pressed(self) -> bool:
        """The accepted (debounced) state."""
        return self._accepted

    def edge(self, pressed: bool, at: float) -> list[Change]:
        """Feed a raw level seen at `at`; return the accepted changes (zero or one)."""
        self._raw = pressed
        if self._window_end is not None and at < self._window_end:
            return []
        self._window_end = None
        return self._accept(at)

    def poll(self, at: float) -> list[Change]:
        """Close the bounce window if it has ended; emit a change the window hid."""
        if self._window_end is None or at < self._window_end:
            return []
        self._window_end = None
        return self._accept(at)

    def next_deadline(self) -> float | None:
        """When `poll` must next be called, or None."""
        return self._window_end

    def _accept(self, at: float) -> list[Change]:
        if self._raw == self._accepted:
            return []
        self._accepted = self._raw
        if self._bounce_s > 0:
            self._window_end = at + self._bounce_s
        return [Change(self._accepted, at)]
