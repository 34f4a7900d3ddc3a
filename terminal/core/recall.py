"""Instant recall ("say again"): which received transmission to replay, and when recall may sound.

Pure: no I/O, no clock reads. The audio adapter describes the recording recall draws on (a
`RecallSource`: the current call's, still being written, or the last call's) as frame offsets of
the far end's transmissions (the bridge's RX reports, marked in the recording); `RecallControl`
decides what a key press plays, with times on the engine's monotonic clock.

Rules (the tests pin each one):
- The first press plays the newest completed received transmission. A press while it plays, or
  within `repeat_s` of its end, plays the one before it; past the oldest the press is refused.
  A later press starts from the newest again.
- While the far end is still transmitting in a live call, that transmission is not offered (the
  operator hears it live); once the call has ended, an unfinished one runs to the end of the file.
- Never while keyed. Not while a call rings or calls out: that call comes first (a new ring also
  stops a recall that is playing). A PTT press stops a recall at once and keys as normal.
"""

from __future__ import annotations

from dataclasses import dataclass

from terminal.core.calls import CallPhase, CallView

REPEAT_S = 10.0
"""How long after a recall ends a press still steps back to the transmission before it."""


@dataclass(frozen=True, slots=True)
class Stretch:
    """One received transmission as frame offsets into the recording; `end` None while it lasts."""

    start: int
    end: int | None


@dataclass(frozen=True, slots=True)
class RecallSource:
    """The recording recall draws on: the current call's (`live`, still written) or the last's."""

    call_id: int
    path: str
    started_ms: int  # UTC milliseconds at frame 0
    rate: int
    frames: int  # written so far (live) or in all
    received: tuple[Stretch, ...]
    live: bool


@dataclass(frozen=True, slots=True)
class RecallItem:
    """A received transmission as the operator picks it: 1 is the newest."""

    number: int
    start: int  # frames into the recording
    end: int
    utc_ms: int  # when it began (UTC ms)
    seconds: float


@dataclass(frozen=True, slots=True)
class RecallView:
    """What the console shows of recall: the call's received transmissions, newest first, and
    the number of the one playing (None when none is)."""

    call_id: int | None = None
    live: bool = False
    items: tuple[RecallItem, ...] = ()
    playing: int | None = None


@dataclass(frozen=True, slots=True)
class Play:
    """Play `item` (frames `item.start` to `item.end` of `source.path`) to the headset."""

    item: RecallItem
    source: RecallSource


@dataclass(frozen=True, slots=True)
class Refused:
    """Recall does not sound; `reason` is for the operator."""

    reason: str


def recall_items(source: RecallSource | None) -> tuple[RecallItem, ...]:
    """The source's completed received transmissions, newest first, numbered from 1."""
    if source is None or source.rate <= 0:
        return ()
    spans: list[tuple[int, int]] = []
    for stretch in source.received:
        end = stretch.end
        if end is None:
            if source.live:
                continue  # still being received: heard live, not yet recallable
            end = source.frames
        end = min(end, source.frames)
        if end > stretch.start >= 0:
            spans.append((stretch.start, end))
    spans.sort()
    items = []
    for number, (start, end) in enumerate(reversed(spans), start=1):
        utc_ms = source.started_ms + start * 1000 // source.rate
        items.append(RecallItem(number, start, end, utc_ms, (end - start) / source.rate))
    return tuple(items)


def refusal(call: CallView) -> str | None:
    """Why recall may not sound in this call state, or None if it may."""
    if call.closed:
        return "Recall is off: the desk is shutting down."
    if call.keyed:
        return "Recall is off while transmitting."
    if call.phase is CallPhase.RINGING:
        return "Recall is off while a call rings: answer or reject it first."
    if call.phase is CallPhase.CALLING:
        return "Recall is off while calling out."
    return None


class RecallControl:
    """The recall key's state: what plays, until when, and where repeat presses step back to."""

    def __init__(self, repeat_s: float = REPEAT_S) -> None:
        self.repeat_s = repeat_s
        self.playing: RecallItem | None = None
        self.until: float | None = None  # when the item playing ends (loop clock)
        self._walk: tuple[str, int] | None = None  # (path, start frame) of the last one played
        self._walk_until: float | None = None

    def is_playing(self, now: float) -> bool:
        """A recall is sounding at `now`."""
        return self.playing is not None and self.until is not None and now < self.until

    def press(self, source: RecallSource | None, call: CallView, now: float) -> Play | Refused:
        """The recall key: the newest received transmission, or on a repeat the one before."""
        why = refusal(call)
        if why is not None:
            return Refused(why)
        items = recall_items(source)
        if source is None or not items:
            return Refused("No received transmission to recall yet.")
        walk = self._walk
        repeating = (
            walk is not None
            and walk[0] == source.path
            and self._walk_until is not None
            and now <= self._walk_until + self.repeat_s
        )
        if not repeating or walk is None:
            return self._start(items[0], source, now)
        earlier = [item for item in items if item.start < walk[1]]
        if not earlier:
            self.stop(now)
            self._walk_until = now  # a further press within the window is refused again
            return Refused("No earlier received transmission in this call.")
        return self._start(earlier[0], source, now)

    def pick(
        self, number: int, source: RecallSource | None, call: CallView, now: float
    ) -> Play | Refused:
        """Play item `number` of the list (1 is the newest)."""
        why = refusal(call)
        if why is not None:
            return Refused(why)
        items = recall_items(source)
        chosen = next((item for item in items if item.number == number), None)
        if source is None or chosen is None:
            return Refused(f"No received transmission {number} to recall.")
        return self._start(chosen, source, now)

    def stop(self, now: float) -> RecallItem | None:
        """Stop the recall (PTT, a new ring, the stop key); the item it cut short, if any."""
        cut = self.playing if self.is_playing(now) else None
        if self.playing is not None:
            self._walk_until = min(self._walk_until or now, now)
        self.playing = None
        self.until = None
        return cut

    def finish(self, now: float) -> bool:
        """Forget a recall that has played to its end; True if one just did."""
        if self.playing is not None and not self.is_playing(now):
            self.playing = None
            self.until = None
            return True
        return False

    def view(self, source: RecallSource | None, now: float) -> RecallView:
        """The list and what plays, for the console."""
        playing = self.playing.number if self.is_playing(now) and self.playing else None
        if source is None:
            return RecallView(playing=playing)
        items = recall_items(source)
        if self.playing is not None and playing is not None:
            same = next((i for i in items if i.start == self.playing.start), None)
            playing = same.number if same is not None else None
        return RecallView(source.call_id, source.live, items, playing)

    def _start(self, item: RecallItem, source: RecallSource, now: float) -> Play:
        self.playing = item
        self.until = now + item.seconds
        self._walk = (source.path, item.start)
        self._walk_until = self.until
        return Play(item, source)
