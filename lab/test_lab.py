"""The deployment lab's scenarios, in order, against one VM (docs/deploy.md, "The deployment lab").

Each asserts on what the host's simulators saw and on the guest's journal. The desk runs as the
README installs it: `make install`, the configuration edited, `systemctl enable --now`.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time

import pytest
from conftest import (
    BROKER_IN_GUEST,
    CONF,
    GUEST_SRC,
    HOTLINE,
    PINS,
    REPO,
    UNIT,
    Lab,
    figure,
    set_keys,
)

from hw.wire.messages import Ka, Key, Unkey

# The desk's configuration in the lab: config/hotline.toml as installed, with what an operator
# edits for this desk (its serial ports, who is on duty, the MQTT broker). Sound is off for the
# scenarios but one (test_sound_card_start_journal_and_a_ring_without_a_crash): with the VM's sound
# card the desk was seen to abort in alsa-lib at random under TCG (docs/deploy.md, "Found by the
# lab"), which would make every scenario flaky; that one scenario shows it.
LAB_KEYS = {
    ("audio", "enabled"): "false",
    ("desk", "id"): '"LAB-1"',
    ("desk", "site"): '"LAB"',
    ("desk", "operator"): '"OP1"',
    ("radio", "port"): '"/dev/ttyS1"',
    ("coproc", "port"): '"/dev/ttyS2"',
    ("mqtt", "enabled"): "true",
    ("mqtt", "broker"): f'"mqtt://{BROKER_IN_GUEST}:1883"',
}
RELOADED_KEYS = {
    ("call", "ring_timeout_s"): "10.0",
    ("ptt", "tx_timeout_s"): "8.0",
    ("ptt", "tx_warning_s"): "3.0",
    ("ptt", "keepalive_s"): "0.25",
    ("ptt", "bridge_keepalive_timeout_s"): "1.0",
    ("alerts", "critical_repeat_s"): "7.0",
}
DESK_LINE = re.compile(r"^(hotline|terminal|hw)(\.[A-Za-z0-9_]+)*: ")


def lab_config(extra: dict[tuple[str, str], str] | None = None) -> str:
    text = (REPO / "config/hotline.toml").read_text()
    return set_keys(text, {**LAB_KEYS, **(extra or {})})


def active(lab: Lab) -> bool:
    return lab.sh(f"systemctl is-active {UNIT}").out.strip() == "active"


def links_up(lab: Lab, timeout: float = 30.0) -> bool:
    return bool(lab.sims.wait_for(
        lambda: lab.sims.bridge_state()["up"] and lab.sims.coproc_state()["up"], timeout, 0.3))


def ensure_running(lab: Lab) -> None:
    """The desk with the lab configuration, running and linked (a scenario's starting point)."""
    if not active(lab):
        lab.write(CONF, lab_config())
        lab.sh(f"systemctl reset-failed {UNIT}; systemctl start {UNIT}", timeout=120)
    assert active(lab), lab.sh(f"journalctl -u {UNIT} -n 40 --no-pager").out
    assert links_up(lab), "links not up"
    lab.ptt(False)
    if lab.state() != "IDLE":
        lab.intent("hangup")
        assert lab.wait_state("IDLE", 10)


def connect_call(lab: Lab) -> None:
    """The far end calls, the desk answers (as the operator would, through the control socket)."""
    assert lab.sims.bridge_do("ring")
    assert lab.wait_state("RINGING", 15), lab.state()
    lab.intent("answer")
    assert lab.wait_state("CONNECTED", 10), lab.state()
    assert lab.sims.wait_for(lambda: lab.sims.bridge_state()["phase"] == "CONNECTED", 10)


def received_after(lab: Lab, t: float, kind: type) -> list[tuple[float, object]]:
    return [(at, m) for at, m in lab.sims.bridge_received() if at >= t and isinstance(m, kind)]


def wait_message(lab: Lab, t: float, kind: type, timeout: float, **fields: object) -> float | None:
    """Host loop time at which the bridge received a `kind` message (with these fields) after t."""
    def found() -> float | None:
        for at, m in received_after(lab, t, kind):
            if all(getattr(m, k) == v for k, v in fields.items()):
                return at
        return None

    return lab.sims.wait_for(found, timeout, 0.1)


# --- 1. install by the README's route -------------------------------------------------------------

def test_install_by_the_readme(lab: Lab) -> None:
    """`make install` as root from the source tree, offline from the host's wheelhouse
    (HOTLINE_WHEELS, scripts/install.sh): the guest has no route to a package index."""
    lab.sh(f"rm -rf {GUEST_SRC} && mkdir -p {GUEST_SRC} && tar -xf /mnt/lab/src.tar -C {GUEST_SRC}"
           ).check("unpack the source")
    r = lab.sh(f"cd {GUEST_SRC} && HOTLINE_WHEELS=/mnt/wheels make install", timeout=1500)
    figure("make install in the guest (offline, from the wheelhouse)", r.s, "s")
    assert r.rc == 0, r.out + r.err
    assert "systemctl enable --now hotline-terminal" in r.out
    # gpiozero's "lgpio" factory needs lgpio: make install must have put it in the venv.
    lab.sh("/opt/hotline-terminal/bin/python -c 'import lgpio, gpiozero, serial, pyaudio'").check(
        "the desk's packages in the venv")
    figure("hotline --version in the guest",
           lab.sh(f"{HOTLINE} --version").check("hotline --version").out.strip())
    unit = lab.sh(f"cat /etc/systemd/system/{UNIT}.service").check().out
    template = (REPO / "systemd/hotline-terminal.service.in").read_text()
    assert unit == template.replace("@BINDIR@", "/opt/hotline-terminal/bin").replace(
        "@CONFDIR@", "/etc/hotline-terminal")
    assert lab.sh("id -nG hotline").out.split()[1:] != []
    for group in ("gpio", "dialout", "audio"):
        assert group in lab.sh("id -nG hotline").out.split()
    lab.sh(f"{HOTLINE} check-config {CONF}").check("check-config")


# --- 2. start: READY ------------------------------------------------------------------------------

def test_start_is_ready_with_real_pins_and_ports(lab: Lab) -> None:
    """Configure as the README says, add the MQTT drop-in (docs/deploy.md), enable --now: READY
    with the lgpio factory on the gpio-sim chip and both links up over the guest's 16550 UARTs."""
    lab.sh(f"systemctl stop {UNIT}")  # (only a developer's kept disk has it running: LAB_DISK)
    lab.write(CONF, lab_config())
    lab.sh(f"{HOTLINE} check-config {CONF}").check("check-config")
    dropin = (REPO / "systemd/mqtt-network.conf").read_text().replace(
        "IPAddressAllow=localhost", f"IPAddressAllow={BROKER_IN_GUEST}")
    assert f"IPAddressAllow={BROKER_IN_GUEST}" in dropin
    lab.write(f"/etc/systemd/system/{UNIT}.service.d/mqtt-network.conf", dropin)
    lab.sh("systemctl daemon-reload").check()
    cursor = lab.cursor()
    r = lab.sh(f"systemctl enable --now {UNIT}", timeout=120)
    assert r.rc == 0, r.out + r.err + lab.sh(f"journalctl -u {UNIT} -n 60 --no-pager").out
    figure("systemctl enable --now to READY (Type=notify returns at READY=1)", r.s, "s")
    assert active(lab)
    msgs = lab.messages(cursor)
    assert any(m.endswith("ready") for m in msgs), msgs
    t0 = time.monotonic()
    assert links_up(lab, 30), (lab.sims.bridge_state(), lab.sims.coproc_state())
    figure("READY to both links up at the host simulators", time.monotonic() - t0, "s")
    # Unit fix: lgpio made its notification FIFO in the runtime directory (LG_WD).
    fifo = lab.sh("ls -la /run/hotline-terminal/").out
    assert ".lgd-nfy" in fifo, fifo
    # The pins are held by the service through lgpio on the gpio-sim chip.
    info = lab.sh("gpioinfo gpiochip0").out
    for pin in PINS.values():
        line = next(x for x in info.splitlines() if re.search(rf"line\s+{pin}:", x))
        assert "used" in line and "unused" not in line, line
    # Unit fix: the serial ports are ttyS (char-ttyS in DeviceAllow); the desk says both are up.
    def linked() -> str:
        text = lab.show("StatusText")
        return text if "radio=up" in text and "coproc=up" in text else ""

    status = lab.sims.wait_for(linked, 20)
    assert status, lab.show("StatusText")
    figure("systemctl status line once linked", status)


# --- 2b. the unit's fixes are needed --------------------------------------------------------------

SANDBOX = ("systemd-run --wait --pipe --quiet -p User=hotline -p SupplementaryGroups=gpio "
           "-p DevicePolicy=closed -p DeviceAllow='/dev/gpiochip0 rw' -p ProtectSystem=strict "
           "-p ProtectProc=invisible -p BindReadOnlyPaths=/run/hotline-lab/cpuinfo:/proc/cpuinfo")
PY = "/opt/hotline-terminal/bin/python"


def test_without_the_unit_fixes_lgpio_and_the_board_fail(lab: Lab) -> None:
    """The unit's sandbox with one fix taken out, as a transient service: the step it fixes fails;
    with the fix (as the unit has it) the same step works. The board stand-in is bound in all four:
    with ProcSubset=pid the service cannot see /proc/cpuinfo, bound over or not."""
    board = f"{PY} -c 'from gpiozero.pins.lgpio import LGPIOFactory; LGPIOFactory().close()'"
    edges = (f"{PY} -c 'import lgpio; h = lgpio.gpiochip_open(0); "
             "lgpio.gpio_claim_alert(h, 5, lgpio.BOTH_EDGES); lgpio.callback(h, 5)'")
    runs = {
        "board with ProcSubset=pid": lab.sh(f"{SANDBOX} -p ProcSubset=pid -p WorkingDirectory=/tmp "
                                            f"-p PrivateTmp=yes {board}", timeout=120),
        "board without": lab.sh(f"{SANDBOX} -p PrivateTmp=yes -p WorkingDirectory=/tmp {board}",
                                timeout=120),
        "lgpio callback, cwd /": lab.sh(f"{SANDBOX} -p WorkingDirectory=/ {edges}", timeout=120),
        "lgpio callback, LG_WD": lab.sh(
            f"{SANDBOX} -p RuntimeDirectory=lg -p WorkingDirectory=/run/lg "
            f"-p Environment=LG_WD=/run/lg {edges}", timeout=120),
    }
    figure("unit fixes: exit status without / with (board; lgpio callback)",
           f"{runs['board with ProcSubset=pid'].rc} / {runs['board without'].rc}; "
           f"{runs['lgpio callback, cwd /'].rc} / {runs['lgpio callback, LG_WD'].rc}")
    for name, r in runs.items():
        (lab.run / f"fix-{name.replace(' ', '_').replace('/', '')}.txt").write_text(r.out + r.err)
    assert runs["board with ProcSubset=pid"].rc != 0
    assert runs["board without"].rc == 0, runs["board without"].err
    assert runs["lgpio callback, cwd /"].rc != 0
    assert runs["lgpio callback, LG_WD"].rc == 0, runs["lgpio callback, LG_WD"].err


# --- 3. ring, PTT, KEY, LEDs ----------------------------------------------------------------------

def test_ring_then_ptt_keys_the_bridge_and_lights_the_leds(lab: Lab) -> None:
    ensure_running(lab)
    assert lab.led_samples(PINS["ring"], 1) == {"0"}
    t_ring = lab.sims.now()
    assert lab.sims.bridge_do("ring")
    assert lab.wait_state("RINGING", 15)
    figure("far end rings to the desk RINGING (control socket)", lab.sims.now() - t_ring, "s")
    ringing = lab.led_samples(PINS["ring"], 2)
    assert ringing == {"0", "1"}, f"ring LED not blinking while ringing: {ringing}"
    lab.intent("answer")
    assert lab.wait_state("CONNECTED", 10)
    assert lab.sims.wait_for(lambda: lab.sims.bridge_state()["phase"] == "CONNECTED", 10)
    assert lab.led_samples(PINS["ring"], 1) == {"1"}, "ring LED not steady during the call"
    t_press = lab.ptt(True)
    t_key = wait_message(lab, t_press, Key, 10)
    assert t_key is not None, "no KEY at the bridge after the PTT line was pulled low"
    figure("PTT line pulled low to KEY at the host bridge (incl. the agent's round trip)",
           (t_key - t_press) * 1000, "ms")
    assert lab.sims.bridge_state()["keyed"]
    assert lab.led_samples(PINS["tx"], 1) == {"1"}, "TX LED not lit while keyed"
    t_rel = lab.ptt(False)
    t_unkey = wait_message(lab, t_rel, Unkey, 10, reason="PTT")
    assert t_unkey is not None, "no UNKEY(PTT) after release"
    figure("PTT released to UNKEY(PTT) at the host bridge", (t_unkey - t_rel) * 1000, "ms")
    assert lab.sims.wait_for(lambda: not lab.sims.bridge_state()["keyed"], 5)
    assert lab.led_samples(PINS["tx"], 1) == {"0"}
    lab.intent("hangup")
    assert lab.wait_state("IDLE", 10)
    assert lab.led_samples(PINS["ring"], 1) == {"0"}
    figure("LEDs in sysfs: ring blinking / steady / off, TX on / off", "as expected")


# --- 4. reload of [call], [ptt], [alerts]; TOT ---------------------------------------------------

def test_reload_applies_call_ptt_alerts_or_names_what_needs_a_restart(lab: Lab) -> None:
    ensure_running(lab)
    pid = lab.main_pid()
    cursor = lab.cursor()
    lab.write(CONF, lab_config(RELOADED_KEYS))
    lab.sh(f"systemctl reload {UNIT}").check("reload")
    assert lab.main_pid() == pid, "reload restarted the service"
    line = lab.sims.wait_for(
        lambda: [m for m in lab.messages(cursor) if "configuration reloaded" in m], 30)
    assert line, lab.messages(cursor)
    said = line[-1]
    needs = said.split("need a restart", 1)[1] if "need a restart" in said else ""
    figure("reload: the journal's line", said.split(": ", 1)[-1])

    # [call] ring_timeout_s 30 -> 10: an unanswered ring is missed after 10 s.
    t0 = lab.sims.now()
    assert lab.sims.bridge_do("ring")
    assert lab.wait_state("RINGING", 15)
    assert lab.wait_state("IDLE", 30), "the ring did not time out"
    missed = lab.sims.now() - t0
    figure("[call] ring_timeout_s=10 after reload: ring at the bridge to the desk IDLE again",
           missed, "s")
    assert 9.0 <= missed <= 20.0, missed
    lab.sims.bridge_do("hangup")

    # [ptt] tx_timeout_s 60 -> 8: the time-out timer cuts a held PTT after 8 s (TOT).
    connect_call(lab)
    t_press = lab.ptt(True)
    t_key = wait_message(lab, t_press, Key, 10)
    assert t_key is not None
    t_tot = wait_message(lab, t_key, Unkey, 30, reason="TOT")
    assert t_tot is not None, "no UNKEY(TOT) while PTT was held"
    figure("TOT: KEY to UNKEY(TOT) at the host bridge, tx_timeout_s=8 (reloaded)",
           t_tot - t_key, "s")
    assert 7.0 <= t_tot - t_key <= 12.0
    assert lab.led_samples(PINS["tx"], 1) == {"0"}
    keys = received_after(lab, t_press, Key)
    kas = [at for at, _ in received_after(lab, t_key, Ka) if at < t_tot]
    lab.ptt(False)
    lab.intent("hangup")
    assert lab.wait_state("IDLE", 10)
    assert not lab.sims.bridge_state()["keyed"]

    # [ptt] keepalive_s 0.5 -> 0.25, bridge_keepalive_timeout_s 1.5 -> 1.0: in the KEY and the KAs.
    keepalive_ms = keys[0][1].keepalive_ms  # type: ignore[attr-defined]
    gaps = [b - a for a, b in itertools.pairwise(kas)]
    ka = statistics.median(gaps) if gaps else float("nan")
    figure("[ptt] after reload: KEY keepalive_ms / median KA interval at the bridge",
           f"{keepalive_ms} ms / {ka:.3f} s")
    problems = []
    if not (keepalive_ms == 1000 and ka < 0.4) and "ptt" not in needs:
        problems.append(
            f"[ptt] keepalive_s/bridge_keepalive_timeout_s changed: KEY said {keepalive_ms} ms, "
            f"KAs every {ka:.3f} s, and the reload said {said!r} (neither applied nor named)")

    # [alerts] critical_repeat_s 30 -> 7: a critical alert left unacknowledged sounds again after
    # 7 s (the reminder notice in the journal), or the reload named [alerts] as needing a restart.
    # A fresh burst of two critical pairs (they pass and clear about 20 s later: no reminder at all
    # with the old 30 s).
    assert lab.vm is not None
    t_alert = lab.cursor()
    lab.sims.stop_coproc()
    lab.sims.start_coproc(lab.vm.ptys["coproc"], "burst:2")

    def reminders() -> list[float]:
        """The desk's reminder notices (terminal.engine: CRITICAL ... unacknowledged for N s.)."""
        lines = [m for m in lab.messages(t_alert) if m.startswith("terminal.engine: CRITICAL")]
        return [float(x) for m in lines for x in re.findall(r"unacknowledged for ([0-9.]+) s", m)]

    seen = lab.sims.wait_for(reminders, 40, 1.0) or []
    figure("[alerts] after reload: unacknowledged_s of the first critical reminders", str(seen))
    if not (seen and 6.0 <= seen[0] <= 9.5) and "alerts" not in needs:
        problems.append(f"[alerts] critical_repeat_s 30 -> 7: reminders after {seen} s; the "
                        f"reload said {said!r} (neither applied nor named)")
    assert not problems, "\n".join(problems)


# --- 5. stop while keyed --------------------------------------------------------------------------

def test_stop_while_keyed_sends_unkey_exit(lab: Lab) -> None:
    ensure_running(lab)
    connect_call(lab)
    t_press = lab.ptt(True)
    assert wait_message(lab, t_press, Key, 10) is not None
    cursor = lab.cursor()
    t_stop = lab.sims.now()
    r = lab.sh(f"systemctl stop {UNIT}", timeout=60)
    assert r.rc == 0, r.err
    t_exit = wait_message(lab, t_stop, Unkey, 5, reason="EXIT")
    assert t_exit is not None, [m for _, m in lab.sims.bridge_received()][-10:]
    figure("systemctl stop while keyed: UNKEY(EXIT) at the host bridge after", t_exit - t_stop, "s")
    figure("systemctl stop while keyed: stop took", r.s, "s")
    assert lab.show("ExecMainStatus") == "0"
    assert not lab.sims.bridge_state()["keyed"]
    assert lab.show("ActiveState") == "inactive"
    assert any("Deactivated successfully" in m for m in lab.messages(cursor))
    lab.ptt(False)
    lab.sh(f"systemctl start {UNIT}", timeout=120).check("start again")


# --- 6. SIGSTOP past WatchdogSec ------------------------------------------------------------------

def test_sigstop_past_the_watchdog_is_killed_and_restarted_unkeyed(lab: Lab) -> None:
    ensure_running(lab)
    connect_call(lab)
    t_press = lab.ptt(True)
    assert wait_message(lab, t_press, Key, 10) is not None
    pid, restarts = lab.main_pid(), int(lab.show("NRestarts"))
    cursor = lab.cursor()
    t_stop = lab.sims.now()
    lab.sh(f"kill -STOP {pid}").check()
    # The bridge unkeys on its own when the keepalives stop.
    assert lab.sims.wait_for(lambda: not lab.sims.bridge_state()["keyed"], 5)
    changes = [c for c in lab.sims.bridge_tx_changes() if c[0] >= t_stop]
    assert changes and changes[0][2] == "KEEPALIVE", changes
    figure("SIGSTOP while keyed: the bridge unkeyed itself (KEEPALIVE) after",
           changes[0][0] - t_stop, "s")
    lab.ptt(False)
    new = lab.sims.wait_for(lambda: lab.main_pid() not in (0, pid) and active(lab), 60, 0.5)
    assert new, lab.sh(f"journalctl -u {UNIT} -n 30 --no-pager").out
    figure("SIGSTOP to restarted and active again", lab.sims.now() - t_stop, "s")
    msgs = lab.messages(cursor)
    assert any("Watchdog timeout" in m for m in msgs), msgs
    assert int(lab.show("NRestarts")) == restarts + 1
    assert links_up(lab, 30)
    assert not lab.sims.bridge_state()["keyed"]
    assert lab.state() == "IDLE"


# --- 7. kill -9 -----------------------------------------------------------------------------------

def test_kill_9_restarts_and_the_log_verifies(lab: Lab) -> None:
    ensure_running(lab)
    pid, restarts = lab.main_pid(), int(lab.show("NRestarts"))
    t0 = lab.sims.now()
    lab.sh(f"kill -9 {pid}").check()
    new = lab.sims.wait_for(lambda: lab.main_pid() not in (0, pid) and active(lab), 60, 0.5)
    assert new
    figure("kill -9 to restarted and active again", lab.sims.now() - t0, "s")
    assert int(lab.show("NRestarts")) == restarts + 1
    assert links_up(lab, 30)
    r = lab.sh(f"{HOTLINE} log verify --config {CONF}", timeout=120)
    assert r.rc == 0, r.out + r.err
    figure("hotline log verify after kill -9", r.out.strip().splitlines()[-1] if r.out else "ok")


# --- 8. a bad configuration -----------------------------------------------------------------------

def test_a_bad_configuration_exits_78_and_is_not_restarted(lab: Lab) -> None:
    ensure_running(lab)
    lab.write(CONF, lab_config({("ptt", "tx_timeout_s"): '"sixty"'}))
    try:
        cursor = lab.cursor()
        r = lab.sh(f"systemctl restart {UNIT}", timeout=60)
        assert r.rc != 0
        time.sleep(8)  # four times RestartSec: a restart loop would have begun
        status = lab.show("ExecMainStatus")
        starts = [m for m in lab.messages(cursor) if m.startswith("Starting ")]
        figure("bad configuration: exit status / starts within 8 s / NRestarts",
               f"{status} / {len(starts)} / {lab.show('NRestarts')}")
        assert status == "78"
        assert lab.show("ActiveState") == "failed"
        # A manual (re)start zeroes NRestarts; an automatic restart would count here.
        assert lab.show("NRestarts") == "0"
        assert len(starts) == 1, starts
        assert any("tx_timeout_s" in m and "sixty" in m for m in lab.messages(cursor))
    finally:
        lab.write(CONF, lab_config())
    lab.sh(f"systemctl reset-failed {UNIT}; systemctl start {UNIT}", timeout=120).check()


# --- 9. MQTT to the host's broker, hardening on ---------------------------------------------------

def test_mqtt_records_reach_the_host_broker_through_the_drop_in(lab: Lab) -> None:
    ensure_running(lab)
    props = {p: lab.show(p) for p in ("PrivateNetwork", "IPAddressDeny", "IPAddressAllow",
                                      "RestrictAddressFamilies")}
    assert props["PrivateNetwork"] == "no"
    assert "0.0.0.0/0" in props["IPAddressDeny"] and "::/0" in props["IPAddressDeny"], props
    assert props["IPAddressAllow"] in (BROKER_IN_GUEST, f"{BROKER_IN_GUEST}/32"), props
    # The calls made above were logged; each call record must have reached the host broker.
    r = lab.sh(f"{HOTLINE} log calls --config {CONF} --format jsonl", timeout=60).check()
    calls = [json.loads(x) for x in r.out.splitlines() if x.strip()]
    assert calls, "no calls in the log"

    def seen() -> list[dict]:
        lines = lab.tail_out.read_text().splitlines()
        return [json.loads(x) for x in lines if x.strip()]

    got = lab.sims.wait_for(lambda: [m for m in seen() if m.get("topic_leaf") == "calls"], 60, 1)
    figure("MQTT: call records in the log / seen by `hotline tail` on the host",
           f"{len(calls)} / {len(got)}")
    assert got, (lab.tail_out.read_text()[-2000:], (lab.run / "mqtt-tail.err").read_text())
    assert len(got) >= len(calls), (len(got), len(calls))
    status = [m for m in seen() if m.get("topic_leaf") == "status"]
    assert status, "no status message"


# --- 10. systemd-analyze security -----------------------------------------------------------------

def test_systemd_analyze_security_on_the_running_system(lab: Lab) -> None:
    ensure_running(lab)
    r = lab.sh(f"systemd-analyze security {UNIT} --no-pager")
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.out)
    assert found, r.out + r.err
    figure("systemd-analyze security (running, with the MQTT drop-in)", float(found.group(1)))
    assert float(found.group(1)) <= 2.0, r.out


