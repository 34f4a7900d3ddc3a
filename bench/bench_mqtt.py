"""Records to a supervisor over MQTT: the desk's publisher against a real Mosquitto on loopback.

The log is a real SQLite file in WAL written by LogWriter (group commit 5 ms, durable); the
publisher runs on an asyncio loop as at the desk (QoS 1, max_inflight 20); the subscriber is a
separate process (paho-mqtt) that stamps each record's arrival.
Figures: records/s end to end (20,000 records submitted at once, first submit to last arrival;
goal >= 1,000/s) and commit-to-subscriber latency p50/p99 for records committed one by one at
200/s (goal p99 < 100 ms on loopback), and the drain rate of a backlog logged while the broker was
down (10,000 records). HOTLINE_BENCH_MQTT_RECORDS=N changes the 20,000.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure
from terminal.config.model import MqttConfig
from terminal.log import LogWriter, records
from terminal.mqtt.publisher import Publisher

BURST = int(os.environ.get("HOTLINE_BENCH_MQTT_RECORDS", "20000"))
PACED = 600
PACE_HZ = 200
BACKLOG = 10_000

_SUBSCRIBER = r"""
import json, sys, time
import paho.mqtt.client as mqtt
port, topic = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
def on_connect(client, userdata, flags, reason, properties):
    client.subscribe(topic, qos=1)
def on_subscribe(client, userdata, mid, reasons, properties):
    out.write("ready\n"); out.flush()
def on_message(client, userdata, message):
    now = time.time()
    try:
        rid = json.loads(message.payload)["id"]
    except Exception:
        return
    out.write(f"{rid} {now:.6f}\n"); out.flush()
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect("127.0.0.1", port)
c.loop_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Broker:
    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.conf = workdir / "mosquitto.conf"
        import getpass

        self.conf.write_text(
            f"user {getpass.getuser()}\npersistence false\nmax_queued_messages 1000000\n"
            f"max_inflight_messages 0\nlistener {self.port} 127.0.0.1\nallow_anonymous true\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([exe, "-c", str(self.conf)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(5)
            self.proc = None


class _Subscriber:
    """The paho subscriber process; `arrivals` maps record id -> arrival time."""

    def __init__(self, port: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SUBSCRIBER, str(port), "hotline/+/+/calls"],
            stdout=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"
        self.arrivals: dict[int, float] = {}

    def wait_for(self, ids: set[int], timeout_s: float = 120) -> None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        while not ids <= self.arrivals.keys():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids - self.arrivals.keys())} records never arrived")
            line = self.proc.stdout.readline()
            rid, when = line.split()
            self.arrivals.setdefault(int(rid), float(when))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


async def _measure(db: Path, broker: _Broker, sub: _Subscriber) -> list[Figure]:
    loop = asyncio.get_running_loop()
    writer = LogWriter.open(db, group_commit_ms=5)
    config = MqttConfig(enabled=True, broker=f"mqtt://127.0.0.1:{broker.port}",
                        reconnect_min_s=0.1, reconnect_max_s=0.2)  # fmt: skip
    publisher = Publisher(config, "AOC", "BENCH", writer)
    task = loop.create_task(publisher.run())
    try:
        while not publisher.is_up:
            await asyncio.sleep(0.01)
        # Burst: everything submitted at once.
        start = time.time()
        futures = [writer.submit(*records.call_started(f"B-{n}", "incoming", None))
                   for n in range(BURST)]  # fmt: skip
        ids = {f.result(60) for f in futures}
        await loop.run_in_executor(None, sub.wait_for, ids)
        rate = BURST / (max(sub.arrivals[i] for i in ids) - start)

        # Paced: one at a time, latency from commit to the subscriber.
        committed: dict[int, float] = {}
        for n in range(PACED):
            fut = writer.submit(*records.call_started(f"P-{n}", "incoming", None))
            fut.add_done_callback(lambda f: committed.setdefault(f.result(), time.time()))
            await asyncio.sleep(1 / PACE_HZ)
        writer.flush(10)
        await loop.run_in_executor(None, sub.wait_for, set(committed))
        latency = sorted((sub.arrivals[i] - t) * 1000 for i, t in committed.items())
        p50 = statistics.median(latency)
        p99 = latency[min(len(latency) - 1, int(len(latency) * 0.99))]

        # Backlog: logged while the broker is down, delivered when it is back.
        broker.stop()
        while publisher.is_up:
            await asyncio.sleep(0.01)
        futures = [writer.submit(*records.call_started(f"Q-{n}", "incoming", None))
                   for n in range(BACKLOG)]  # fmt: skip
        backlog = {f.result(60) for f in futures}
        sub.close()
        broker.start()
        sub2 = _Subscriber(broker.port)
        back = time.time()
        await loop.run_in_executor(None, sub2.wait_for, backlog)
        drain = BACKLOG / (max(sub2.arrivals[i] for i in backlog) - back)
        sub2.close()
    finally:
        await publisher.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        publisher.save_on_close()
        writer.close(10)
    return [
        Figure("mqtt_records_per_s", round(rate), "records/s", ">= 1000 (end to end, loopback)"),
        Figure("mqtt_latency_p50", round(p50, 1), "ms", "commit to subscriber, p50"),
        Figure("mqtt_latency_p99", round(p99, 1), "ms", "< 100 (commit to subscriber, p99)"),
        Figure("mqtt_backlog_drain", round(drain), "records/s",
               f">= 1000 ({BACKLOG} records logged while the broker was down)"),
    ]


def run() -> list[Figure]:
    """Measure and return the figures."""
    with tempfile.TemporaryDirectory(prefix="hotline-bench-mqtt-") as tmp:
        work = Path(tmp)
        broker = _Broker(work)
        broker.start()
        sub = _Subscriber(broker.port)
        try:
            return asyncio.run(_measure(work / "hotline.db", broker, sub))
        finally:
            if sub.proc.poll() is None:
                sub.close()
            broker.stop()


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
