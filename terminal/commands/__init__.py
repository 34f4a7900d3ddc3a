"""Subcommands of `hotline`: one module each, each with `register(subparsers)`.

Only the module of the subcommand being run is imported: the others are listed in `hotline
--help` from `SUBCOMMANDS` (name and one-line help, kept equal to what each module registers by
tests/perf/test_lazy_dispatch.py), so `hotline service` does not load the log's query and export
code, the report, the MQTT client's helpers or the bench rig's configuration.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any, NamedTuple


class Subcommand(NamedTuple):
    """A subcommand: its name on the command line, its module, its line in `hotline --help`."""

    name: str
    module: str
    help: str


SUBCOMMANDS = (
    Subcommand("console", "console", "Run the operator console on the configured hardware."),
    Subcommand("bench", "bench", "Run the whole unit against simulated hardware."),
    Subcommand("service", "service", "Run the headless service (for systemd)."),
    Subcommand("check-config", "check_config", "Validate a configuration file."),
    Subcommand("log", "log", "Query, export and verify the call and alert log."),
    Subcommand("sim", "sim", "Run a simulator (radio bridge or co-processor) on a serial port."),
    Subcommand("unkey", "unkey", "Force the radio bridge to unkey the transmitter."),
    Subcommand("audio", "audio", "List sound devices; play each tone."),
    Subcommand(
        "coproc", "coproc",
        "Run the co-processor: tracks in, proximity alerts out on a serial port.",
    ),
    Subcommand(
        "tail", "tail", "Print every desk's records from the MQTT broker as they come."
    ),
    Subcommand(
        "conformance", "conformance",
        "Check a radio bridge or co-processor against docs/protocol.md.",
    ),
    Subcommand("report", "report", "Write the shift handover report (HTML) of a time range."),
)  # fmt: skip


def chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on a command line (its first word not an option), if any.

    `hotline`'s own options (-h, --version) take no value, so the first other word is the
    subcommand's name (or a mistake argparse reports)."""
    return next((word for word in argv if not word.startswith("-")), None)


def module_of(name: str) -> Any:
    """The module of subcommand `name` (imported now)."""
    (command,) = (c for c in SUBCOMMANDS if c.name == name)
    return importlib.import_module(f"terminal.commands.{command.module}")


def register_all(sub: argparse._SubParsersAction[Any], only: str | None = "") -> None:
    """Add every subcommand to the `hotline` parser.

    `only` "" (the default): every module is imported and registers its full parser. Otherwise
    only the subcommand `only` (None: none, as for `hotline --help`) is registered by its module;
    each other is a name and a help line, enough for `hotline --help` and for argparse to
    accept or refuse the name."""
    for command in SUBCOMMANDS:
        if only == "" or command.name == only:
            module_of(command.name).register(sub)
        else:
            sub.add_parser(command.name, help=command.help)
