"""SVG snapshots of the main screen (pytest-textual-snapshot): constructed desk snapshots and a
frozen clock, so every run draws the same picture. Update with `--snapshot-update` after a
deliberate change, and look at the diff report first."""

from __future__ import annotations

import pytest
from tui_helpers import NARROW, WIDE, make_app

from terminal.snapshot import NoticeLine
from terminal.tui.samples import critical_alerts, link_fault_health, snapshot, todays_calls

FAULT_LINKS = {"radio": False, "coproc": True, "gpio": True, "log": True, "audio": True}
CASES = {
    "idle": lambda: snapshot("IDLE", calls=todays_calls()),
    "ringing": lambda: snapshot("RINGING", calls=todays_calls()),
    "transmitting": lambda: snapshot("TRANSMITTING", calls=todays_calls()),
    "critical_alert": lambda: snapshot("CONNECTED", alerts=critical_alerts(), calls=todays_calls()),
    "link_fault": lambda: snapshot(
        "IDLE",
        links=FAULT_LINKS,
        health=link_fault_health(),
        calls=todays_calls(),
        faults=("radio: no heartbeat from the bridge for 3 s",),
        notices=(NoticeLine("2026-11-25T07:09:44.120Z", "error", "radio: link down."),),
    ),
}


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
@pytest.mark.parametrize("case", list(CASES))
def test_main_screen(snap_compare, case: str, size: tuple[int, int]) -> None:
    app, _, _ = make_app(CASES[case]())
    assert snap_compare(app, terminal_size=size)


def test_bench_ringing(snap_compare) -> None:
    app, _, _ = make_app(snapshot("RINGING", calls=todays_calls()), bench=True)
    assert snap_compare(app, terminal_size=(100, 30))