# --- 11. the sound card: a start's journal, and a ring -------------------------------------------

def test_sound_card_start_journal_and_a_ring_without_a_crash(lab: Lab) -> None:
    """Sound on (the VM's Intel HDA card, ALSA's default device): a start's journal holds only the
    desk's own lines (no ALSA or JACK chatter), and a call with its ring tone leaves the desk
    running (no abort in the audio library)."""
    ensure_running(lab)
    lab.sh(f"systemctl stop {UNIT}", timeout=60).check()
    lab.write(CONF, lab_config({("audio", "enabled"): "true"}))
    problems = []
    try:
        cursor = lab.cursor()
        lab.sh(f"systemctl start {UNIT}", timeout=120).check()
        assert links_up(lab, 30)
        time.sleep(3)
        pid = lab.main_pid()
        lines = [str(e.get("MESSAGE")) for e in lab.journal(cursor) if e.get("_PID") == str(pid)]
        foreign = [m for m in lines if not DESK_LINE.match(m)]
        figure("sound on: a start's journal, the desk's lines / others",
               f"{len(lines) - len(foreign)} / {len(foreign)}")
        assert lines
        if foreign:
            problems.append(f"{len(foreign)} lines not the desk's own, e.g. {foreign[:5]}")
        restarts = int(lab.show("NRestarts"))
        assert lab.sims.bridge_do("ring")
        assert lab.wait_state("RINGING", 15)
        time.sleep(15)  # the ring tone plays
        lab.intent("answer")
        time.sleep(5)
        lab.intent("hangup")
        time.sleep(5)
        aborted = [m for m in lab.messages(cursor) if "Assertion" in m or "status=6/ABRT" in m]
        figure("sound on: 25 s of ring and call, aborts / restarts",
               f"{len(aborted)} / {int(lab.show('NRestarts')) - restarts}")
        if aborted or lab.main_pid() != pid:
            problems.append(f"the desk aborted with sound on: {aborted[:3]}")
    finally:
        lab.write(CONF, lab_config())
        lab.sh(f"systemctl reset-failed {UNIT}; systemctl restart {UNIT}", timeout=120)
    assert not problems, "\n".join(problems)


