"""A call-control driver on a fake monotonic clock, shared by the core tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from terminal.core import (
    AnswerPressed,
    CallControl,
    CallPressed,
    CallSettings,
    CallView,
    Effect,
    Event,
    FarAnswered,
    Notice,
    PttPressed,
    RingReceived,
    Tick,
)

T0 = 1000.0  # the fake clock starts away from zero, so no test can lean on `at == 0`


class Desk:
    """A `CallControl` fed through a fake clock; every effect is kept in `effects`."""

    def __init__(self, settings: CallSettings | None = None, *, link_up: bool = True) -> None:
        self.cc = CallControl(settings, link_up=link_up)
        self.clock = T0
        self.events: list[Event] = []
        self.effects: list[Effect] = []

    @property
    def state(self) -> CallView:
        return self.cc.state

    def send(
        self, kind: Callable[..., Event], /, *, after: float = 0.0, **fields: Any
    ) -> list[Effect]:
        """Advance the clock by `after`, then feed one event of `kind` stamped with it."""
        self.clock += after
        event = kind(at=self.clock, **fields)
        self.events.append(event)
        out = self.cc.handle(event)
        self.effects.extend(out)
        return out

    def tick_at(self, t: float) -> list[Effect]:
        """A timer tick at absolute time `t`."""
        self.clock = t
        return self.send(Tick)

    @staticmethod
    def plain(out: list[Effect]) -> list[Effect]:
        """The effects without console notices (their wording may change)."""
        return [e for e in out if not isinstance(e, Notice)]

    @staticmethod
    def levels(out: list[Effect]) -> list[str]:
        """The levels of the console notices, in order."""
        return [e.level for e in out if isinstance(e, Notice)]

    def ringing(self) -> None:
        self.send(RingReceived)

    def calling(self) -> None:
        self.send(CallPressed)

    def connected(self) -> None:
        self.send(RingReceived)
        self.send(AnswerPressed)

    def connected_out(self) -> None:
        self.send(CallPressed)
        self.send(FarAnswered)

    def keyed(self) -> None:
        self.connected()
        self.send(PttPressed)
        assert self.state.keyed


@pytest.fixture
def desk() -> Desk:
    """A desk with the default settings and the bridge link up."""
    return Desk()


@pytest.fixture
def make_desk() -> Callable[..., Desk]:
    """Build a desk with other settings or link state."""
    return Desk
