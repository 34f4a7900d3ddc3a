"""`hotline report`: the shift handover report of a time range, as one HTML file (docs/report.md).

Exit codes: 0 written, 1 the log could not be read or the file not written, 2 usage (a bad or
empty range), 78 the configuration cannot be loaded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK, EX_USAGE
from terminal.commands.log import when_type
from terminal.config import INSTALLED_CONFIG, Config, ConfigError, load_config
from terminal.config.rules import parse_line_points
from terminal.i18n import _, use_configured
from terminal.log import DB_NAME, LogError
from terminal.report import write_report
from terminal.zulu import now_ms, to_iso

DEFAULT_HOURS = 12
"""With no --since: the last 12 hours (a shift)."""
HOUR_MS = 3_600_000


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `report` to the parser."""
    parser = sub.add_parser(
        "report",
        help="Write the shift handover report (HTML) of a time range.",
        description=(
            "Write one self-contained HTML file: the calls, alerts, link outages, desk stops and "
            "clock faults of a time range, the record's head fingerprint and a map. "
            f"The range defaults to the last {DEFAULT_HOURS} hours."
        ),
    )
    parser.add_argument(
        "--config", type=Path, default=None,
        help=f"configuration, for the log and the line (default: {INSTALLED_CONFIG})",
    )  # fmt: skip
    parser.add_argument("--db", type=Path, help=f"the database (default: log.directory/{DB_NAME})")
    when = when_type(now_ms())
    parser.add_argument(
        "--since", type=when,
        help=f"from (12h, 7d, 2026-05-09, 2026-05-09T07:30Z; default: {DEFAULT_HOURS}h)",
    )  # fmt: skip
    parser.add_argument("--until", type=when, help="up to, not including (same forms; now)")
    parser.add_argument(
        "--out", "-o", type=Path,
        help="the HTML file (default: shift-report-<until>.html in the current directory)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def default_range(now: int, since: int | None, until: int | None) -> tuple[int, int]:
    """The range to report: until now, since 12 hours before `until`, unless given."""
    end = now if until is None else until
    return (end - DEFAULT_HOURS * HOUR_MS if since is None else since), end


def report_name(until_ms: int) -> str:
    """`shift-report-20261207T1900Z.html`."""
    stamp = to_iso(until_ms)
    return f"shift-report-{stamp[0:4]}{stamp[5:7]}{stamp[8:13]}{stamp[14:16]}Z.html"


def configured_line(config: Config | None) -> tuple[tuple[tuple[float, float], ...], str]:
    """The deconfliction line of the configuration, and its id (none without one)."""
    if config is None:
        return (), ""
    return parse_line_points(config.alerts.line_points), config.alerts.line_id


def shift_report_action(config: Config) -> Callable[[], str]:
    """The console's shift-report key: the last 12 hours to <log.directory>/reports/."""
    line, line_id = configured_line(config)
    directory = config.log.directory

    def write() -> str:
        since, until = default_range(now_ms(), None, None)
        out = directory / "reports" / report_name(until)
        facts = write_report(directory / DB_NAME, out, since, until, line=line, line_id=line_id)
        return _(
            "Shift report written: {out} ({calls} calls, {alerts} alerts, "
            "{open} open; head {fingerprint})."
        ).format(out=out, calls=len(facts.calls), alerts=facts.alerts_total,
                 open=facts.open_total, fingerprint=facts.fingerprint)  # fmt: skip

    return write


def run(args: argparse.Namespace) -> int:
    """Write the report."""
    since, until = default_range(now_ms(), args.since, args.until)
    if since >= until:
        print(
            "hotline report: "
            + _("--since {since} is not before --until {until}: nothing to report").format(
                since=to_iso(since), until=to_iso(until)),
            file=sys.stderr,
        )  # fmt: skip
        return EX_USAGE
    config: Config | None = None
    config_path = args.config if args.config is not None else INSTALLED_CONFIG
    if args.db is None or args.config is not None or config_path.exists():
        try:
            config = load_config(config_path)
        except ConfigError as exc:
            where = _("configuration {path}:").format(path=config_path)
            print(f"hotline report: {where}\n{exc}", file=sys.stderr)
            return EX_CONFIG
        use_configured(config.desk.language)
    if args.db is not None:
        db = Path(args.db)
    elif config is not None:
        db = config.log.directory / DB_NAME
    else:  # pragma: no cover - without --db the configuration is always loaded
        return EX_USAGE
    out = args.out if args.out is not None else Path(report_name(until))
    line, line_id = configured_line(config)
    try:
        facts = write_report(db, out, since, until, line=line, line_id=line_id)
    except (LogError, OSError) as exc:
        print(f"hotline report: {exc}", file=sys.stderr)
        return EX_FAIL
    print(
        _("wrote {out}: {since} to {until}, {calls} calls, {alerts} alerts ({open} open at "
          "handover), {outages} outages and faults; head {head_id} {fingerprint}").format(
            out=out, since=to_iso(since), until=to_iso(until), calls=len(facts.calls),
            alerts=facts.alerts_total, open=facts.open_total, outages=len(facts.outages),
            head_id=facts.head_id, fingerprint=facts.fingerprint)
    )  # fmt: skip
    return EX_OK
