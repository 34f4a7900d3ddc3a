"""A raised scheduling class for the thread that moves PTT to the wire: the event loop's.

A PTT edge becomes a KEY frame on the loop thread (the engine, the link session, the port's
write). Under SCHED_FIFO at a low real-time priority that thread runs as soon as it is woken,
ahead of every ordinary process on the machine (a CPU hog, a log export, the console), so the
press-to-KEY time does not depend on what else the Pi is doing. SCHED_RESET_ON_FORK keeps it to
this thread: threads started afterwards (the log reader, executors) and child processes run at
the normal class. The kernel's real-time throttle (95 % of each second by default) still leaves
the rest of the system time to run should the loop ever spin.

Where the class is not permitted (no CAP_SYS_NICE and RLIMIT_RTPRIO below the priority, a
seccomp filter, a kernel with real-time group scheduling and no budget for the service's group)
the desk runs on at the normal class and says so once in the log. The systemd unit permits it
(LimitRTPRIO, RestrictRealtime=no, the one system call allowed back): docs/deploy.md.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

LOOP_PRIORITY = 10
"""SCHED_FIFO priority of the loop thread: above every normal process and below the kernel's own
real-time threads (interrupt threads run at 50) and audio servers (typically 70-90)."""


@dataclass(frozen=True)
class Scheduling:
    """What the calling thread runs at after `raise_loop_thread`, and a line for the log."""

    realtime: bool
    note: str
    restore_to: tuple[int, int] | None = None
    """The (policy, priority) the thread ran at before, when this call changed it."""


def _policy_name(policy: int) -> str:
    names = {os.SCHED_OTHER: "SCHED_OTHER", os.SCHED_FIFO: "SCHED_FIFO", os.SCHED_RR: "SCHED_RR"}
    return names.get(policy & ~os.SCHED_RESET_ON_FORK, f"policy {policy}")


def raise_loop_thread(priority: int = LOOP_PRIORITY) -> Scheduling:
    """Put the calling thread (it must be the event loop's) in SCHED_FIFO at `priority`.

    On Linux, pid 0 names the calling thread, not the whole process. Never raises: a refusal is
    reported in the returned note."""
    try:
        current = os.sched_getscheduler(0) & ~os.SCHED_RESET_ON_FORK
        if current in (os.SCHED_FIFO, os.SCHED_RR):
            got = os.sched_getparam(0).sched_priority
            return Scheduling(True, f"the event loop already runs {_policy_name(current)} "
                                    f"priority {got}")  # fmt: skip
        before = (current, os.sched_getparam(0).sched_priority)
        os.sched_setscheduler(
            0, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(priority)
        )
    except (OSError, AttributeError) as exc:  # AttributeError: a platform without the calls
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Scheduling(
            False,
            f"real-time scheduling not permitted ({reason}): the PTT path runs at the normal "
            f"class and a busy machine can delay a KEY (docs/performance.md)",
        )
    return Scheduling(
        True, f"the event loop runs SCHED_FIFO priority {priority} (PTT to the wire)", before
    )


def restore_loop_thread(scheduling: Scheduling) -> None:
    """Put the calling thread back where `raise_loop_thread` found it (a desk run inside a
    longer-lived process, such as a test, leaves no real-time thread behind)."""
    if scheduling.restore_to is None:
        return
    policy, priority = scheduling.restore_to
    with contextlib.suppress(OSError):  # lowering is always permitted
        os.sched_setscheduler(0, policy, os.sched_param(priority))
