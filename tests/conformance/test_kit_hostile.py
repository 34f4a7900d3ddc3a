"""The kit never crashes on a hostile or dead device: every clause ends as a verdict, in bounded
time, and the run does not pass. Also the report formats and the exit rule, and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from kit_helpers import KIT_OPTIONS, KIT_TIMING, SIM_TIMING, bridge, verdicts

from hw.pty import PtyPair
from hw.sim.coproc import CoprocSim
from hw.sim.runner import SimRunner
from hw.sim.tracks.scenarios import make
from terminal.cli import main
from terminal.conformance.report import Result, json_line, passed, run_checks, summary, text_line

SOME = ("4.5.2", "4.5.1", "2.3.1", "4.6.1", "4.7.1", "6.1", "2.1.1", "4.1.1")


async def _against(spew: bytes | None, seconds: float = 0.02) -> list[Result]:
    """Run a few clauses against a device that says ``spew`` over and over (None: nothing)."""
    pair = PtyPair()
    stop = asyncio.Event()

    async def device() -> None:
        while not stop.is_set():
            if spew:
                with suppress(BlockingIOError):
                    os.write(pair.master_fd, spew)
            with suppress(OSError):
                os.read(pair.master_fd, 65536)
            await asyncio.sleep(seconds)

    task = asyncio.create_task(device())
    try:
        return await run_checks("bridge", pair.path, timing=KIT_TIMING, options=KIT_OPTIONS,
                                only=SOME)  # fmt: skip
    finally:
        stop.set()
        await task
        pair.close()


HOSTILE = {
    "dead": None,
    "noise": bytes(range(256)) * 4,  # binary noise, '$' included
    "endless": b"$" + b"9" * 5000,  # one endless frame
    "broken": b"$0,HELLO,1,BRIDGE,ZZZ,x*0000\r\n$1,ACK*FFFF\n$65536,HB,1*1234\r\n",
}


def test_a_hostile_device_gets_verdicts_not_a_crash() -> None:
    async def all_runs() -> list[list[Result]]:
        return await asyncio.gather(*(_against(spew) for spew in HOSTILE.values()))

    t0 = time.monotonic()
    for name, results in zip(HOSTILE, asyncio.run(all_runs()), strict=True):
        assert [r.clause for r in results] == list(SOME), name
        assert all(r.result in ("pass", "fail", "skip") for r in results), name
        assert not any("kit error" in r.detail for r in results), (name, results)
        assert not passed(results), name
        assert verdicts(results)["4.5.2"] == "fail", name
    assert time.monotonic() - t0 < 60


def test_report_lines_and_the_exit_rule() -> None:
    ok = Result("4.5.1", "HELLO fields", "pass", "HELLO,1,BRIDGE", 0.125)
    skip = Result("6.7", "RING", "skip", "needs the far end", 0.0)
    bad = Result("4.6.1", "UNKNOWN", "fail", "ERR BADMSG, want UNKNOWN", 0.2)
    assert text_line(ok).startswith("PASS 4.5.1") and "(0.12 s)" in text_line(ok)
    assert text_line(bad).startswith("FAIL 4.6.1")
    want = {"clause": "6.7", "title": "RING", "result": "skip", "detail": "needs the far end",
            "elapsed": 0.0}  # fmt: skip
    assert json.loads(json_line(skip)) == want
    assert passed([ok, skip]) and not passed([ok, bad]) and not passed([skip]) and not passed([])
    assert "1 passed, 0 failed, 1 skipped" in summary([ok, skip])
    assert summary([ok, bad]).startswith("DOES NOT CONFORM")


@contextmanager
def _coproc_on_a_pty() -> Iterator[str]:
    """A co-processor simulator on its own thread and loop (the CLI runs its own loop)."""
    pair = PtyPair()
    ready = threading.Event()
    done: list[asyncio.AbstractEventLoop] = []

    def serve() -> None:
        loop = asyncio.new_event_loop()
        done.append(loop)
        sim = CoprocSim(make("burst:3"), cycle_s=0.2, time_scale=0.5, **SIM_TIMING)  # type: ignore[arg-type]
        runner = SimRunner(sim, clock=loop.time)
        loop.call_soon(runner.attach_fd, pair.master_fd)
        loop.call_soon(ready.set)
        loop.run_forever()
        runner.detach()
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield pair.path
    finally:
        done[0].call_soon_threadsafe(done[0].stop)
        thread.join(10)
        pair.close()


def _cli(port: str, *extra: str) -> list[str]:
    t = KIT_TIMING
    return ["conformance", "coproc", "--port", port, "--ack-timeout", str(t.ack_timeout_s),
            "--max-retries", str(t.max_retries), "--heartbeat", str(t.heartbeat_s),
            "--link-timeout", str(t.link_timeout_s), "--tolerance", str(t.tolerance_s),
            "--alert-wait", "3", *extra]  # fmt: skip


def test_cli_jsonl_one_object_per_clause_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with _coproc_on_a_pty() as port:
        code = main(_cli(port, "--format", "jsonl", "--only", "4.5.2,4.6.1,4.6.4,4.1.3"))
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert [(r["clause"], r["result"]) for r in rows] == [
        ("4.5.2", "pass"), ("4.6.1", "pass"), ("4.6.4", "pass"), ("4.1.3", "skip")]  # fmt: skip
    assert set(rows[0]) == {"clause", "title", "result", "detail", "elapsed"}
    assert code == 0 and "1 skipped" in out.err


def test_cli_refuses_bad_arguments_and_a_missing_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "bridge", "--port", "/dev/null", "--only", "9.9.9"]) == 2
    assert main(["conformance", "bridge", "--port", "/dev/null", "--heartbeat", "5"]) == 2
    assert main(["conformance", "bridge", "--port", "/nonexistent/tty"]) == 74
    assert "cannot open" in capsys.readouterr().err


def test_a_failing_device_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    pair = PtyPair()  # nobody on the far end
    try:
        code = main(["conformance", "bridge", "--port", pair.path, "--only", "4.5.2",
                     "--link-timeout", "0.5", "--heartbeat", "0.2"])  # fmt: skip
    finally:
        pair.close()
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("FAIL 4.5.2") and "DOES NOT CONFORM" in out


def test_bridge_helper_is_faithful() -> None:
    assert not bridge().faults
