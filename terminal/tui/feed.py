"""A stand-in for the engine that publishes snapshots it is given and records what the console
asked of it: for tests, the console benchmark and the docs screenshot (never for a desk)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from terminal.snapshot import DeskSnapshot


@dataclass
class SnapshotFeed:
    """Publishes constructed `DeskSnapshot`s; `clock` is whatever time the test says it is."""

    snapshot: DeskSnapshot
    now: float = 0.0
    acknowledge_ok: bool = True
    intents: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    recalls: list[int | None] = field(default_factory=list)
    lines: list[tuple[str, str, str, bool]] = field(default_factory=list)
    line_refusal: str | None = None
    lamp_tests: int = 0
    _listeners: list[Callable[[DeskSnapshot], None]] = field(default_factory=list)

    def clock(self) -> float:
        """The (frozen or advanced) monotonic time."""
        return self.now

    def subscribe(self, listener: Callable[[DeskSnapshot], None]) -> None:
        """Like `Engine.subscribe`."""
        self._listeners.append(listener)

    def publish(self, snapshot: DeskSnapshot) -> None:
        """Make this the desk's state and tell every listener, as the engine does."""
        self.snapshot = snapshot
        for listener in self._listeners:
            listener(snapshot)

    def intent(self, name: str) -> None:
        """Record an operator intent."""
        self.intents.append(name)

    def acknowledge(self, pair_id: str) -> bool:
        """Record an acknowledgement."""
        self.acknowledged.append(pair_id)
        return self.acknowledge_ok

    def recall_pick(self, number: int | None) -> bool:
        """Record a recall pick."""
        self.recalls.append(number)
        return True

    def add_note(self, text: str) -> bool:
        """Record a note."""
        self.notes.append(text)
        return True

    def enter_line(
        self, name: str, points: str, effective: str = "", *, on_call: bool = True
    ) -> str | None:
        """Record a line version entered (refused with `line_refusal` when set)."""
        self.lines.append((name, points, effective, on_call))
        return self.line_refusal

    def lamp_test(self) -> None:
        """Count lamp tests."""
        self.lamp_tests += 1

    def set_operator(self, operator: str) -> None:
        """Record the sign-on and publish it, as the engine does."""
        self.operators.append(operator)
        self.publish(replace(self.snapshot, operator=operator))


@dataclass
class HandsLog:
    """Bench hands that only record what they were asked to do."""

    done: list[str] = field(default_factory=list)

    def press(self, pressed: bool) -> None:
        """Record a PTT pin press or release."""
        self.done.append(f"press {pressed}")

    def far(self, action: str, *args: bool) -> bool:
        """Record a far-end action."""
        self.done.append(" ".join(["far", action, *map(str, args)]))
        return True

    def unplug(self) -> None:
        """Record an unplug."""
        self.done.append("unplug")

    def plug(self) -> None:
        """Record a plug."""
        self.done.append("plug")
