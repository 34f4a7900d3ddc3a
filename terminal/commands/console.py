"""`hotline console`: the operator console on the configured hardware."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK
from terminal.config import INSTALLED_CONFIG, Config, ConfigError, load_config
from terminal.i18n import _, use_configured


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `console` to the parser."""
    parser = sub.add_parser(
        "console",
        help="Run the operator console on the configured hardware.",
        description="Run the desk (pins, radio bridge, log, control socket) with the operator "
        "console on this terminal. Quitting, SIGTERM, SIGHUP or a crash unkeys and hangs up.",
    )
    parser.add_argument(
        "--config", type=Path, default=INSTALLED_CONFIG, help=f"configuration ({INSTALLED_CONFIG})"
    )
    parser.add_argument(
        "--standalone", action="store_true",
        help="run the desk in this process even if a service is running (it will then fail to "
        "claim the pins and ports the service holds)",
    )
    parser.add_argument(
        "--watch", action="store_true",
        help="attach to the running service without taking the controls (a supervisor)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate the configuration before touching anything, then run until the operator quits."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EX_CONFIG
    use_configured(config.desk.language)
    from terminal.tui.run import log_to_file

    logfile = log_to_file(config.log.directory)
    attach = not args.standalone and _service_answers(config.service.socket)
    try:
        reason = asyncio.run(_attached(config, args.watch) if attach else _main(config, logfile))
    except Exception as exc:
        print("hotline console: " + _("{error} (see {logfile})").format(error=exc, logfile=logfile),
              file=sys.stderr)  # fmt: skip
        return EX_FAIL
    return EX_FAIL if reason.startswith(("console crashed", "exception")) else EX_OK


def _service_answers(socket: Path) -> bool:
    """Whether a running service answers on its control socket."""
    from terminal.control import request

    try:
        return bool(request(socket, "state", timeout_s=0.5).get("ok"))
    except (OSError, TimeoutError, ValueError):
        return False


async def _attached(config: Config, watch: bool) -> str:
    """The console on top of the running service: its state, our intents (docs/attach.md)."""
    from terminal.attach.client import RemoteEngine
    from terminal.tui.app import ConsoleApp
    from terminal.tui.run import run_console

    remote = RemoteEngine(config.service.socket, take_control=not watch)
    name = f"{config.desk.site}/{config.desk.id} (attached)"
    return await run_console(
        remote, lambda: ConsoleApp(remote, desk_name=name), engine=remote
    )


async def _main(config: Config, logfile: Path) -> str:
    from terminal.commands.report import shift_report_action
    from terminal.desk import Desk
    from terminal.tui.app import ConsoleApp
    from terminal.tui.run import run_console

    desk = Desk(config, control_socket=config.service.socket)
    name = f"{config.desk.site}/{config.desk.id}"
    return await run_console(
        desk,
        lambda: ConsoleApp(desk.engine, desk_name=name, report=shift_report_action(config)),
        engine=desk.engine,
        stderr_log=logfile,
    )
