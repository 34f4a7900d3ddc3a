"""`hotline sim`: run a simulator of one of the desk's serial peers on its own."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from terminal.cli import EX_OK, EX_USAGE
from terminal.commands.stdin_commands import obey_stdin


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `sim` and its simulators to the parser."""
    parser = sub.add_parser(
        "sim",
        help="Run a simulator (radio bridge or co-processor) on a serial port.",
        description="Run a simulator of one of the desk's serial peers on a serial device.",
    )
    sims = parser.add_subparsers(dest="simulator", metavar="SIMULATOR", required=True)
    bridge = sims.add_parser(
        "bridge",
        help="the radio-bridge simulator",
        description="Speak the radio-bridge side of docs/protocol.md on a serial device. "
        "Commands on stdin: ring, answer, hangup, rx on, rx off, garbage, silence, speak, quit.",
    )
    bridge.add_argument("--port", required=True, help="serial device or pyserial URL")
    bridge.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    bridge.add_argument(
        "--auto-answer", type=float, default=2.0, metavar="S",
        help="answer the desk's calls after S seconds; negative: never (default 2)",
    )
    bridge.set_defaults(handler=run_bridge)
    _register_coproc(sims)


def _register_coproc(sims: argparse._SubParsersAction[Any]) -> None:
    """`hotline sim coproc`: the co-processor program (commands/coproc.py) on a scenario."""
    from terminal.commands import coproc

    parser = sims.add_parser(
        "coproc",
        help="the co-processor on a scenario",
        description="Run the co-processor (`hotline coproc`) on a named scenario. Commands on "
        f"stdin: {coproc.COMMANDS_HELP}.",
    )
    parser.add_argument("--port", required=True, help="serial device or pyserial URL")
    parser.add_argument(
        "--scenario", default="head-on",
        help="head-on, line-crossing, crowded, burst, reboot; NAME:N sets its size "
        "(default head-on)",
    )  # fmt: skip
    coproc.add_options(parser)
    parser.set_defaults(handler=run_coproc_sim)


def run_coproc_sim(args: argparse.Namespace) -> int:
    """Run the co-processor on a scenario until `quit` or Ctrl-C."""
    from terminal.commands import coproc

    args.command = "sim coproc"
    return coproc.run(args, f"scenario:{args.scenario}", commands=True)


def run_bridge(args: argparse.Namespace) -> int:
    """Run the bridge simulator until `quit` or Ctrl-C."""
    if args.baud <= 0:
        print(f"hotline sim bridge: --baud must be positive, got {args.baud}", file=sys.stderr)
        return EX_USAGE
    asyncio.run(_bridge(args.port, args.baud, args.auto_answer))
    return EX_OK


async def _bridge(port: str, baud: int, auto_answer: float) -> None:
    from hw.sim.bridge import BridgeSim
    from hw.sim.runner import SimRunner

    loop = asyncio.get_running_loop()
    sim = BridgeSim(auto_answer_s=auto_answer if auto_answer >= 0 else None)
    runner = SimRunner(sim, clock=loop.time)
    stop = asyncio.Event()
    task = loop.create_task(runner.run_serial(port, baud))
    actions: dict[str, Callable[[float], object]] = {
        "ring": lambda now: sim.ring(now),
        "answer": lambda now: sim.far_answer(now),
        "hangup": lambda now: sim.far_hangup(now),
        "rx on": lambda now: sim.far_rx(True, now),
        "rx off": lambda now: sim.far_rx(False, now),
        "garbage": lambda now: sim.send_garbage(),
        "silence": lambda now: sim.set_silent(True, now),
        "speak": lambda now: sim.set_silent(False, now),
        "quit": lambda now: stop.set(),
    }

    def answer(line: str) -> str:
        action = actions.get(line)
        if action is None:
            return f"unknown command {line!r}; known: {', '.join(actions)}"
        action(loop.time())
        runner.pump()
        return f"{line}: phase={sim.phase.value} keyed={sim.keyed}"

    obey_stdin(loop, answer)
    print(f"radio-bridge simulator on {port}", flush=True)
    try:
        await stop.wait()
    finally:
        task.cancel()
