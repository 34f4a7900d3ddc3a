"""The `hotline` command: one entry point, a subcommand for each way the desk is used.

Each subcommand validates its arguments and the configuration before it touches any hardware.
Exit codes follow sysexits: 0 ok, 1 runtime failure, 2 usage error, 69 unavailable (a service
such as the MQTT broker cannot be reached), 78 configuration error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

EX_OK = 0
EX_FAIL = 1
EX_USAGE = 2
EX_UNAVAILABLE = 69
EX_CONFIG = 78

Handler = Callable[[argparse.Namespace], int]


def package_version() -> str:
    """The installed hotline-terminal's version (its metadata), or "unknown" when the code runs
    from a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hotline-terminal")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Operator desk terminal for an air-deconfliction hotline.",
    )
    parser.add_argument(
        "--version", action="version", version=f"hotline-terminal {package_version()}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from terminal import commands

    commands.register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen subcommand; return its exit code."""
    from terminal import i18n

    i18n.use(i18n.from_locale())  # a command that loads a configuration may choose again
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
