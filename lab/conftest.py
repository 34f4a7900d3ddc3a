"""The deployment lab's fixtures: one VM for the whole run (a second boot of the same disk for the
power-cut scenario), the host's simulators and Mosquitto, and the figures every scenario records.

Run by lab/run.sh (`make lab`), which provides LAB_IMAGE, LAB_WHEELS and LAB_RUN.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostsims import HostSims
from vm import BROKER_IN_GUEST, VM, Result

REPO = Path(__file__).resolve().parents[1]
GUEST_SRC = "/root/hotline-terminal"
CONF = "/etc/hotline-terminal/hotline.toml"
UNIT = "hotline-terminal"
HOTLINE = "/opt/hotline-terminal/bin/hotline"
PINS = {"ptt": 17, "ring": 22, "tx": 23, "alert": 24, "fault": 27}

FIGURES: dict[str, str] = {}


def figure(name: str, value: float | str, unit: str = "") -> None:
    """Record one of the lab's figures (printed at the end, and kept in LAB_RUN/figures.json)."""
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    FIGURES[name] = f"{text} {unit}".strip()
    run = os.environ.get("LAB_RUN")
    if run:
        Path(run, "figures.json").write_text(json.dumps(FIGURES, indent=1))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("lab figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


def set_keys(text: str, changes: dict[tuple[str, str], str]) -> str:
    """The configuration text with `key = value` replaced in the named sections (as an operator
    edits the file); every key must be found."""
    out, section, done = [], "", set()
    for line in text.splitlines():
        header = re.match(r"^\[(\w+)\]\s*$", line)
        if header:
            section = header.group(1)
        found = re.match(r"^(\w+)\s*=", line)
        if found and (section, found.group(1)) in changes:
            line = f"{found.group(1)} = {changes[(section, found.group(1))]}"
            done.add((section, found.group(1)))
        out.append(line)
    missing = set(changes) - done
    assert not missing, f"keys not in the file: {missing}"
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Lab:
    """Everything a scenario touches."""

    def __init__(self) -> None:
        self.image = Path(os.environ["LAB_IMAGE"])
        self.wheels = Path(os.environ["LAB_WHEELS"])
        self.run = Path(os.environ["LAB_RUN"])
        self.disk = self.run / "disk.qcow2"
        start_from = os.environ.get("LAB_DISK")  # developers: a kept run's disk (docs/deploy.md)
        if start_from:
            subprocess.run(["cp", start_from, str(self.disk)], check=True)
        else:
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                            str(self.image / "rootfs.qcow2"), str(self.disk)], check=True)
        self.broker_port = free_port()
        conf = self.run / "mosquitto.conf"
        conf.write_text(f"listener {self.broker_port} 127.0.0.1\nallow_anonymous true\n"
                        "persistence false\nlog_dest stderr\n")
        self.mosquitto = subprocess.Popen(
            ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL,
            stderr=open(self.run / "mosquitto.log", "w"))  # noqa: SIM115
        self.tail_out = self.run / "mqtt-tail.jsonl"
        time.sleep(0.5)
        self.tail = subprocess.Popen(
            [str(REPO / ".venv/bin/hotline"), "tail", "--broker",
             f"mqtt://127.0.0.1:{self.broker_port}", "--format", "jsonl",
             "--client-id", "lab-supervisor"],
            stdout=open(self.tail_out, "w"), stderr=open(self.run / "mqtt-tail.err", "w"))  # noqa: SIM115
        self.sims = HostSims()
        self.vm: VM | None = None
        self.boots = 0

    # --- the VM ---

    def boot(self, coproc_scenario: str = "head-on") -> float:
        """Boot the disk, wire the simulators to its serial ports; seconds to the agent's answer."""
        self.boots += 1
        self.vm = VM(self.image, self.run, self.disk, self.wheels, self.broker_port, self.boots)
        self.sims.start_bridge(self.vm.ptys["radio"])
        self.sims.start_coproc(self.vm.ptys["coproc"], coproc_scenario)
        took = self.vm.wait_agent(timeout=600)
        nine = "mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,ro"
        self.sh(f"mkdir -p /mnt/lab /mnt/wheels && {nine} lab /mnt/lab && "
                f"{nine} wheels /mnt/wheels && "
                "ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0").check("lab mounts")
        return took

    def sh(self, command: str, timeout: float = 120.0, input: str = "") -> Result:
        assert self.vm is not None
        return self.vm.sh(command, timeout=timeout, input=input)

    def write(self, path: str, text: str, mode: str = "0644") -> None:
        assert self.vm is not None
        self.vm.write(path, text, mode)

    # --- the desk in the guest ---

    def show(self, prop: str) -> str:
        return self.sh(f"systemctl show -p {prop} --value {UNIT}").out.strip()

    def main_pid(self) -> int:
        return int(self.show("MainPID") or 0)

    def cursor(self) -> str:
        out = self.sh("journalctl -n 0 --show-cursor --no-pager").out
        return out.strip().split("cursor: ", 1)[-1]

    def journal(self, cursor: str, unit: bool = True) -> list[dict[str, Any]]:
        """Journal entries after `cursor` (of the unit, or all), as journalctl's JSON."""
        where = f"-u {UNIT}" if unit else ""
        out = self.sh(f"journalctl {where} -o json --no-pager --after-cursor={shlex.quote(cursor)}",
                      timeout=60).out
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def messages(self, cursor: str) -> list[str]:
        return [str(e.get("MESSAGE", "")) for e in self.journal(cursor)]

    def desk(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request on the desk's control socket (docs/attach.md), as root in the guest."""
        script = (
            "import json,socket,sys\n"
            "s=socket.socket(socket.AF_UNIX);s.settimeout(10)\n"
            "s.connect('/run/hotline-terminal/control.sock')\n"
            "s.sendall(sys.stdin.buffer.read())\n"
            "b=b''\n"
            "while not b.endswith(b'\\n'):\n"
            "    d=s.recv(65536)\n"
            "    if not d: break\n"
            "    b+=d\n"
            "print(b.decode())\n"
        )
        r = self.sh(f"python3 -c {shlex.quote(script)}", input=json.dumps(request) + "\n")
        r.check(f"control request {request}")
        return dict(json.loads(r.out))

    def state(self) -> str:
        return str(self.desk({"cmd": "state"}).get("state"))

    def wait_state(self, want: str, timeout: float) -> bool:
        return bool(self.sims.wait_for(lambda: self.state() == want, timeout, step=0.3))

    def intent(self, name: str) -> dict[str, Any]:
        reply = self.desk({"cmd": "intent", "name": name})
        assert reply.get("ok"), reply
        return reply

    def gpio(self, pin: int) -> str:
        return self.sh(f"cat /run/hotline-lab/gpio/sim_gpio{pin}/value").out.strip()

    def led_samples(self, pin: int, seconds: float = 1.5) -> set[str]:
        """The values an LED line took over `seconds` (a blinking LED shows both)."""
        out = self.sh(f"end=$((SECONDS+{max(1, round(seconds))})); while [ $SECONDS -lt $end ]; do "
                      f"cat /run/hotline-lab/gpio/sim_gpio{pin}/value; sleep 0.1; done").out
        return set(out.split())

    def ptt(self, pressed: bool) -> float:
        """Press or release the desk's PTT button (wired to ground, pull-up on the Pi): the host
        pulls the gpio-sim line down (pressed) or up. Returns the host's time just before."""
        t = self.sims.now()
        pull = "pull-down" if pressed else "pull-up"
        self.sh(f"echo {pull} > /run/hotline-lab/gpio/sim_gpio{PINS['ptt']}/pull").check("ptt")
        return t

    def close(self) -> None:
        if self.vm is not None:
            self.vm.poweroff(timeout=60)
        self.sims.close()
        for proc in (self.tail, self.mosquitto):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    the_lab = Lab()
    try:
        took = the_lab.boot()
        figure("boot 1: QEMU start to the guest agent answering (multi-user)", took, "s")
        yield the_lab
    finally:
        the_lab.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


__all__ = ["BROKER_IN_GUEST", "CONF", "GUEST_SRC", "HOTLINE", "PINS", "UNIT", "Lab", "figure",
           "set_keys"]
