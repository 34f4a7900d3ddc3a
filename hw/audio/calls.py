"""Recording follows the call: from answer to hang-up, with a mark at each transmission edge.

`CallRecording` listens to the engine's event stream (`Engine.on_event`, on the loop thread): it
needs only each item's `type` and `call_id`, as `dataclasses.asdict` gives them for the core's
CallAnswered, TransmissionStarted, TransmissionEnded and CallEnded records, and the bridge's RX
reports (`RxChanged` events, `active`; `LinkDown` ends a reception), which it marks as the far
end's transmissions (`rx_start` / `rx_end`) for instant recall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from hw.audio.marks import RecordingInfo

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """What `CallRecording` needs of a recorder (`CallRecorder` or `NullRecorder`)."""

    def start_recording(self, call_id: int, directory: Path) -> Path | None:
        """Begin a recording."""

    def mark_transmission(self, edge: Any) -> int | None:
        """Mark a transmission edge."""

    def mark_reception(self, edge: Any) -> int | None:
        """Mark an edge of the far end's transmission (RX)."""

    def stop_recording(self, open_calls: Any = ()) -> RecordingInfo | None:
        """End the recording."""


class CallRecording:
    """An engine event listener that starts, marks and stops the call recording."""

    def __init__(
        self,
        recorder: Recorder,
        directory: Path,
        on_finished: Callable[[int, RecordingInfo], None] | None = None,
    ) -> None:
        self.recorder = recorder
        self.directory = directory
        self.on_finished = on_finished
        self.call_id: int | None = None
        self.rx = False  # the far end transmits (the bridge's last RX report)

    def __call__(self, kind: str, item: Mapping[str, Any]) -> None:
        """Take one engine event or effect; the call records and the RX reports matter."""
        if kind == "event":
            self._event(item)
            return
        if kind != "effect":
            return
        kind_of = item.get("type")
        call_id = item.get("call_id")
        if kind_of == "CallAnswered" and isinstance(call_id, int):
            self.call_id = call_id
            self.recorder.start_recording(call_id, self.directory)
            if self.rx:  # the far end was already talking as the call connected
                self.recorder.mark_reception("start")
        elif self.call_id is None or call_id != self.call_id:
            return
        elif kind_of == "TransmissionStarted":
            self.recorder.mark_transmission("start")
        elif kind_of == "TransmissionEnded":
            self.recorder.mark_transmission("end")
        elif kind_of == "CallEnded":
            ended, self.call_id = self.call_id, None
            info = self.recorder.stop_recording()
            if info is not None:
                log.info("call %d recorded: %s, %.1f s, %d transmission(s)", ended,
                         info.path.name, info.seconds, len(info.transmissions))  # fmt: skip
                if self.on_finished is not None:
                    self.on_finished(ended, info)

    def _event(self, item: Mapping[str, Any]) -> None:
        kind_of = item.get("type")
        if kind_of == "RxChanged":
            active = item.get("active") is True
        elif kind_of == "LinkDown":
            active = False
        else:
            return
        if active == self.rx:
            return
        self.rx = active
        if self.call_id is not None:
            self.recorder.mark_reception("start" if active else "end")
