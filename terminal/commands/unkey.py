"""`hotline unkey`: Force the radio bridge to unkey the transmitter."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `unkey` to the parser."""
    parser = sub.add_parser("unkey", help="Force the radio bridge to unkey the transmitter.", description="Force the radio bridge to unkey the transmitter.")
    parser.set_defaults(handler=_not_built("unkey", "issue 3 (fail-safe unkey)"))
