"""The loop thread's real-time class: raised where permitted, a note where not, and put back."""

from __future__ import annotations

import os
import threading

import pytest

from terminal.realtime import LOOP_PRIORITY, raise_loop_thread, restore_loop_thread


def _in_a_thread(job):  # type: ignore[no-untyped-def]
    """Run `job` in a new thread (the class is per thread: the test's own is left alone)."""
    out = []
    thread = threading.Thread(target=lambda: out.append(job()))
    thread.start()
    thread.join(10)
    return out[0]


def test_refused_it_says_so_and_the_thread_keeps_its_class(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:  # fmt: skip
    def refuse(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)  # as an unprivileged process is
    got = _in_a_thread(lambda: (raise_loop_thread(), os.sched_getscheduler(0)))
    scheduling, policy = got
    assert not scheduling.realtime
    assert "not permitted (Operation not permitted)" in scheduling.note
    assert "normal class" in scheduling.note
    assert policy == os.SCHED_OTHER
    restore_loop_thread(scheduling)  # nothing to restore: no error


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may raise a thread here")
def test_raised_to_fifo_for_this_thread_only_and_restored() -> None:
    def job() -> tuple[object, ...]:
        scheduling = raise_loop_thread()
        raised = (os.sched_getscheduler(0) & ~os.SCHED_RESET_ON_FORK,
                  os.sched_getparam(0).sched_priority)  # fmt: skip
        again = raise_loop_thread()  # already raised: left as it is
        child: list[int] = []
        worker = threading.Thread(target=lambda: child.append(os.sched_getscheduler(0)))
        worker.start()
        worker.join(10)
        restore_loop_thread(scheduling)
        return scheduling, raised, again, child[0], os.sched_getscheduler(0)

    scheduling, raised, again, child_policy, after = _in_a_thread(job)
    assert scheduling.realtime and "SCHED_FIFO priority 10" in scheduling.note
    assert raised == (os.SCHED_FIFO, LOOP_PRIORITY)
    assert again.realtime and again.restore_to is None and "already runs" in again.note
    assert child_policy == os.SCHED_OTHER  # SCHED_RESET_ON_FORK: a new thread starts normal
    assert after == os.SCHED_OTHER
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the test's own thread never changed


def test_the_unit_permits_the_class_and_caps_it() -> None:
    from pathlib import Path

    unit = (Path(__file__).resolve().parents[2] / "systemd/hotline-terminal.service.in").read_text()
    lines = unit.splitlines()
    assert "RestrictRealtime=no" in lines
    assert f"LimitRTPRIO={LOOP_PRIORITY}" in lines
    denied = lines.index("SystemCallFilter=~@privileged @resources")
    allowed = [n for n, line in enumerate(lines)
               if line.startswith("SystemCallFilter=") and "sched_setscheduler" in line.split()[-1]]
    assert allowed and allowed[0] > denied  # allowed back after the group is denied
