"""SIGSTOP/SIGCONT of `hotline service` under a stand-in for systemd (NOTIFY_SOCKET,
WATCHDOG_USEC): the test plays systemd's part, with WatchdogSec= and Restart=on-watchdog."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.rigs.bench import assert_log_whole, assert_unkeyed, stored, until
from tests.rigs.notify import NotifyListener
from tests.rigs.service_child import service

FAST_KEEPALIVE = "[ptt]\nkeepalive_s = 0.1\nbridge_keepalive_timeout_s = 0.5\n"


def pings(listener: NotifyListener) -> list[float]:
    """When each WATCHDOG=1 arrived so far."""
    return [t for t, m in listener.messages if "WATCHDOG=1" in m.split("\n")]


def run(tmp_path: Path, watchdog_s: float, stop_s: float | None) -> None:
    """Key, SIGSTOP; with `stop_s`, SIGCONT after it (shorter than the watchdog), else act as
    systemd once the pings are overdue: SIGABRT, SIGKILL, start again."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        listener = NotifyListener(tmp_path / "notify")
        env = {"NOTIFY_SOCKET": str(listener.path), "WATCHDOG_USEC": str(int(watchdog_s * 1e6))}
        try:
            async with service(tmp_path, extra=FAST_KEEPALIVE, env=env, start=False) as child:
                await child.start()
                await listener.wait_for_async("READY=1", 10)
                await child.ring_and_key()
                deadline = loop.time() + 2 * watchdog_s
                while len(pings(listener)) < 2 and loop.time() < deadline:
                    await listener.collect_async(0.1)
                assert len(pings(listener)) >= 2, listener.messages
                seen = stored(child.db)
                child.signal(signal.SIGSTOP)
                stopped = loop.time()
                if stop_s is not None:
                    await listener.collect_async(stop_s)
                    child.signal(signal.SIGCONT)
                    # Pings resume before systemd would have given up on them.
                    resumed = await listener.wait_for_async("WATCHDOG=1", watchdog_s)
                    before = [t for t in pings(listener) if t < stopped]
                    assert resumed - before[-1] < watchdog_s, "systemd would have killed it"
                    # The frozen desk sent no keepalives: the bridge unkeyed by itself.
                    assert_unkeyed(child.sim, {"KEEPALIVE"})
                    assert child.sim.log.tx_changes[-1][0] < resumed
                    # The link recovers on its own; the call the bridge dropped is ended.
                    await until(lambda: child.state().get("links", {}).get("radio") is True
                                and child.state().get("state") == "IDLE", 5, "recovered")
                    await child.intent("ptt_release")  # the console's latched PTT let go
                else:
                    # systemd: no WATCHDOG=1 within WatchdogSec of the last one.
                    last = pings(listener)[-1]
                    quiet = await listener.collect_async(max(0.0, last + watchdog_s - loop.time()))
                    during = [t for t, m in quiet if "WATCHDOG=1" in m and t > stopped]
                    assert not during, "pings while the process was stopped"
                    assert not child.sim.keyed, "the bridge unkeyed while the desk was frozen"
                    assert_unkeyed(child.sim, {"KEEPALIVE"})
                    child.signal(signal.SIGABRT)  # WatchdogSignal=; pending while stopped
                    child.signal(signal.SIGKILL)  # then the final kill
                    assert await child.wait() == -signal.SIGKILL
                    await child.start()  # Restart=on-watchdog
                    await listener.wait_for_async("READY=1", 10)
                    assert child.starts == 2
                await child.call_flows()
                await listener.collect_async(0.01)
            assert_unkeyed(child.sim, {"UNKEY"})
            assert_log_whole(child.db, seen=seen)
        finally:
            listener.close()

    asyncio.run(main())


def test_stopped_past_the_watchdog_is_killed_and_restarted(tmp_path: Path) -> None:
    """The pings stop within WatchdogSec; the bridge unkeyed on keepalive expiry meanwhile;
    killed and started again, the service links up and takes calls; nothing committed lost."""
    run(tmp_path, watchdog_s=1.0, stop_s=None)


def test_short_stop_pings_resume_and_the_link_recovers(tmp_path: Path) -> None:
    """Stopped longer than the link time-out but shorter than WatchdogSec: pings resume in time,
    the bridge had unkeyed on keepalive expiry, the link and the desk recover on their own."""
    run(tmp_path, watchdog_s=3.0, stop_s=1.2)  # 1.2 + the 1.5 s ping interval < 3
