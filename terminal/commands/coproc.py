"""`hotline coproc`: the co-processor program — tracks in, the distance kernel, alerts out.

`hotline coproc --port DEV --tracks SOURCE` reads tracks from a named scenario, a recorded
CSV/JSONL file, a live SBS-1 feed (``sbs://HOST:30003``) or ASTERIX CAT062/CAT021 over UDP
(``asterix+udp://GROUP:PORT?cat=062``, docs/tracks.md), runs the kernel every cycle and sends
ALERT and CLEAR to the terminal on DEV, resending until acknowledged (docs/protocol.md, 5.4 and 7).
`hotline sim coproc` (terminal/commands/sim.py) is the same program on a scenario, with commands
on standard input to misbehave.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from terminal.cli import EX_OK, EX_USAGE
from terminal.commands.stdin_commands import obey_stdin

COMMANDS_HELP = "status, reboot, garbage, damage N, quit"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `coproc` to the parser."""
    parser = sub.add_parser(
        "coproc",
        help="Run the co-processor: tracks in, proximity alerts out on a serial port.",
        description="The co-processor program: read tracks, run the distance kernel every cycle, "
        "send proximity alerts to the terminal over the serial protocol.",
    )
    parser.add_argument("--port", required=True, help="serial device or pyserial URL")
    parser.add_argument(
        "--tracks", required=True, metavar="SOURCE",
        help="a scenario name (head-on, line-crossing, crowded, burst, reboot; NAME:N sets its "
        "size), a .csv or .jsonl track file, or sbs://HOST:PORT for an SBS-1 feed, or "
        "asterix+udp://GROUP_OR_HOST:PORT?cat=062,021 for ASTERIX over UDP (docs/tracks.md)",
    )  # fmt: skip
    add_options(parser)
    parser.set_defaults(handler=run_coproc)


def add_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with `hotline sim coproc`."""
    parser.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    parser.add_argument(
        "--line", metavar="POINTS",
        help="its own start-up deconfliction line, version 0 until the terminal gives one with "
        "LINE (docs/protocol.md 5.5): 'lat,lon lat,lon ...' (default: the scenario's own, if any)",
    )  # fmt: skip
    parser.add_argument("--cycle", type=float, default=1.0, metavar="S",
                        help="seconds between kernel cycles (default 1)")  # fmt: skip
    parser.add_argument("--speed", type=float, default=1.0, metavar="X",
                        help="run the source's clock X times faster, for every source: scenario "
                        "and file time, and the time stamped on live feed messages (a feed "
                        "replayed X times fast) (default 1)")  # fmt: skip
    parser.add_argument("--coast", type=float, default=None, metavar="S",
                        help="fly a live feed's or a file's silent track on for S seconds "
                        "(default: the source's own, 30 for SBS-1); a ?coast_s=S on the "
                        "source wins")  # fmt: skip
    parser.add_argument("--name", default="coproc", help="the name in HELLO (default coproc)")
    parser.add_argument("--status", type=float, default=10.0, metavar="S",
                        help="a status line every S seconds; 0: never (default 10)")  # fmt: skip


def parse_line(text: str) -> Any:
    """The deconfliction line from 'lat,lon lat,lon ...' (or ';'-separated); ValueError."""
    from terminal.kernel.line import Line

    points = []
    for item in text.replace(";", " ").split():
        lat, sep, lon = item.partition(",")
        try:
            points.append((float(lat), float(lon)))
        except ValueError:
            raise ValueError(f"line point {item!r} is not lat,lon") from None
        if not sep:
            raise ValueError(f"line point {item!r} is not lat,lon")
    return Line("DL", tuple(points))


def build(args: argparse.Namespace, tracks: str) -> tuple[Any, Any]:
    """The co-processor and its SBS client (None unless the source is a feed); ValueError."""
    from hw.sim.coproc import CoprocSim
    from hw.sim.tracks import parse_spec
    from hw.sim.tracks.recorded import RecordedSource
    from hw.sim.tracks.sbs import SbsSource
    from hw.sim.tracks.scenarios import make

    if args.baud <= 0 or args.cycle <= 0 or args.speed <= 0:
        raise ValueError("--baud, --cycle and --speed must be positive")
    coast_opt = getattr(args, "coast", None)
    if coast_opt is not None and not (math.isfinite(coast_opt) and coast_opt > 0):
        raise ValueError(f"--coast must be a positive number of seconds, got {coast_opt}")

    line = parse_line(args.line) if args.line else None
    spec = parse_spec(tracks)
    coast = spec.coast_s if spec.coast_s is not None else coast_opt
    source: Any
    if spec.kind == "scenario":
        if coast_opt is not None:
            raise ValueError("--coast is for a live feed or a file, not a scenario")
        source = make(spec.name)
    elif spec.kind == "file":
        assert spec.path is not None
        try:
            source = RecordedSource.load(spec.path, **({"stale_s": coast} if coast else {}))
        except OSError as exc:
            raise ValueError(f"cannot read {spec.path}: {exc.strerror or exc}") from None
    elif spec.kind == "asterix":
        source = _asterix_source(spec, tracks)
    else:
        source = SbsSource(coast_s=coast) if coast else SbsSource()
    sim = CoprocSim(source, line=line, cycle_s=args.cycle, time_scale=args.speed, name=args.name)
    return sim, (spec if spec.kind in ("sbs", "asterix") else None)


def _asterix_source(spec: Any, tracks: str) -> Any:
    """The ASTERIX source for ``spec``; ModuleNotFoundError naming the install set."""
    try:
        from hw.sim.tracks.asterix_source import AsterixSource
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "libasterix is not installed: an ASTERIX feed needs it (install "
            "requirements/coproc.txt, or hotline-terminal[coproc])", name=exc.name
        ) from exc
    opts = spec.asterix
    return AsterixSource(cats=opts.cats, ref=opts.ref, coast_s=opts.coast_s,
                         silence_s=opts.silence_s, name=tracks.strip())  # fmt: skip


def run_coproc(args: argparse.Namespace) -> int:
    """Run the co-processor until Ctrl-C or SIGTERM."""
    return run(args, args.tracks, commands=False)


def run(args: argparse.Namespace, tracks: str, *, commands: bool) -> int:
    """Build the co-processor for ``tracks`` and serve it; EX_USAGE for a bad argument."""
    try:
        sim, sbs = build(args, tracks)
    except ValueError as exc:
        print(f"hotline {args.command}: {exc}", file=sys.stderr)
        return EX_USAGE
    asyncio.run(serve(sim, args.port, args.baud, sbs=sbs, commands=commands,
                      status_s=args.status))  # fmt: skip
    return EX_OK


def status_line(sim: Any, now: float | None = None) -> str:
    """One line about the co-processor, for its console: the link, the kernel, the feed."""
    log = sim.log
    up = "up" if sim.session.is_up else "down"
    when = now if now is not None else time.monotonic()  # the loop's clock (hw/sim/runner.py)
    return (
        f"coproc {sim.boot_id}: link {up}, {log.cycles} cycles, {len(sim.in_alert())} in alert, "
        f"{len(sim.outbox)} queued, {log.acked} alerts acked, "
        f"{log.clears_sent} clears; {line_text(sim)}; {feed_text(sim.feed_health(when))}"
    )


def line_text(sim: Any) -> str:
    """The line in use: ``line v3 DL`` (v0: its own start-up line)."""
    use = sim.in_use
    if use.line is None:
        return f"line v{use.version} none"
    return f"line v{use.version} {use.line.id}"


def feed_text(h: Any) -> str:
    """A feed's health in words: ``feed sbs://h:30003 up, last 0.4 s ago, 12.3 msg/s, ...``."""
    if h.kind in ("scenario", "file"):
        return f"feed {h.name}: {h.tracks_held} tracks"
    state = "up" if h.connected else "DOWN"
    age = "nothing heard" if h.last_message_age_s is None else (
        f"last {h.last_message_age_s:.1f} s ago")
    text = (f"feed {h.name} {state}, {age}, {h.messages_per_s:.1f} msg/s, "
            f"{h.tracks_held} tracks, {h.decode_errors} decode errors")
    return f"{text} ({h.last_error})" if h.last_error and not h.connected else text


