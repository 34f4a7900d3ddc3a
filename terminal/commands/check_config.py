"""`hotline check-config`: Validate a configuration file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_OK
from terminal.config import ConfigError, load_config
from terminal.i18n import _, use_configured


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `check-config` to the parser."""
    parser = sub.add_parser(
        "check-config",
        help="Validate a configuration file.",
        description="Validate a configuration file: print every mistake, exit 78 if there are any.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the TOML file to check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the file; print `FILE: ok`, or every issue on stderr."""
    try:
        config = load_config(args.file)
    except ConfigError as err:
        for issue in err.issues:
            print(issue, file=sys.stderr)
        count = len(err.issues)
        problems = _("1 problem") if count == 1 else _("{count} problems").format(count=count)
        print(f"{args.file}: {problems}", file=sys.stderr)
        return EX_CONFIG
    use_configured(config.desk.language)
    print(f"{args.file}: " + _("ok"))
    return EX_OK
