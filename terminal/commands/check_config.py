"""`hotline check-config`: Validate a configuration file."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `check-config` to the parser."""
    parser = sub.add_parser("check-config", help="Validate a configuration file.", description="Validate a configuration file.")
    parser.set_defaults(handler=_not_built("check-config", "issue 2"))
