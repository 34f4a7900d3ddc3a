"""The control socket's snapshot JSON, with each open alert's view serialized once: the same JSON
as converting the whole snapshot, and an unchanged alert's text reused, not serialized again."""

from __future__ import annotations

import json
from typing import Any

from hw.coproc import alert_event
from hw.sim.coproc import alert_message
from hw.sim.tracks.scenarios import make
from terminal.attach.server import DeskControl
from terminal.attach.wire import to_json
from terminal.core.calls import CallSettings
from terminal.engine import Engine, EngineOptions
from terminal.kernel.watch import Issue, Watch


class _NoServer:
    def __init__(self) -> None:
        self.clients: dict[int, Any] = {}

    def broadcast(self, _snapshot: object) -> None:
        pass


def test_alert_views_are_converted_once_and_the_json_is_the_same() -> None:
    engine = Engine(EngineOptions(call=CallSettings()))
    control = DeskControl(engine, lambda: True, lambda _h, _g: _NoServer())  # type: ignore[arg-type,return-value]
    found = Watch().cycle(make("burst:30").picture(0.0), 0.0, 0)
    events = [alert_event(alert_message(Issue(k + 1, f)), "B0070001", 0.0, 0)  # type: ignore[arg-type]
              for k, f in enumerate(found)]  # fmt: skip
    assert len(events) == 30
    previous: dict[str, Any] = {}
    for event in events:
        engine.alert_event(event)
        snap = engine.snapshot
        encoded = json.loads(control._encode(snap).text)
        assert encoded == to_json(snap)
        shown = {json.loads(text)["pair_id"]: text for _view, text in control._alert_json.values()}
        assert len(shown) == len(encoded["alerts"])
        reused = [pid for pid in previous if pid in shown and shown[pid] is previous[pid]]
        assert len(reused) == len(previous)  # every alert already shown: its JSON reused
        previous = shown
    assert len(previous) == 30
