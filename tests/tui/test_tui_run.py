"""The console's lifecycle: the desk starts before the console and is shut down after it on
every exit — quit, a signal, a crash in the console, an exception on the loop, a failed start."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import fast_config, frozen_utc

from hw.wire.messages import Hangup, Unkey
from terminal.benchrig import BenchRig
from terminal.core.calls import CallPhase
from terminal.tui.app import ConsoleApp
from terminal.tui.feed import SnapshotFeed
from terminal.tui.run import run_console, stderr_to
from terminal.tui.samples import snapshot
from terminal.tui.screens.confirm import ConfirmQuit
from tests.rigs.bench import until


class FakeDesk:
    """Records the lifecycle calls the runner makes."""

    def __init__(self, fail_start: bool = False) -> None:
        self.fail_start = fail_start
        self.calls: list[str] = []
        self.engine = self
        self.snapshot = snapshot("CONNECTED")

    async def start(self) -> None:
        self.calls.append("start")
        if self.fail_start:
            raise OSError("gpiochip0: no such device")

    async def shutdown(self, reason: str, settle_s: float = 0.5) -> None:
        self.calls.append(f"shutdown {reason}")

    def fail_safe(self, reason: str) -> None:
        self.calls.append(f"fail_safe {reason}")


def run(desk: FakeDesk, during) -> str:
    """Run the console headless on `desk`; `during(app)` runs once the console is up."""

    async def main() -> str:
        made: list[ConsoleApp] = []

        def make_app() -> ConsoleApp:
            app = ConsoleApp(SnapshotFeed(desk.snapshot), utc=frozen_utc)
            made.append(app)
            return app

        async def drive() -> None:
            await until(lambda: bool(made) and made[0].is_running and made[0].main.is_mounted)
            await asyncio.sleep(0.05)
            during(made[0])

        driver = asyncio.get_running_loop().create_task(drive())
        try:
            return await run_console(desk, make_app, engine=desk, headless=True)
        finally:
            driver.cancel()

    return asyncio.run(main())


def test_quit_shuts_the_desk_down_after_the_console() -> None:
    desk = FakeDesk()
    assert run(desk, lambda app: app.exit()) == "quit"
    assert desk.calls == ["start", "shutdown quit"]


def test_a_crash_in_the_console_still_shuts_the_desk_down() -> None:
    desk = FakeDesk()

    def crash(app: ConsoleApp) -> None:
        def boom() -> None:
            raise RuntimeError("bug in a widget")

        app.call_later(boom)

    assert run(desk, crash) == "console crashed"
    assert desk.calls == ["start", "shutdown console crashed"]


def test_an_exception_on_the_loop_fails_safe_at_once() -> None:
    desk = FakeDesk()

    def loop_fault(app: ConsoleApp) -> None:
        def fail() -> None:
            raise RuntimeError("a bug in a callback")

        asyncio.get_running_loop().call_soon(fail)

    reason = run(desk, loop_fault)
    assert reason.startswith("exception: RuntimeError")
    assert desk.calls == ["start", f"fail_safe {reason}", f"shutdown {reason}"]


def test_sigterm_stops_the_console_and_the_desk() -> None:
    desk = FakeDesk()
    assert run(desk, lambda app: os.kill(os.getpid(), signal.SIGTERM)) == "SIGTERM"
    assert desk.calls == ["start", "shutdown SIGTERM"]


def test_a_desk_that_cannot_start_is_still_shut_down() -> None:
    desk = FakeDesk(fail_start=True)
    with pytest.raises(OSError, match="gpiochip0"):
        run(desk, lambda app: app.exit())
    assert desk.calls == ["start", "shutdown exception: OSError('gpiochip0: no such device')"]


def test_quitting_during_a_call_hangs_up_and_unkeys_on_the_real_desk(tmp_path: Path) -> None:
    """Confirmed quit while transmitting: the desk sends HANGUP and UNKEY(EXIT) as it stops."""

    async def main() -> BenchRig:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path)
        made: list[ConsoleApp] = []

        def make_app() -> ConsoleApp:
            made.append(ConsoleApp(rig.desk.engine, hands=rig, utc=frozen_utc))
            return made[0]

        async def operator() -> None:
            await until(lambda: bool(made) and made[0].is_running and rig.desk.radio.is_up)
            app = made[0]
            await asyncio.sleep(0.05)
            app.simulate_key("1")  # the far end rings
            await until(lambda: rig.desk.engine.core.state.phase is CallPhase.RINGING)
            app.simulate_key("a")
            app.simulate_key("space")
            await until(lambda: rig.bridge.keyed, what="keyed")
            app.simulate_key("q")
            await until(lambda: isinstance(app.screen, ConfirmQuit), what="asked")
            assert app.is_running and rig.bridge.keyed  # asked, nothing dropped yet
            app.simulate_key("y")  # the operator confirms

        task = asyncio.get_running_loop().create_task(operator())
        reason = await run_console(rig.desk, make_app, engine=rig.desk.engine,
                                   prepare=rig._start_sims, headless=True)  # fmt: skip
        await task
        assert reason == "quit"
        await asyncio.sleep(0.05)
        return rig

    rig = asyncio.run(main())
    received = [m for _, m in rig.bridge.log.received]
    assert any(isinstance(m, Hangup) for m in received)
    assert [m.reason for m in received if isinstance(m, Unkey)][-1] == "EXIT"
    assert not rig.bridge.keyed


def test_console_command_refuses_a_bad_config_before_touching_anything(tmp_path: Path) -> None:
    bad = tmp_path / "hotline.toml"
    bad.write_text('[radio]\nbaud = "fast"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "console", "--config", str(bad)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.returncode == 78, result.stderr
    assert "baud" in result.stderr


def test_bench_without_a_terminal_runs_headless(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "bench", "--log-dir", str(tmp_path / "log")],
        input="state\nquit\n", capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "not a terminal; running headless" in result.stderr
    assert " state IDLE" in result.stdout


def test_c_library_noise_on_stderr_goes_to_the_log_not_the_screen(tmp_path: Path, capfd) -> None:
    log = tmp_path / "console.log"
    with stderr_to(log):
        os.write(2, b"ALSA lib confmisc.c:855: cannot find card '0'\n")  # as C code writes
        sys.__stderr__.write("the screen\n")  # Textual's output goes to the terminal
        sys.__stderr__.flush()
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "ALSA" not in err and "the screen" in err and "after" in err
    assert "cannot find card" in log.read_text()


def test_bench_headless_runs_a_script_from_a_file_with_waits(tmp_path: Path) -> None:
    """`hotline bench --headless < commands.txt`: a regular file cannot be watched by the loop
    (it died with "[Errno 1] Operation not permitted"); it is read, and `wait` paces it."""
    script = tmp_path / "commands.txt"
    script.write_text("ring\nwait 2\nanswer\nwait 1\nstate\nquit\n", encoding="utf-8")
    with script.open("rb") as commands:
        result = subprocess.run(
            [sys.executable, "-m", "terminal.cli", "bench", "--headless",
             "--log-dir", str(tmp_path / "log")],
            stdin=commands, capture_output=True, text=True, timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Operation not permitted" not in result.stderr
    states = [line.split()[-1] for line in result.stdout.splitlines() if " state " in line]
    assert "RINGING" in states and states.index("RINGING") < states.index("CONNECTED")


def test_bench_headless_on_dev_null_runs_until_stopped(tmp_path: Path) -> None:
    """End of input is not an error: with stdin on /dev/null the bench runs on until SIGTERM."""
    import signal

    with subprocess.Popen(
        [sys.executable, "-m", "terminal.cli", "bench", "--headless",
         "--log-dir", str(tmp_path / "log")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as bench:  # fmt: skip
        assert bench.stdout is not None
        seen = []
        for line in bench.stdout:  # up: the links come up after end of input was read
            seen.append(line)
            if " links " in line or "LinkUp" in line or "state IDLE" in line:
                break
        assert bench.poll() is None, "".join(seen)
        bench.send_signal(signal.SIGTERM)
        _out, err = bench.communicate(timeout=30)
    assert bench.returncode == 0, err
    assert "Operation not permitted" not in err