# --- 12. power cut mid alert burst (second boot) --------------------------------------------------

def test_power_cut_mid_alert_burst_keeps_every_acked_alert(lab: Lab) -> None:
    ensure_running(lab)
    assert lab.vm is not None
    lab.sims.stop_coproc()
    lab.sims.start_coproc(lab.vm.ptys["coproc"], "burst:150")
    burst = lab.sims.coproc
    enough = lab.sims.wait_for(lambda: lab.sims.coproc_state()["acked"] >= 20, 180, 0.05)
    assert enough, lab.sims.coproc_state()
    lab.vm.kill()  # the power cut: QEMU is killed, the guest writes nothing more
    lab.sims.stop_coproc()
    lab.sims.stop_bridge()
    acked = lab.sims.on_loop(lambda: set(burst.log.delivered))
    issued = lab.sims.on_loop(lambda: len(burst.log.issued))
    figure("power cut: alerts ACKed by the desk / issued before the cut",
           f"{len(acked)} / {issued}")
    assert issued > len(acked) or issued == 150, "the cut came after the burst"

    took = lab.boot()
    figure("boot 2: QEMU start to the guest agent answering", took, "s")
    t0 = time.monotonic()
    up = lab.sims.wait_for(lambda: active(lab), 120, 1)
    assert up, lab.sh(f"journalctl -u {UNIT} -b -n 40 --no-pager").out
    figure("boot 2: the enabled service active after the agent answered",
           time.monotonic() - t0, "s")
    r = lab.sh(f"{HOTLINE} log alerts --config {CONF} --format jsonl", timeout=120).check()
    logged = set()
    for line in r.out.splitlines():
        if line.strip():
            row = json.loads(line)
            logged.add((row["boot_id"], int(row["alert_seq"])))
    missing = acked - logged
    figure("power cut: ACKed alerts missing from the log after boot 2", len(missing))
    assert not missing, sorted(missing)[:10]
    v = lab.sh(f"{HOTLINE} log verify --config {CONF}", timeout=180)
    assert v.rc == 0, v.out + v.err


@pytest.fixture(autouse=True)
def _journal_on_failure(request: pytest.FixtureRequest, lab: Lab):  # type: ignore[no-untyped-def]
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed and lab.vm is not None:
        try:
            out = lab.sh(f"journalctl -u {UNIT} -n 80 --no-pager", timeout=30).out
            (lab.run / f"journal-{request.node.name}.txt").write_text(out)
        except Exception as exc:
            print(f"(journal not fetched: {exc})")

