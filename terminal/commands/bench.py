"""`hotline bench`: the whole desk against simulators, on any machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK
from terminal.config import Config, ConfigError, bench_config, load_config


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `bench` to the parser."""
    parser = sub.add_parser(
        "bench",
        help="Run the whole unit against simulated hardware.",
        description="Run the desk wired over pseudo-terminals to the radio-bridge simulator, "
        "with gpiozero's mock pins, under the operator console (press ? for the keys). "
        "With --headless (or without a terminal): event lines, commands on stdin.",
    )
    parser.add_argument("--config", type=Path, help="configuration file (default: built-in bench)")
    parser.add_argument("--log-dir", type=Path, help="where the record goes (overrides config)")
    parser.add_argument(
        "--headless", action="store_true", help="print each event as a line (for scripts)"
    )
    parser.set_defaults(handler=run)


def bench_settings(args: argparse.Namespace) -> Config:
    """The configuration for this bench run (raises ConfigError)."""
    config = load_config(args.config) if args.config else bench_config()
    if args.log_dir:
        config = replace(config, log=replace(config.log, directory=args.log_dir.resolve()))
    return config


def run(args: argparse.Namespace) -> int:
    """Validate, then run the bench until `quit`, SIGINT or SIGTERM."""
    try:
        config = bench_settings(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EX_CONFIG
    if not args.headless:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return _run_console(config)
        print("hotline bench: not a terminal; running headless (--headless)", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_main(config))
    except Exception as exc:
        print(f"hotline bench: {exc}", file=sys.stderr)
        return EX_FAIL
    return EX_OK


def _run_console(config: Config) -> int:
    """The operator console on the bench rig (the interactive `hotline bench`)."""
    from terminal.tui.run import log_to_file

    logfile = log_to_file(config.log.directory, "bench-console.log")
    try:
        reason = asyncio.run(_console(config))
    except Exception as exc:
        print(f"hotline bench: {exc} (see {logfile})", file=sys.stderr)
        return EX_FAIL
    print(f"hotline bench: stopped ({reason}); transmitter unkeyed", file=sys.stderr)
    return EX_FAIL if reason.startswith(("console crashed", "exception")) else EX_OK


async def _console(config: Config) -> str:
    from terminal.benchrig import BenchRig
    from terminal.tui.app import ConsoleApp
    from terminal.tui.run import run_console

    config.log.directory.mkdir(parents=True, exist_ok=True)
    rig = BenchRig(config)
    banner = (
        f"Bench: radio bridge simulator on {rig.radio_pty.slave_path}. "
        "Press 1 to make the far end ring, ? for every key."
    )
    name = f"{config.desk.site}/{config.desk.id}"

    def make_app() -> ConsoleApp:
        return ConsoleApp(rig.desk.engine, hands=rig, desk_name=name, banner=banner)

    return await run_console(rig.desk, make_app, engine=rig.desk.engine, prepare=rig._start_sims)


async def _main(config: Config) -> None:
    from terminal.benchrig import BenchRig
    from terminal.fronts.lines import LineFront

    config.log.directory.mkdir(parents=True, exist_ok=True)
    rig = BenchRig(config)
    stop = asyncio.Event()
    front = LineFront(rig, stop)
    front.say(
        "bench",
        f"radio bridge simulator on {rig.radio_pty.slave_path}; "
        f"control socket {config.log.directory / 'control.sock'}; type help",
    )
    front.attach_stdin()
    await rig.run_until(stop)
    front.say("bench", "stopped; transmitter unkeyed")
