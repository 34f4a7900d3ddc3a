"""`hotline bench`: Run the whole unit against simulated hardware."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `bench` to the parser."""
    parser = sub.add_parser("bench", help="Run the whole unit against simulated hardware.", description="Run the whole unit against simulated hardware.")
    parser.set_defaults(handler=_not_built("bench", "issue 3 (bench mode)"))
