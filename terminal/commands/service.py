"""`hotline service`: Run the headless service (for systemd)."""

from __future__ import annotations

import argparse
from typing import Any

from terminal.cli import _not_built


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `service` to the parser."""
    parser = sub.add_parser("service", help="Run the headless service (for systemd).", description="Run the headless service (for systemd).")
    parser.set_defaults(handler=_not_built("service", "issue 8 (service)"))
