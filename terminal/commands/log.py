"""`hotline log`: query, export, verify and age the call and alert record; make the key that
signs its checkpoints, and write them out as a witness (docs/record.md).

The database is `<log.directory>/hotline.db` from the configuration, or `--db PATH`.
Exit codes: 0 ok, 1 verify found a problem or the log could not be read, 2 usage, 78 config.
Queries and verify open the file read-only, so they are safe while the terminal runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK, EX_USAGE
from terminal.config import INSTALLED_CONFIG, ConfigError, LogConfig, load_config
from terminal.log import (
    DB_NAME,
    LogError,
    LogReader,
    LogStore,
    VerifyReport,
    export,
    retain,
    verify,
    verify_archives,
)
from terminal.log.checkpoint import fingerprint, next_key_path
from terminal.log.formats import FORMATS, stream_rows
from terminal.log.retention import DAY_MS, held_back
from terminal.log.signing import generate, parse_public, public_path
from terminal.log.verify import Trust
from terminal.log.witness import checkpoint_lines
from terminal.zulu import now_ms, parse_when, to_iso


class _ConfigProblem(Exception):
    """The configuration could not be loaded (exit 78)."""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `log` and its actions to the parser."""
    parser = sub.add_parser(
        "log",
        help="Query, export and verify the call and alert log.",
        description="Query, export, verify and age the call and alert log.",
    )
    actions = parser.add_subparsers(dest="log_action", metavar="ACTION", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--config", type=Path, default=INSTALLED_CONFIG, help=f"configuration ({INSTALLED_CONFIG})"
    )
    where.add_argument(
        "--db", type=Path, help=f"the database file (default: log.directory/{DB_NAME})"
    )
    span = argparse.ArgumentParser(add_help=False)
    now = now_ms()
    when = when_type(now)
    span.add_argument("--since", type=when, help="from (24h, 7d, 2026-05-09, 2026-05-09T07:30Z)")
    span.add_argument("--until", type=when, help="up to, not including (same forms)")

    for name, what in (("calls", "calls that began"), ("alerts", "alerts that arrived")):
        query = actions.add_parser(
            name, parents=[where, span], help=f"List {what} in a time range (Zulu)."
        )
        query.add_argument("--format", choices=FORMATS, default="table", help="(default: table)")
        query.set_defaults(handler=_guard(_run_query))

    liner = actions.add_parser(
        "lines", parents=[where],
        help="List the deconfliction line's versions: number, name, in force from, who "
        "entered it, the call it was agreed on, its points.",
    )  # fmt: skip
    liner.add_argument("--format", choices=("table", "jsonl"), default="table",
                       help="(default: table)")  # fmt: skip
    liner.set_defaults(handler=_guard(_run_lines))

    exporter = actions.add_parser(
        "export", parents=[where, span], help="Write records, calls and alerts to a directory."
    )
    exporter.add_argument("directory", type=Path, metavar="DIR")
    exporter.set_defaults(handler=_guard(_run_export))

    checker = actions.add_parser(
        "verify",
        parents=[where],
        help="Check the hash chain and the tables; name the first altered record.",
    )
    checker.add_argument(
        "--archive",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="verify archive/export JSON-lines files (in chain order) instead of the database",
    )
    checker.add_argument("--no-integrity", action="store_true", help="skip SQLite's quick_check")
    checker.add_argument(
        "--key",
        action="append",
        metavar="PUB",
        help="check the signed checkpoints against this public key (ed25519:<hex> or a .pub "
        "file); repeat for a key that was lost and replaced",
    )
    checker.add_argument(
        "--witness",
        action="append",
        type=Path,
        metavar="FILE",
        help="check the log against the heads in this witness file (repeatable)",
    )
    checker.add_argument(
        "--desk", metavar="SITE/DESK", help="whose heads to take from the witness files "
        "(default: the desk the log's checkpoints name)"
    )  # fmt: skip
    checker.set_defaults(handler=_guard(_run_verify))

    keygen = actions.add_parser(
        "keygen",
        parents=[where],
        help="Make the desk's checkpoint signing key (mode 600) and print its public key.",
    )
    keygen.add_argument("--key", type=Path, help="the key file (default: log.checkpoint_key)")
    keygen.add_argument(
        "--rotate",
        action="store_true",
        help="make the key that replaces the current one (<key>.next); the desk announces it "
        "in its next signed checkpoint and then uses it",
    )
    keygen.set_defaults(handler=_guard(_run_keygen))

    witnesser = actions.add_parser(
        "witness",
        parents=[where],
        help="Write every signed checkpoint to a witness file (print it, or a USB stick).",
    )
    witnesser.add_argument(
        "--out", required=True, metavar="FILE", help="the witness file to write ('-': stdout)"
    )
    witnesser.set_defaults(handler=_guard(_run_witness))

    ager = actions.add_parser(
        "retain",
        parents=[where],
        help="Move records older than log.retention_days to an archive file.",
    )
    ager.add_argument("--days", type=int, help="override log.retention_days")
    ager.add_argument("--archive-dir", type=Path, help="default: log.directory/archive")
    ager.set_defaults(handler=_guard(_run_retain))


