"""`hotline service` with one control command more, `debug-stall`, which blocks the event loop for
a given time as a bug would: the watchdog test's way to stall a real service.

The command exists only in a process started through this module (`python -m
tests.rigs.stalling_service service --config ...`): it registers it on the desk's control server
before the CLI runs. The installed `hotline` has no such command, whatever its environment says.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import terminal.desk
from terminal.attach.server import DeskControl
from terminal.control import Client


class StallingDeskControl(DeskControl):
    """The desk's control commands and `debug-stall`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server.handlers["debug-stall"] = self.stall

    def stall(self, request: dict[str, Any], client: Client) -> dict[str, Any]:
        seconds = request.get("seconds")
        if not isinstance(seconds, int | float) or not 0 < seconds <= 10:
            return {"ok": False, "error": "seconds must be a number in (0, 10]"}
        time.sleep(seconds)
        return {"ok": True}


def main() -> int:
    terminal.desk.DeskControl = StallingDeskControl  # type: ignore[misc]
    from terminal.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
