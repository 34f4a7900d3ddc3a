"""The live desk state a supervisor sees (retained): call state, link health, open alerts (pure).

Only what changes with the desk's state goes in (no "last heard" times, which tick every second),
so equal states compare equal and a retained message is sent only on a change.
"""

from __future__ import annotations

from typing import Any

from terminal.snapshot import DeskSnapshot


def desk_state(snap: DeskSnapshot) -> dict[str, Any]:
    """The JSON-ready state of a desk snapshot."""
    call = snap.call
    return {
        "call": {
            "state": snap.display,
            "direction": call.direction,
            "keyed": call.keyed,
            "rx": call.rx,
        },
        "operator": snap.operator,
        "links": {h.name: {"up": h.up, "detail": h.detail} for h in snap.health}
        or {name: {"up": up, "detail": ""} for name, up in snap.links.items()},
        "faults": list(snap.faults),
        "alerts": [
            {"pair_id": a.pair_id, "severity": a.severity, "kind": a.kind,
             "acknowledged_by": a.acknowledged_by, "first_seen_utc": a.first_seen_utc}
            for a in snap.alerts
        ],
    }
