"""`hotline sim`: Run a simulator (radio bridge or co-processor) on a serial port."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `sim` to the parser."""
    parser = sub.add_parser("sim", help="Run a simulator (radio bridge or co-processor) on a serial port.", description="Run a simulator (radio bridge or co-processor) on a serial port.")
    parser.set_defaults(handler=_not_built("sim", "issue 3 (simulators)"))