async def serve(sim: Any, port: str, baud: int, *, sbs: Any = None, commands: bool = False,
                status_s: float = 10.0) -> None:  # fmt: skip
    """Speak on the port until stopped; read the SBS feed; obey stdin commands if asked."""
    from hw.sim.runner import SimRunner
    from hw.sim.tracks.sbs import SbsClient

    loop = asyncio.get_running_loop()
    runner = SimRunner(sim, clock=loop.time)
    stop = asyncio.Event()
    tasks = [loop.create_task(runner.run_serial(port, baud))]
    if sbs is not None and sbs.kind == "asterix":
        from hw.sim.tracks.asterix_feed import AsterixFeed

        feed = AsterixFeed(sbs.host, sbs.port, sim.source, lambda: sim.source_time(loop.time()),
                           iface=sbs.asterix.iface)  # fmt: skip
        tasks.append(loop.create_task(feed.run()))
    elif sbs is not None:
        client = SbsClient(sbs.host, sbs.port, sim.source, lambda: sim.source_time(loop.time()))
        sim.feed = client
        tasks.append(loop.create_task(client.run()))
    if status_s > 0:
        tasks.append(loop.create_task(_status(sim, status_s)))
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    if commands:
        _read_commands(loop, sim, runner, stop)
    where = f"tracks from sbs://{sbs.host}:{sbs.port}" if sbs is not None else "tracks ready"
    if sbs is not None and sbs.kind == "asterix":
        where = f"tracks from {sim.source.name}"
    print(f"co-processor {sim.boot_id} on {port}; {where}", flush=True)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _status(sim: Any, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        print(status_line(sim, asyncio.get_running_loop().time()), flush=True)


def _read_commands(loop: asyncio.AbstractEventLoop, sim: Any, runner: Any,
                   stop: asyncio.Event) -> None:  # fmt: skip
    def act(line: str) -> str:
        now = loop.time()
        word, _, arg = line.partition(" ")
        actions: dict[str, Callable[[], object]] = {
            "status": lambda: None,
            "reboot": lambda: sim.reboot(now),
            "garbage": lambda: sim.send_garbage(),
            "damage": lambda: sim.damage_alerts(int(arg or "1")),
            "quit": stop.set,
        }
        if word not in actions:
            return f"unknown command {line!r}; known: {COMMANDS_HELP}"
        try:
            actions[word]()
        except ValueError:
            return f"{word}: expected a whole number, got {arg!r}"
        runner.pump()
        return status_line(sim, now)

    obey_stdin(loop, act)
