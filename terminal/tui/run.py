"""Run the console with a desk on one asyncio loop, and always shut the desk down.

The engine and Textual share the loop (`App.run_async`), so engine listeners and the app's
handlers never race. Whatever ends the console — the operator quitting, SIGTERM/SIGHUP, a crash
in the console, an exception on the loop — the desk's fail-safe path runs: `Desk.shutdown`
unkeys, hangs up an open call and closes the links.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from terminal.tui.app import ConsoleApp

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Startable(Protocol):
    """What the runner needs of `terminal.desk.Desk`."""

    async def start(self) -> None:
        """Claim the pins, open the links."""

    async def shutdown(self, reason: str, settle_s: float = 0.5) -> None:
        """Fail safe and close everything."""


class _Engine(Protocol):
    def fail_safe(self, reason: str) -> None: ...


@contextlib.contextmanager
def stderr_to(path: Path | None) -> Iterator[None]:
    """While the console runs, send file descriptor 2 to `path`.

    C libraries (ALSA, JACK, PortAudio) write their complaints straight to fd 2 — the terminal
    Textual draws on — and would scribble over the screen. Textual writes through
    `sys.__stderr__`, so it is handed a private copy of the terminal for the duration."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    terminal_fd = os.dup(2)
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    terminal = os.fdopen(terminal_fd, "w", encoding="utf-8", errors="replace")
    saved = sys.__stderr__, sys.stderr
    sys.__stderr__ = sys.stderr = terminal  # type: ignore[misc]
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            terminal.flush()
        os.dup2(terminal.fileno(), 2)
        sys.__stderr__, sys.stderr = saved  # type: ignore[misc]
        terminal.close()


async def run_console(
    desk: Startable,
    make_app: Callable[[], ConsoleApp],
    *,
    engine: _Engine | None = None,
    prepare: Callable[[], None] | None = None,
    headless: bool = False,
    stderr_log: Path | None = None,
) -> str:
    """Start the desk, run the console until it exits, shut the desk down; returns why it
    stopped ("quit", a signal name, "console crashed", or the exception). With `stderr_log`,
    what C libraries write to stderr meanwhile goes there instead of onto the screen."""
    with stderr_to(stderr_log):
        return await _run(desk, make_app, engine, prepare, headless)


async def _run(
    desk: Startable,
    make_app: Callable[[], ConsoleApp],
    engine: _Engine | None,
    prepare: Callable[[], None] | None,
    headless: bool,
) -> str:
    loop = asyncio.get_running_loop()
    reason = "quit"
    app: ConsoleApp | None = None

    def stop(why: str, return_code: int = 0) -> None:
        nonlocal reason
        reason = why
        if app is not None:  # queued if the console is still starting: it exits once up
            app.exit(return_code=return_code)

    def on_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        log.error("fault in the event loop: %s", exc or context.get("message"))
        why = f"exception: {exc!r}" if exc else f"loop fault: {context.get('message')}"
        if engine is not None:
            engine.fail_safe(why)  # unkey now, before the console is torn down
        stop(why, return_code=1)

    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(on_loop_exception)
    installed = []
    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop, sig.name)
            installed.append(sig)
    try:
        if prepare is not None:
            prepare()
        await desk.start()
        if reason == "quit":  # no signal while the desk started
            app = make_app()
            app.freeze_heap = True
            await app.run_async(headless=headless)
        if app is not None and app.return_code and reason == "quit":
            reason = "console crashed"
    except BaseException as exc:
        reason = f"exception: {exc!r}"
        raise
    finally:
        await desk.shutdown(reason)
        for sig in installed:
            loop.remove_signal_handler(sig)
        loop.set_exception_handler(previous_handler)
    return reason


def log_to_file(directory: Path, name: str = "console.log") -> Path:
    """Send warnings and errors to a file: stderr belongs to the screen while Textual runs."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return path
