"""The line front: every event, effect, state change and notice as one line; commands on stdin.

Used by `hotline bench --headless` (for scripts) and by bench mode until the console exists.
A line is `<UTC time> <what> <details>`, for example
`2026-11-25T07:10:00.123Z state RINGING` or `... effect SendBridge command=ANSWER`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any, TextIO

from terminal.benchrig import BenchRig
from terminal.fronts.input_lines import read_lines
from terminal.snapshot import DeskSnapshot
from terminal.zulu import utc_stamp

HELP = """commands:
  ring                      the far end calls this desk
  answer | call | hangup | reject      the operator's keys
  press | release           the PTT button (its mock pin)
  ptt                       toggle PTT from the keyboard
  far answer | far hangup | far rx on | far rx off
  unplug | plug             pull the bridge's cable out / plug it back
  garbage | silence | speak the bridge misbehaves / behaves again
  wait SECONDS              hold the next command (scripts: < commands.txt)
  line NAME LAT,LON; ...    a new version of the deconfliction line, in force now
  state | help | quit"""

MAX_WAIT_S = 3600.0


def _fields(item: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in item.items() if k != "type")


class LineFront:
    """Prints the desk as lines and runs typed commands against the bench rig."""

    def __init__(self, rig: BenchRig, stop: asyncio.Event, out: TextIO = sys.stdout) -> None:
        self.rig = rig
        self.stop = stop
        self.out = out
        self._last_state = ""
        self._last_leds = ""
        self._notices_seen = 0
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._runner: asyncio.Task[None] | None = None
        engine = rig.desk.engine
        engine.on_event(self._on_event)
        engine.subscribe(self._on_snapshot)

    def say(self, what: str, details: str = "") -> None:
        """Print one line, stamped in UTC."""
        self.out.write(f"{utc_stamp()} {what} {details}".rstrip() + "\n")
        self.out.flush()

    def _on_event(self, kind: str, item: dict[str, Any]) -> None:
        if item.get("type") == "Tick":
            return
        self.say(kind, f"{item.get('type', '?')} {_fields(item)}")

    def _on_snapshot(self, snap: DeskSnapshot) -> None:
        if snap.display != self._last_state:
            self._last_state = snap.display
            self.say("state", snap.display)
        leds = " ".join(
            f"{name}={getattr(snap.leds, name).value}" for name in ("ring", "tx", "alert", "fault")
        )
        if leds != self._last_leds:
            self._last_leds = leds
            self.say("leds", leds)
        notices = snap.notices
        if len(notices) < self._notices_seen:
            self._notices_seen = 0
        for notice in notices[self._notices_seen :]:
            self.say("notice", f"{notice.level}: {notice.text}")
        self._notices_seen = len(notices)

    # --- commands ---

    def attach_stdin(self, stream: TextIO = sys.stdin) -> None:
        """Run commands from a stream (terminal, pipe, file or /dev/null) without blocking the
        loop, one after the other: `wait SECONDS` holds the next until its time (for scripts)."""
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        loop = asyncio.get_running_loop()
        if read_lines(loop, fd, self._queue.put_nowait) != "none":
            self._runner = loop.create_task(self._run_commands(), name="bench commands")

    async def _run_commands(self) -> None:
        while True:
            raw = await self._queue.get()
            line = raw.decode("utf-8", errors="replace")
            words = line.split()
            if words and words[0].lower() == "wait":
                await self._wait(words[1:])
            else:
                self.command(line)

    async def _wait(self, args: list[str]) -> None:
        try:
            seconds = float(args[0]) if len(args) == 1 else -1.0
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= MAX_WAIT_S:
            self.say("error", f"wait takes one number of seconds, 0 to {MAX_WAIT_S:g}")
            return
        await asyncio.sleep(seconds)

    def command(self, line: str) -> None:
        """Run one typed command; an unknown one gets a clear message."""
        words = line.strip().lower().split()
        if not words:
            return
        rig, engine = self.rig, self.rig.desk.engine
        if words[0] == "line":
            parts = line.strip().split(None, 2)
            if len(parts) < 3:
                self.say("error", "line takes a name and points: line DL 51.0,0.7; 52.5,0.7")
                return
            wrong = engine.enter_line(parts[1], parts[2])
            if wrong is not None:
                self.say("error", f"line not entered: {wrong}")
            return
        simple: dict[str, Callable[[], object]] = {
            "ring": lambda: rig.far("ring"),
            "answer": lambda: engine.intent("answer"),
            "call": lambda: engine.intent("call"),
            "hangup": lambda: engine.intent("hangup"),
            "reject": lambda: engine.intent("reject"),
            "ptt": lambda: engine.intent("ptt_toggle"),
            "press": lambda: rig.press(True),
            "release": lambda: rig.press(False),
            "unplug": rig.unplug,
            "plug": rig.plug,
            "garbage": rig.garbage,
            "silence": lambda: rig.silence(True),
            "speak": lambda: rig.silence(False),
            "state": self._print_state,
            "help": lambda: self.out.write(HELP + "\n"),
            "quit": self.stop.set,
        }
        key = " ".join(words)
        far = {
            "far answer": lambda: rig.far("answer"),
            "far hangup": lambda: rig.far("hangup"),
            "far rx on": lambda: rig.far("rx", True),
            "far rx off": lambda: rig.far("rx", False),
        }
        action = far.get(key) or (simple.get(key) if len(words) == 1 else None)
        if action is None:
            self.say("error", f"unknown command {line.strip()!r}; type help")
            return
        action()

    def _print_state(self) -> None:
        snap = self.rig.desk.engine.snapshot
        links = " ".join(f"{k}={'up' if v else 'DOWN'}" for k, v in snap.links.items())
        self.say("state", f"{snap.display} {links} bridge={self.rig.bridge.phase.value}"
                 f" bridge_tx={'KEYED' if self.rig.bridge.keyed else 'off'}")
