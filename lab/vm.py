"""One boot of the lab VM under QEMU, and the agent that runs commands in it.

The disk is a qcow2 overlay on the cached image (the cache is never written); it lives for the whole
lab run, so a second boot finds what the first left (the hard power-off scenario). Wiring:

* ttyS0: the guest console, to a file;
* ttyS1, ttyS2: the radio and co-processor links, each a host pseudo-terminal (a real tty at both
  ends) where lab/hostsims.py runs the simulators;
* a virtio-serial port, org.hotline.lab.agent, to a Unix socket: the agent (lab/guest) runs our
  commands as root;
* 9p: the run directory (the source tree being installed) and the wheelhouse, read-only;
* user-mode network with restrict=on: the guest reaches nothing, except 10.0.2.100:1883, which
  QEMU relays to the host's Mosquitto on 127.0.0.1 (no packet leaves QEMU);
* an Intel HDA sound card with a silent host backend (ALSA in the guest, as at the desk).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BROKER_IN_GUEST = "10.0.2.100"


@dataclass
class Result:
    rc: int
    out: str
    err: str
    s: float

    def check(self, what: str = "") -> Result:
        assert self.rc == 0, f"{what} failed (rc {self.rc}):\n{self.out}\n{self.err}"
        return self


def accel() -> list[str]:
    """KVM where it works (real VT-x/AMD-V exposed to this machine), else TCG. Nested PVM
    (kvm_pvm, no vmx/svm flag) hangs a stock Debian kernel, so it counts as not working.
    LAB_ACCEL=tcg|kvm overrides."""
    choice = os.environ.get("LAB_ACCEL", "auto")
    if choice == "auto":
        cpuinfo = Path("/proc/cpuinfo").read_text()
        flags = re.search(r"^flags\s*:(.*)$", cpuinfo, re.M)
        hw = flags is not None and bool({"vmx", "svm"} & set(flags.group(1).split()))
        usable = os.access("/dev/kvm", os.R_OK | os.W_OK) and hw and not Path(
            "/sys/module/kvm_pvm").exists()
        choice = "kvm" if usable else "tcg"
    if choice == "kvm":
        return ["-enable-kvm", "-cpu", "host"]
    return ["-accel", "tcg,thread=multi", "-cpu", "max"]


class VM:
    """A booted VM; `sh` runs a command in it as root."""

    def __init__(self, image: Path, run: Path, disk: Path, wheels: Path, broker_port: int,
                 boot: int) -> None:
        self.run = run
        self.boot_no = boot
        self.console = run / f"console-{boot}.log"
        self.agent_sock = run / f"agent-{boot}.sock"
        relay = f"socat - TCP:127.0.0.1:{broker_port}"
        cmd = [
            "qemu-system-x86_64", "-machine", "q35", *accel(), "-smp", "2", "-m", "1536",
            "-nodefaults", "-display", "none", "-no-reboot",
            "-kernel", str(image / "vmlinuz"), "-initrd", str(image / "initrd.img"),
            "-append", "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 "
                       "net.ifnames=0 8250.nr_uarts=4",
            "-drive", f"file={disk},format=qcow2,if=virtio,cache=writeback",
            "-serial", f"file:{self.console}",
            "-chardev", "pty,id=radio", "-serial", "chardev:radio",
            "-chardev", "pty,id=coproc", "-serial", "chardev:coproc",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=agent,path={self.agent_sock},server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=org.hotline.lab.agent",
            "-virtfs", f"local,path={run / 'share'},mount_tag=lab,security_model=none,readonly=on",
            "-virtfs", f"local,path={wheels},mount_tag=wheels,security_model=none,readonly=on",
            "-netdev", f"user,id=net0,restrict=on,guestfwd=tcp:{BROKER_IN_GUEST}:1883-cmd:{relay}",
            "-device", "virtio-net-pci,netdev=net0",
            "-audiodev", "none,id=snd0", "-device", "ich9-intel-hda",
            "-device", "hda-duplex,audiodev=snd0",
        ]
        self.t0 = time.monotonic()
        self.stderr_path = run / f"qemu-{boot}.out"
        self._sock: socket.socket | None = None
        # QEMU names the pseudo-terminals it made on its standard output.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.ptys: dict[str, str] = {}
        self._stderr_lines: list[str] = []
        self._pty_ready = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if not self._pty_ready.wait(30):
            self.kill()
            raise RuntimeError("QEMU did not start:\n" + "".join(self._stderr_lines))
        self._buf = b""
        self._ids = itertools.count(1)

    def _read_stderr(self) -> None:
        assert self.proc.stdout is not None
        with open(self.stderr_path, "w") as keep:
            for line in self.proc.stdout:
                keep.write(line)
                keep.flush()
                self._stderr_lines.append(line)
                found = re.search(r"char device redirected to (\S+) \(label (\w+)\)", line)
                if found:
                    self.ptys[found.group(2)] = found.group(1)
                    if {"radio", "coproc"} <= set(self.ptys):
                        self._pty_ready.set()
        self._pty_ready.set()

    # --- the agent ---

    def wait_agent(self, timeout: float) -> float:
        """Connect to the agent and wait for its first answer; seconds since QEMU started."""
        end = time.monotonic() + timeout
        while self._sock is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"QEMU exited ({self.proc.returncode}): {self.console}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(str(self.agent_sock))
                self._sock = s
            except OSError:
                time.sleep(0.2)
            if time.monotonic() > end:
                raise TimeoutError("no agent socket")
        while True:
            try:
                self.sh("true", timeout=min(10.0, max(1.0, end - time.monotonic())), _reply_s=5)
                return time.monotonic() - self.t0
            except TimeoutError:
                if time.monotonic() > end or self.proc.poll() is not None:
                    raise TimeoutError(
                        f"the guest agent did not answer in {timeout} s; console: {self.console}"
                    ) from None

    def sh(self, command: str, timeout: float = 120.0, input: str = "",
           _reply_s: float | None = None) -> Result:
        """Run `command` with bash in the guest as root; its exit code and output."""
        assert self._sock is not None
        req = {"id": next(self._ids), "sh": command, "timeout": timeout, "input": input}
        self._sock.sendall((json.dumps(req) + "\n").encode())
        wait = _reply_s if _reply_s is not None else timeout + 30
        end = time.monotonic() + wait
        while True:
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                reply = json.loads(line)
                if reply.get("id") == req["id"]:
                    return Result(reply["rc"], reply["out"], reply["err"], reply["s"])
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply from the guest agent in {wait} s to {command!r}")
            self._sock.settimeout(left)
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                raise ConnectionError("the guest agent hung up")
            self._buf += data

    def write(self, path: str, text: str, mode: str = "0644") -> None:
        q = shlex.quote(path)
        self.sh(f"install -D -m {mode} /dev/stdin {q}", input=text).check(f"write {path}")

    # --- power ---

    def poweroff(self, timeout: float = 120.0) -> None:
        """A clean shutdown (systemctl poweroff), waiting for QEMU to exit."""
        with contextlib.suppress(Exception):
            self.sh("systemctl --no-block poweroff", timeout=10)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Power cut: QEMU is killed, the guest gets no chance to write anything more."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
