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


class _VersionAction(argparse.Action):
    """`--version`: the package's version, read from its metadata only when asked for
    (`importlib.metadata` costs every other command ~25 ms of start-up)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit")  # fmt: skip

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"hotline-terminal {package_version()}")
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. Without `argv`, every subcommand's module registers its full parser;
    with the command line about to be parsed, only the subcommand it names does (the others are
    their help lines: `terminal.commands.register_all`), so a command imports its own module."""
    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Operator desk terminal for an air-deconfliction hotline.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from terminal import commands

    commands.register_all(sub, "" if argv is None else commands.chosen(argv))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen subcommand; return its exit code."""
    from terminal import i18n

    i18n.use(i18n.from_locale())  # a command that loads a configuration may choose again
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
