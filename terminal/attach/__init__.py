"""Attach: consoles on top of a running service, over its Unix control socket.

`wire` turns a DeskSnapshot into JSON and back; `server` serves snapshots and takes operator
intents (one console at a time holds the controls); `client` is a RemoteEngine that a console uses
exactly as it would use the engine itself. The protocol is documented in docs/attach.md.
"""
