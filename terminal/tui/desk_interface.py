"""What the console needs of the desk: the engine's state and intents, and at the bench the
rig's hands. The console never reaches past these to the hardware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from terminal.snapshot import DeskSnapshot


class DeskInterface(Protocol):
    """The engine as the console sees it (`terminal.engine.Engine` is one)."""

    snapshot: DeskSnapshot

    def clock(self) -> float:
        """Now, in the engine's loop-clock seconds (the call's timers count in these)."""

    def subscribe(self, listener: Callable[[DeskSnapshot], None]) -> None:
        """Call `listener` on the loop thread with every new snapshot."""

    def intent(self, name: str) -> None:
        """answer, call, hangup, reject, ptt_toggle, ..."""

    def acknowledge(self, pair_id: str) -> bool:
        """Acknowledge an open alert."""

    def recall_pick(self, number: int | None) -> bool:
        """Replay received transmission `number` of the recall list (None: the recall key's
        choice) on the headset."""

    def add_note(self, text: str) -> bool:
        """A note on the current (or last) call."""

    def enter_line(
        self, name: str, points: str, effective: str = "", *, on_call: bool = True
    ) -> str | None:
        """A new version of the deconfliction line: None when entered, else what is wrong."""

    def lamp_test(self) -> None:
        """Light each LED in turn."""

    def set_operator(self, operator: str) -> None:
        """The operator on duty signs on."""


class BenchHands(Protocol):
    """The bench operator's hands on the simulated hardware (`terminal.benchrig.BenchRig`)."""

    def press(self, pressed: bool) -> None:
        """Press or release the PTT button's mock pin."""

    def far(self, action: str, *args: bool) -> bool:
        """The far end: ring, answer, hangup, rx (with True/False)."""

    def unplug(self) -> None:
        """Pull the bridge cable out."""

    def plug(self) -> None:
        """Plug the bridge cable back in."""