def when_type(now: int) -> Callable[[str], int]:
    """An argparse type for `--since`/`--until`: UTC ms from a relative or ISO time."""

    def parse(text: str) -> int:
        try:
            return parse_when(text, now)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _guard(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn log and configuration failures into a message and an exit code."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except _ConfigProblem as exc:
            print(f"hotline log: {exc}", file=sys.stderr)
            return EX_CONFIG
        except (LogError, OSError) as exc:
            print(f"hotline log: {exc}", file=sys.stderr)
            return EX_FAIL

    return handler


def _log_config(args: argparse.Namespace) -> LogConfig:
    """The [log] section of the configuration."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise _ConfigProblem(f"configuration {args.config}:\n{exc}") from None
    return config.log


def _log_settings(args: argparse.Namespace) -> tuple[Path, int]:
    """The log directory and retention days, from the configuration."""
    log = _log_config(args)
    return log.directory, log.retention_days


def _db_path(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return Path(args.db)
    return _log_settings(args)[0] / DB_NAME


def _run_query(args: argparse.Namespace) -> int:
    with LogReader(_db_path(args)) as reader, reader.snapshot():  # streamed, never all held
        fetch = reader.iter_calls if args.log_action == "calls" else reader.iter_alerts
        stream_rows(lambda: fetch(args.since, args.until), args.format, sys.stdout)
    return EX_OK


def _run_lines(args: argparse.Namespace) -> int:
    from terminal.line_log import lines_table, read_history, states, version_dict

    try:
        history = read_history(_db_path(args))
    except ValueError as exc:  # a malformed line_version record
        raise LogError(str(exc)) from None
    now = now_ms()
    if args.format == "table":
        sys.stdout.write(lines_table(history, now))
        return EX_OK
    state = states(history, now)
    for v in history.versions():
        print(json.dumps(version_dict(v, state[v.version]), ensure_ascii=False))
    return EX_OK


def _run_export(args: argparse.Namespace) -> int:
    summary = export(_db_path(args), args.directory, args.since, args.until)
    print(
        f"exported {summary.records} records, {summary.calls} calls, {summary.alerts} alerts "
        f"to {summary.directory}"
    )
    return EX_OK


def _run_verify(args: argparse.Namespace) -> int:
    checking = bool(args.key or args.witness)
    if args.archive:
        if checking:
            print("hotline log verify: --key and --witness check a database, not --archive",
                  file=sys.stderr)  # fmt: skip
            return EX_USAGE
        report = verify_archives(args.archive)
    else:
        keys = [parse_public(text) for text in args.key] if args.key else None
        trust = Trust.of(keys, args.witness or [], args.desk)
        report = verify(_db_path(args), integrity=not args.no_integrity, trust=trust)
    _print_report(report, notes=checking or report.signed > 0)
    return EX_OK if report.ok else EX_FAIL


def _print_report(report: VerifyReport, notes: bool = False) -> None:
    _print_outcome(report)
    out = sys.stdout if report.ok else sys.stderr
    for note in report.notes:
        if notes or note.startswith("retention:"):  # an unfinished removal is always said
            print(f"  {note}", file=out)


def _run_keygen(args: argparse.Namespace) -> int:
    path = args.key
    if path is None:
        path = _configured_key(args)
        if path is None:
            print("hotline log keygen: give --key FILE, or set [log] checkpoint_key in the "
                  "configuration", file=sys.stderr)  # fmt: skip
            return EX_USAGE
    if args.rotate:
        if not path.exists():
            print(f"hotline log keygen: --rotate: there is no key {path} to replace",
                  file=sys.stderr)  # fmt: skip
            return EX_FAIL
        target = next_key_path(path)
    else:
        target = path
    signer = generate(target)
    print(f"{signer.public}")
    print(f"wrote the signing key {target} (mode 600) and its public key {public_path(target)}",
          file=sys.stderr)  # fmt: skip
    if args.rotate:
        print(f"the desk announces it in its next signed checkpoint (signed with {path}), then "
              f"signs with it; verify with the old key: the announcement carries the trust over",
              file=sys.stderr)  # fmt: skip
    else:
        print("keep the public key where verify can find it (hotline log verify --key "
              f"{public_path(target)}); the key file must stay readable by the service user only",
              file=sys.stderr)  # fmt: skip
    return EX_OK


def _configured_key(args: argparse.Namespace) -> Path | None:
    """`[log] checkpoint_key`, also when the configuration is refused only because that file
    is not there yet (keygen is what makes it)."""
    try:
        return load_config(args.config).log.checkpoint_key
    except ConfigError as exc:
        missing = [i for i in exc.issues if i.key == "log.checkpoint_key"
                   and i.problem.startswith("cannot be read: No such file")]  # fmt: skip
        if missing and len(missing) == len(exc.issues):
            raw = tomllib.loads(Path(args.config).read_text(encoding="utf-8"))["log"]
            return Path(
                os.path.normpath(Path(args.config).parent.absolute() / raw["checkpoint_key"])
            )
        raise _ConfigProblem(f"configuration {args.config}:\n{exc}") from None


def _run_witness(args: argparse.Namespace) -> int:
    lines, head, desk = checkpoint_lines(_db_path(args))
    text = "".join(line + "\n" for line in lines)
    if head[0]:
        read_as = f"read it over the phone as {fingerprint(*head)}"
        text += f"; the head when this was written ({read_as}):\n"
        if desk is None:
            text += f"{head[0]} {head[1].hex()}\n"
        else:
            head_line = {"desk": desk, "id": head[0], "hash": head[1].hex()}
            text += json.dumps(head_line, separators=(",", ":")) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        out = Path(args.out)
        if out.exists():
            print(f"hotline log witness: {out} already exists; nothing was written",
                  file=sys.stderr)  # fmt: skip
            return EX_FAIL
        with out.open("x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    print(f"wrote {len(lines)} signed checkpoints to {args.out}; the log's head is "
          f"{fingerprint(*head)}", file=sys.stderr)  # fmt: skip
    return EX_OK


def _print_outcome(report: VerifyReport) -> None:
    if report.ok:
        tables = (
            f", {report.calls} calls, {report.alerts} alerts"
            if report.calls or (report.alerts)
            else ""
        )
        print(
            f"{report.path}: ok: {report.records} records{tables}; "
            f"head {report.head_id} {report.head_hash}"
        )
        return
    first = report.first
    print(f"{report.path}: FAILED: {first}", file=sys.stderr)
    for problem in report.problems[1:]:
        print(f"  also: {problem}", file=sys.stderr)
    hidden = report.problem_count - len(report.problems)
    if hidden > 0:
        print(f"  ... and {hidden} more", file=sys.stderr)


def _say_held_back(db_path: Path, days: int) -> None:
    """Old records the outbox (MQTT publisher) has not sent are kept: say so."""
    kept, cursors = held_back(db_path, now_ms() - days * DAY_MS)
    if kept:
        where = ", ".join(f"{name} at record {sent}" for name, sent in sorted(cursors.items()))
        print(f"kept {kept} records older than {days} days that the outbox has not sent yet "
              f"({where}); they are archived once sent")  # fmt: skip


def _run_retain(args: argparse.Namespace) -> int:
    if args.db is not None and args.days is not None and args.archive_dir is not None:
        directory, days = args.db.parent, args.days
    else:
        directory, days = _log_settings(args)
        days = args.days if args.days is not None else days
    if days < 1:
        print("hotline log retain: --days must be at least 1", file=sys.stderr)
        return EX_USAGE
    db_path = _db_path(args) if args.db is None else Path(args.db)
    archive_dir = args.archive_dir or directory / "archive"
    store = LogStore.open(db_path, check=False)
    try:
        result = retain(store, days, archive_dir)
    finally:
        store.close()
    _say_held_back(db_path, days)
    if result is None:
        print(f"nothing older than {days} days")
        return EX_OK
    a = result.archive
    print(
        f"moved records {a.first_id}..{a.through_id} ({a.count}) to {a.path}; "
        f"removed {result.removed_calls} calls and {result.removed_alerts} alerts, "
        f"carried {result.carried}; chain continues from checkpoint record "
        f"{result.checkpoint_id} ({to_iso(now_ms())})"
    )
    return EX_OK
