"""A message-rate meter: counts per whole second over a sliding window, fed with a clock's times.

Pure (the times are passed in), so it is tested with a fake clock. Used for the feed health's
``messages_per_s``.
"""

from __future__ import annotations

import math
from collections import deque


class RateMeter:
    """Messages per second over the last ``window_s`` seconds (of the clock it is fed)."""

    def __init__(self, window_s: float = 10.0) -> None:
        if not window_s > 0:
            raise ValueError("window_s must be positive")
        self.window_s = window_s
        self._buckets: deque[list[float]] = deque()  # [whole second, count], oldest first
        self._first: float | None = None

    def note(self, t: float, count: int = 1) -> None:
        """``count`` messages at time t."""
        if self._first is None:
            self._first = t
        second = math.floor(t)
        if self._buckets and self._buckets[-1][0] >= second:
            self._buckets[-1][1] += count  # the same second (or a clock that stepped back)
        else:
            self._buckets.append([second, count])
        self._trim(t)

    def rate(self, now: float) -> float:
        """Messages per second over the window ending at ``now`` (over the time since the
        first message while that is shorter than the window); 0.0 before any."""
        self._trim(now)
        if self._first is None or not self._buckets:
            return 0.0
        span = min(self.window_s, max(now - self._first, 1.0))
        return sum(count for _, count in self._buckets) / span

    def _trim(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] + 1 <= now - self.window_s:
            self._buckets.popleft()
