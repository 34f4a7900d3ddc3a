"""`hotline log`: Query, export and verify the call and alert log."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `log` to the parser."""
    parser = sub.add_parser("log", help="Query, export and verify the call and alert log.", description="Query, export and verify the call and alert log.")
    parser.set_defaults(handler=_not_built("log", "issue 4 (the record)"))
