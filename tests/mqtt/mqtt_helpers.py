"""A real Mosquitto broker on a free loopback port, a subscriber that checks what it gets, and a
throwaway CA for TLS tests."""

from __future__ import annotations

import asyncio
import getpass
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt

from terminal.mqtt.payload import BadMessage, Received, parse

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tls:
    """Broker-side TLS files."""

    ca: Path
    cert: Path
    key: Path


@dataclass
class Broker:
    """`mosquitto -c <conf>` on 127.0.0.1:port; start(), stop(), start() again on the same port."""

    workdir: Path
    port: int = field(default_factory=free_port)
    password_file: Path | None = None
    tls: Tls | None = None
    persistent: bool = False  # keep sessions (and queued messages) across a restart
    client_certs: bool = False  # TLS: refuse clients without a certificate from the CA
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    def _conf(self) -> Path:
        lines = [
            f"user {getpass.getuser()}",
            f"persistence {'true' if self.persistent else 'false'}",
            f"persistence_location {self.workdir}/",
            f"log_dest file {self.workdir / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "max_inflight_messages 0",
            "max_queued_messages 100000",
            f"listener {self.port} 127.0.0.1",
        ]
        if self.password_file is not None:
            lines += ["allow_anonymous false", f"password_file {self.password_file}"]
        else:
            lines.append("allow_anonymous true")
        if self.tls is not None:
            lines += [f"cafile {self.tls.ca}", f"certfile {self.tls.cert}",
                      f"keyfile {self.tls.key}"]  # fmt: skip
            if self.client_certs:
                lines.append("require_certificate true")
        path = self.workdir / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self, timeout_s: float = 5.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self._conf()
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"mosquitto exited {self.process.returncode}: {err}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mosquitto did not listen on {self.port}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stderr is not None:
            process.stderr.close()


def add_user(path: Path, user: str, password: str) -> None:
    """A mosquitto password file entry (made with mosquitto_passwd)."""
    flags = ["-b"] if path.exists() else ["-c", "-b"]
    subprocess.run([MOSQUITTO_PASSWD, *flags, str(path), user, password], check=True,
                   capture_output=True)  # fmt: skip


def make_ca(directory: Path) -> Tls:
    """A throwaway CA and a broker certificate for 127.0.0.1 / localhost (openssl)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "broker.key", directory / "broker.csr", directory / "broker.pem"
    ext = directory / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
        "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key),
        "-out", str(csr))  # fmt: skip
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert))  # fmt: skip
    client_key, client_csr = directory / "client.key", directory / "client.csr"
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=desk", "-keyout", str(client_key),
        "-out", str(client_csr))  # fmt: skip
    run("x509", "-req", "-in", str(client_csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-out", str(directory / "client.pem"))  # fmt: skip
    client_key.chmod(0o600)
    return Tls(ca, cert, key)


@dataclass
class Collector:
    """Subscribes to every desk under a prefix and keeps what arrives, checked and raw."""

    port: int
    prefix: str = "hotline"
    session: str | None = None  # a client id: a persistent session the broker queues for
    received: list[Received] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)
    arrival: dict[tuple[str, str, int], float] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def records(self) -> list[Received]:
        return [r for r in self.received if r.record_id is not None]

    def ids(self) -> list[int]:
        return [r.record_id for r in self.records() if r.record_id is not None]

    def unique_ids(self) -> list[int]:
        """Record ids in first-arrival order, each once (what a de-duplicating subscriber keeps)."""
        seen: dict[int, None] = {}
        for i in self.ids():
            seen.setdefault(i, None)
        return list(seen)

    def latest(self, leaf: str) -> Received | None:
        found = [r for r in self.received if r.leaf == leaf]
        return found[-1] if found else None

    async def run(self) -> None:
        """Subscribe and collect, reconnecting if the broker goes away."""
        while True:
            try:
                persistent = self.session is not None
                async with aiomqtt.Client(
                    "127.0.0.1", self.port, timeout=5, identifier=self.session,
                    clean_session=not persistent,
                ) as client:  # fmt: skip
                    await client.subscribe(f"{self.prefix}/+/+/+", qos=1)
                    self.ready.set()
                    async for message in client.messages:
                        self._take(str(message.topic), bytes(message.payload or b""))  # type: ignore[arg-type]
            except aiomqtt.MqttError:
                self.ready.clear()
                await asyncio.sleep(0.05)

    def _take(self, topic: str, data: bytes) -> None:
        try:
            item = parse(topic, data, self.prefix)
        except BadMessage as exc:
            self.bad.append((topic, str(exc)))
            return
        self.received.append(item)
        if item.record_id is not None:
            self.arrival.setdefault((item.site, item.desk, item.record_id), time.time())


async def until(predicate: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
    """Wait on the loop until `predicate()` holds; fail after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


async def retained(port: int, topic: str, prefix: str = "hotline", **client: object) -> Received:
    """The retained message on `topic` (a fresh subscriber gets it at once)."""
    async with aiomqtt.Client("127.0.0.1", port, timeout=5, **client) as sub:  # type: ignore[arg-type]
        await sub.subscribe(topic, qos=1)
        async with asyncio.timeout(5):
            async for message in sub.messages:
                return parse(str(message.topic), bytes(message.payload), prefix)  # type: ignore[arg-type]
    raise AssertionError(f"no retained message on {topic}")
