"""The control socket's commands for one desk: state, snapshots, operator intents, unkey.

One console at a time holds the controls (`control`); while one does, the others may watch but
not act. With nobody holding them, any allowed client may act (one-shot tools). `unkey` is always
allowed: it only ever makes the desk safer.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from typing import Any

from terminal.attach.wire import to_json
from terminal.control import Client, ControlServer, RawJson
from terminal.engine import OPERATOR_INTENTS, Engine
from terminal.snapshot import DeskSnapshot
from terminal.views import AlertView

ACTING = ("intent", "ack", "note", "lamp_test", "operator", "recall", "line")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class DeskControl:
    """Binds a ControlServer to an engine (and the radio link's forced unkey)."""

    def __init__(
        self,
        engine: Engine,
        force_unkey: Callable[[], bool],
        server_factory: Callable[[dict[str, Any], Callable[[Client], None]], ControlServer],
    ) -> None:
        self.engine = engine
        self._force_unkey = force_unkey
        self.controller: Client | None = None
        handlers: dict[str, Any] = {
            "unkey": self.unkey,
            "state": self.state,
            "subscribe": self.subscribe,
            "control": self.control,
            "intent": self._acting(self.intent),
            "ack": self._acting(self.ack),
            "note": self._acting(self.note),
            "lamp_test": self._acting(self.lamp_test),
            "operator": self._acting(self.operator),
            "recall": self._acting(self.recall),
            "line": self._acting(self.line),
        }
        self._alert_json: dict[int, tuple[AlertView, str]] = {}
        self.server = server_factory(handlers, self._disconnected)
        engine.subscribe(self._published)

    def _published(self, snap: DeskSnapshot) -> None:
        if any(c.subscribed for c in self.server.clients.values()):
            # Converted when it is sent, once for all clients: in a burst most snapshots are
            # replaced by a newer one before their turn comes.
            self.server.broadcast(functools.cache(lambda: self._encode(snap)))

    def _encode(self, snap: DeskSnapshot) -> RawJson:
        """The snapshot as JSON text. The alert book keeps one view object per open alert until
        the alert changes, so each view's text is kept while the same object is shown: a new alert
        costs its own conversion, not that of the 200 already on the list."""
        kept, fresh = self._alert_json, {}
        alerts = []
        for view in snap.alerts:
            hit = kept.get(id(view))
            if hit is None or hit[0] is not view:
                hit = (view, _dumps(to_json(view)))
            fresh[id(view)] = hit
            alerts.append(hit[1])
        self._alert_json = fresh  # only the latest snapshot's views are kept
        parts = (
            f"{_dumps(f.name)}:"
            + ("[" + ",".join(alerts) + "]" if f.name == "alerts"
               else _dumps(to_json(getattr(snap, f.name))))
            for f in dataclasses.fields(snap)
        )  # fmt: skip
        return RawJson("{" + ",".join(parts) + "}")

    def _disconnected(self, client: Client) -> None:
        if self.controller is client:
            self.controller = None
            self.engine.notice("warning", f"Console {client.id} detached; controls released.")

    def _acting(self, handler: Callable[[dict[str, Any], Client], dict[str, Any]]
                ) -> Callable[[dict[str, Any], Client], dict[str, Any]]:
        def guarded(request: dict[str, Any], client: Client) -> dict[str, Any]:
            holder = self.controller
            if holder is not None and holder is not client:
                return {
                    "ok": False,
                    "error": f"the controls are held by console {holder.id}"
                    f" (pid {holder.peer.pid})",
                }
            return handler(request, client)

        return guarded

    # --- commands ---

    def unkey(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        if not self._force_unkey():
            return {"ok": False, "error": "the radio bridge link is down"}
        self.engine.notice("warning", "Forced UNKEY sent to the radio bridge (hotline unkey).")
        return {"ok": True, "detail": "UNKEY(FORCE) sent to the radio bridge"}

    def state(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        snap = self.engine.snapshot
        return {
            "ok": True,
            "state": snap.display,
            "call_id": snap.call.call_id,
            "keyed": snap.call.keyed,
            "links": snap.links,
            "health": to_json(snap.health),
            "operator": snap.operator,
            "controller": self.controller.id if self.controller else None,
        }

    def subscribe(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        client.subscribed = True
        client.offer(to_json(self.engine.snapshot))
        return {"ok": True, "client": client.id}

    def control(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        take = request.get("take", True)
        if not isinstance(take, bool):
            return {"ok": False, "error": '"take" must be true or false'}
        if not take:
            if self.controller is client:
                self.controller = None
            return {"ok": True, "controller": self.controller.id if self.controller else None}
        holder = self.controller
        if holder is not None and holder is not client and request.get("force") is not True:
            return {
                "ok": False,
                "error": f"the controls are held by console {holder.id} (pid {holder.peer.pid}); "
                'send "force": true to take them over',
            }
        if holder is not None and holder is not client:
            self.engine.notice(
                "warning", f"Console {client.id} took the controls from {holder.id}."
            )
        self.controller = client
        return {"ok": True, "controller": client.id}

    def intent(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        name = request.get("name")
        if name not in OPERATOR_INTENTS:
            allowed = ", ".join(OPERATOR_INTENTS)
            return {"ok": False, "error": f"unknown intent {name!r}; allowed: {allowed}"}
        self.engine.intent(str(name))
        return {"ok": True, "state": self.engine.snapshot.display}

    def ack(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        pair = request.get("pair_id")
        if not isinstance(pair, str):
            return {"ok": False, "error": '"pair_id" must be a string'}
        if not self.engine.acknowledge(pair):
            return {"ok": False, "error": f"no open alert {pair!r} to acknowledge"}
        return {"ok": True}

    def recall(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        number = request.get("number")
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            return {"ok": False, "error": '"number" must be an integer or null'}
        if not self.engine.recall_pick(number):
            return {"ok": False, "error": "nothing to recall (the notice says why)"}
        return {"ok": True}

    def note(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        text = request.get("text")
        if not isinstance(text, str) or not 0 < len(text) <= 2000:
            return {"ok": False, "error": '"text" must be a string of 1..2000 characters'}
        if not self.engine.add_note(text):
            return {"ok": False, "error": "no call to attach the note to"}
        return {"ok": True}

    def line(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        """A new version of the deconfliction line (docs/attach.md)."""
        name, points = request.get("name"), request.get("points")
        effective, on_call = request.get("effective", ""), request.get("on_call", True)
        if not isinstance(name, str) or not isinstance(points, str) or len(points) > 2000:
            why = '"name" and "points" must be strings (points: "lat,lon; ...", 2000 chars at most)'
            return {"ok": False, "error": why}
        if not isinstance(effective, str) or not isinstance(on_call, bool):
            return {"ok": False, "error": '"effective" must be a string, "on_call" a bool'}
        wrong = self.engine.enter_line(name, points, effective, on_call=on_call)
        if wrong is not None:
            return {"ok": False, "error": wrong}
        return {"ok": True, "version": self.engine.lines.latest.version}  # type: ignore[union-attr]

    def lamp_test(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        self.engine.lamp_test()
        return {"ok": True}

    def operator(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        who = request.get("id")
        if not isinstance(who, str) or not who.strip() or len(who) > 32:
            return {"ok": False, "error": '"id" must be 1..32 characters'}
        self.engine.set_operator(who.strip())
        return {"ok": True}
