"""Subcommands of `hotline`: one module each, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.commands import (
    audio,
    bench,
    check_config,
    conformance,
    console,
    coproc,
    log,
    report,
    service,
    sim,
    tail,
    unkey,
)

_MODULES = (
    console, bench, service, check_config, log, sim, unkey, audio, coproc, tail, conformance,
    report,
)  # fmt: skip


def register_all(sub: argparse._SubParsersAction[Any]) -> None:
    """Add every subcommand to the `hotline` parser."""
    for module in _MODULES:
        module.register(sub)
