"""SIGHUP: what a reload says it applied is what the running desk then does (issue 14, item 6).

The keepalives are watched on the wire at the bridge simulator's end of a real pty; the alert
settings by the judgement of the same ALERT before and after; settings that need a restart are
named as such and keep their running values.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import statistics
from pathlib import Path

from hw.wire.messages import Ka, Key
from terminal.config import load_config
from terminal.core.alerts import AlertLogged
from terminal.service import LIVE_SETTINGS, Service, changed_settings, live_settings
from tests.alerts.alerts_helpers import alert, of
from tests.rigs.bench import until
from tests.rigs.service_child import service, write_config


def test_a_reload_changes_the_keepalives_on_the_wire(tmp_path: Path) -> None:
    # Intervals far apart (0.1 s, then 0.8 s) and counted, not timed: a loaded machine delays
    # the service and the simulator's reads, it does not turn one into the other.
    async def main() -> None:
        before = "[ptt]\nkeepalive_s = 0.1\nbridge_keepalive_timeout_s = 5.0\n"
        after = "[ptt]\nkeepalive_s = 0.8\nbridge_keepalive_timeout_s = 3.0\n"
        async with service(tmp_path, extra=before) as child:
            sim = child.sim

            def kas() -> list[float]:
                return [t for t, m in sim.log.received if isinstance(m, Ka)]

            await child.ring_and_key()
            assert sim.keepalive_window_s == 5.0, "the KEY announced the first time-out"
            await until(lambda: len(kas()) >= 8, 10, "KA at the first interval")
            child.cfg.write_text(child.cfg.read_text().replace(before, after))
            reloaded_at = child.now()
            child.signal(signal.SIGHUP)
            old = [b - a for a, b in itertools.pairwise(kas())]
            assert statistics.median(old) < 0.4, old

            def gaps_after_the_switch() -> list[float]:
                gaps = [(b, b - a) for a, b in itertools.pairwise(kas()) if b > reloaded_at]
                first = next((i for i, (_, gap) in enumerate(gaps) if gap > 0.6), None)
                return [] if first is None else [gap for _, gap in gaps[first:]]

            await until(lambda: len(gaps_after_the_switch()) >= 4, 15, "KA at the new interval")
            new = gaps_after_the_switch()
            assert 0.7 < statistics.median(new) < 1.3, new
            # The bridge's keepalive time-out travels in KEY: the next one carries the new value.
            await child.intent("ptt_toggle")
            await until(lambda: not sim.keyed, 5, "unkeyed")
            await child.intent("ptt_toggle")
            await until(lambda: sim.keyed, 5, "keyed again")
            keys = [m for _, m in sim.log.received if isinstance(m, Key)]
            assert [k.keepalive_ms for k in keys] == [5000, 3000]
            assert sim.keepalive_window_s == 3.0

    asyncio.run(main())


def _service(tmp_path: Path, extra: str) -> tuple[Service, Path]:
    cfg = write_config(tmp_path, "/dev/null", extra=extra)
    return Service(load_config(cfg), cfg), cfg


def test_a_reload_changes_how_alerts_are_judged(tmp_path: Path) -> None:
    svc, cfg = _service(
        tmp_path, "[alerts]\nsuspect_tolerance_pct = 5.0\ncritical_repeat_s = 30\n"
    )
    book = svc.desk.engine.alerts
    tampered = {"hsep_m": alert("A/B", 1).hsep_m * 1.2}  # 20 % off what the kernel computes
    assert not of(book.handle(alert("A/B", 1, tamper=tampered)), AlertLogged)[0].consistent
    text = cfg.read_text().replace("suspect_tolerance_pct = 5.0", "suspect_tolerance_pct = 50.0")
    cfg.write_text(text.replace("critical_repeat_s = 30", "critical_repeat_s = 7"))
    svc.reload()
    book = svc.desk.engine.alerts
    assert of(book.handle(alert("C/D", 2, tamper=tampered)), AlertLogged)[0].consistent
    # a new critical alert is repeated after the new interval
    book.handle(alert("E/F", 3, "critical", at=100.0))
    assert book.next_deadline() == 107.0
    assert svc.reloads == 1 and svc.config.alerts.suspect_tolerance_pct == 50.0


def test_settings_that_need_a_restart_are_named_and_keep_their_values(tmp_path: Path) -> None:
    svc, cfg = _service(tmp_path, "[alerts]\nline_points = \"51.0,0.0; 52.0,0.0\"\n")
    line = svc.desk.engine.alerts.settings.line
    assert line is not None
    new_text = (cfg.read_text().replace("51.0,0.0; 52.0,0.0", "50.0,1.0; 52.0,1.0")
                + "[desk]\nid = \"DESK-9\"\noperator = \"OPS7\"\n")
    cfg.write_text(new_text)
    _merged, applied, restart = live_settings(svc.config, load_config(cfg))
    assert applied == ["desk.operator"]
    assert restart == ["desk.id", "alerts.line_points"]
    svc.reload()
    assert svc.desk.engine.alerts.settings.line is line, "the running line is kept"
    assert svc.config.desk.id == "DESK-1" and svc.config.desk.operator == "OPS7"
    assert svc.desk.engine.operator == "OPS7"


def test_every_live_setting_is_a_real_key() -> None:
    from terminal.config.model import Config

    every = set(changed_settings(Config(), Config()))  # nothing changed
    assert not every
    from dataclasses import fields

    keys = {f"{s.name}.{k.name}" for s in fields(Config) for k in fields(getattr(Config(), s.name))}
    assert keys >= LIVE_SETTINGS
