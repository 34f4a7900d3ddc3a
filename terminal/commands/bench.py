"""`hotline bench`: the whole desk against simulators, on any machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK, EX_USAGE
from terminal.config import Config, ConfigError, bench_config, load_config
from terminal.i18n import _, use_configured

SCENARIO_NAMES = ("head-on", "line-crossing", "crowded", "burst", "reboot")
"""hw.sim.tracks.scenarios.SCENARIOS by name, for the help text: that module (and NumPy) is
imported only when a bench runs, not by every `hotline` command (a test keeps the two equal)."""
DEFAULT_SCENARIO = "head-on"
"""terminal.benchrig.DEFAULT_SCENARIO (a test keeps the two equal)."""


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
    parser.add_argument(
        "--scenario", default=DEFAULT_SCENARIO, metavar="NAME",
        help=f"the co-processor simulator's air picture: {', '.join(SCENARIO_NAMES)}, or none "
        f"(default {DEFAULT_SCENARIO})",
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, metavar="X",
        help="run the air picture X times faster than real time (default 1)",
    )
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class Sims:
    """What the simulators do on this bench run."""

    scenario: str | None
    time_scale: float


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
    use_configured(config.desk.language)
    from hw.sim.tracks.scenarios import SCENARIOS

    if args.scenario != "none" and args.scenario.partition(":")[0] not in SCENARIOS:
        known = ", ".join(SCENARIOS)
        print("hotline bench: " + _("--scenario {scenario} is not one of {known}, none").format(
              scenario=repr(args.scenario), known=known), file=sys.stderr)  # fmt: skip
        return EX_USAGE
    if not 0.1 <= args.time_scale <= 100:
        print("hotline bench: " + _("--time-scale must be in 0.1..100, got {value}").format(
              value=args.time_scale), file=sys.stderr)  # fmt: skip
        return EX_USAGE
    sims = Sims(None if args.scenario == "none" else args.scenario, args.time_scale)
    if not args.headless:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return _run_console(config, sims)
        print("hotline bench: " + _("not a terminal; running headless (--headless)"),
              file=sys.stderr)  # fmt: skip
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_main(config, sims))
    except Exception as exc:
        print(f"hotline bench: {exc}", file=sys.stderr)
        return EX_FAIL
    return EX_OK


def _run_console(config: Config, sims: Sims) -> int:
    """The operator console on the bench rig (the interactive `hotline bench`)."""
    from terminal.tui.run import log_to_file

    logfile = log_to_file(config.log.directory, "bench-console.log")
    try:
        reason = asyncio.run(_console(config, sims, logfile))
    except Exception as exc:
        print("hotline bench: " + _("{error} (see {logfile})").format(error=exc, logfile=logfile),
              file=sys.stderr)  # fmt: skip
        return EX_FAIL
    print("hotline bench: " + _("stopped ({reason}); transmitter unkeyed").format(reason=reason),
          file=sys.stderr)  # fmt: skip
    return EX_FAIL if reason.startswith(("console crashed", "exception")) else EX_OK


async def _console(config: Config, sims: Sims, logfile: Path) -> str:
    from terminal.benchrig import BenchRig
    from terminal.commands.report import shift_report_action
    from terminal.tui.app import ConsoleApp
    from terminal.tui.run import run_console

    config.log.directory.mkdir(parents=True, exist_ok=True)
    rig = BenchRig(config, scenario=sims.scenario, time_scale=sims.time_scale)
    banner = _(
        "Bench: radio bridge simulator on {path}. "
        "Press 1 to make the far end ring, ? for every key."
    ).format(path=rig.radio_pty.slave_path)
    name = f"{config.desk.site}/{config.desk.id}"

    def make_app() -> ConsoleApp:
        return ConsoleApp(rig.desk.engine, hands=rig, desk_name=name, banner=banner,
                          report=shift_report_action(config))  # fmt: skip

    return await run_console(
        rig.desk, make_app, engine=rig.desk.engine, prepare=rig._start_sims, stderr_log=logfile
    )


async def _main(config: Config, sims: Sims) -> None:
    from terminal.benchrig import BenchRig
    from terminal.fronts.lines import LineFront

    config.log.directory.mkdir(parents=True, exist_ok=True)
    rig = BenchRig(config, scenario=sims.scenario, time_scale=sims.time_scale)
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
