"""`hotline conformance bridge|coproc --port DEV`: the conformance kit a maker runs on the bench."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from terminal.cli import EX_FAIL, EX_OK, EX_USAGE

EX_NOPORT = 74  # sysexits EX_IOERR: the port could not be opened


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `conformance` to the parser."""
    parser = sub.add_parser(
        "conformance",
        help="Check a radio bridge or co-processor against docs/protocol.md.",
        description="Play the terminal's side against the device on --port and report pass, fail "
        "or skip for every numbered clause of docs/protocol.md the kit checks "
        "(docs/conformance.md). Exit 0 only when every clause checked passed; skipped clauses "
        "are listed, never passes.",
    )
    parser.add_argument("device", choices=("bridge", "coproc"), help="what is on the port")
    parser.add_argument("--port", required=True, help="serial device of the device under test")
    parser.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text",
                        help="text (default) or one JSON object per clause")  # fmt: skip
    parser.add_argument("--interactive", action="store_true",
                        help="prompt for what only a person can do (restart the device, call from "
                        "the far end); without it those clauses are skipped")  # fmt: skip
    parser.add_argument("--only", default="", help="clauses to run, e.g. 4.5.2,6.1 (default all)")
    t = parser.add_argument_group("the device's timing values (docs/protocol.md 4.3, 4.7, 6.1)")
    t.add_argument("--ack-timeout", type=float, default=0.3, help="seconds (default 0.3)")
    t.add_argument("--max-retries", type=int, default=5, help="default 5")
    t.add_argument("--heartbeat", type=float, default=1.0, help="seconds (default 1.0)")
    t.add_argument("--link-timeout", type=float, default=3.5, help="seconds (default 3.5)")
    t.add_argument("--keepalive-ms", type=int, default=1500, help="KEY's keepalive (default 1500)")
    t.add_argument("--tolerance", type=float, default=0.05,
                   help="seconds a timed event may be early or late (default 0.05), "
                   "...")  # fmt: skip
    t.add_argument("--tolerance-pct", type=float, default=20.0,
                   help="... or this percentage of the nominal time, whichever is larger "
                   "(default 20)")  # fmt: skip
    w = parser.add_argument_group("waits for what the device cannot be told to do")
    w.add_argument("--alert-wait", type=float, default=30.0, help="for an ALERT (default 30 s)")
    w.add_argument("--answer-wait", type=float, default=30.0,
                   help="for the far end to pick up a CALL (default 30 s)")  # fmt: skip
    w.add_argument("--reboot-wait", type=float, default=60.0,
                   help="for the device to come back after a restart (default 60 s)")  # fmt: skip
    parser.set_defaults(handler=run)


def _usage(args: argparse.Namespace) -> str | None:
    if not 0 < args.ack_timeout <= 10 or not 0 <= args.max_retries <= 100:
        return "--ack-timeout must be in (0, 10] and --max-retries in 0..100"
    if not 0 < args.heartbeat < args.link_timeout <= 600:
        return "need 0 < --heartbeat < --link-timeout <= 600"
    if not 100 <= args.keepalive_ms <= 60_000:
        return "--keepalive-ms must be in 100..60000 (docs/protocol.md, KEY)"
    if args.tolerance < 0 or args.tolerance_pct < 0:
        return "tolerances must not be negative"
    if min(args.alert_wait, args.answer_wait, args.reboot_wait) <= 0:
        return "waits must be positive"
    return None


def run(args: argparse.Namespace) -> int:
    """Run the kit; print the report; exit 0 only when every clause checked passed."""
    from terminal.conformance.checks import Options, clauses
    from terminal.conformance.probe import Timing
    from terminal.conformance.report import json_line, passed, run_checks, summary, text_line

    problem = _usage(args)
    only = {c.strip() for c in args.only.split(",") if c.strip()}
    known = {c.clause for c in clauses(args.device)}
    if problem is None and only - known:
        problem = f"no such clause for a {args.device}: {' '.join(sorted(only - known))}"
    if problem is not None:
        print(f"hotline conformance: {problem}", file=sys.stderr)
        return EX_USAGE
    timing = Timing(args.ack_timeout, args.max_retries, args.heartbeat, args.link_timeout,
                    args.keepalive_ms, args.tolerance, args.tolerance_pct)  # fmt: skip
    options = Options(answer_wait_s=args.answer_wait, alert_wait_s=args.alert_wait,
                      reboot_wait_s=args.reboot_wait, ring_wait_s=args.answer_wait)  # fmt: skip
    out = json_line if args.format == "jsonl" else text_line

    async def ask(action: str, text: str) -> bool:
        if not args.interactive:
            return False
        print(f"\n>>> {text} Press Enter when done (or type s and Enter to skip).",
              file=sys.stderr, flush=True)  # fmt: skip
        line: str = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return line.strip().lower() != "s" and line != ""

    def progress(result: Any) -> None:
        print(out(result), flush=True)

    try:
        results = asyncio.run(run_checks(args.device, args.port, baud=args.baud, timing=timing,
                                         options=options, ask=ask, only=only,
                                         progress=progress))  # fmt: skip
    except Exception as exc:  # the port could not be opened (SerialException, OSError, ...)
        print(f"hotline conformance: cannot open {args.port}: {exc}", file=sys.stderr)
        return EX_NOPORT
    print(summary(results), file=sys.stderr if args.format == "jsonl" else sys.stdout)
    return EX_OK if passed(results) else EX_FAIL
