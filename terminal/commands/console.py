"""`hotline console`: Run the operator console on the configured hardware."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `console` to the parser."""
    parser = sub.add_parser(
        "console",
        help="Run the operator console on the configured hardware.",
        description="Run the operator console on the configured hardware.",
    )
    parser.set_defaults(handler=_not_built("console", "issue 6 (operator console)"))
