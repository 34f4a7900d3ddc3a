"""`hotline tail`: the supervisor's view, run as the real command against a real broker."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import aiomqtt
import pytest
from mqtt_helpers import Broker, add_user, free_port, make_ca

from terminal.cli import EX_CONFIG, EX_OK, EX_UNAVAILABLE, EX_USAGE, main
from terminal.log.chain import canonical, record_hash
from terminal.log.reader import StoredRecord
from terminal.mqtt.payload import record_message, status_message

HOTLINE = [sys.executable, "-m", "terminal.cli"]


def _record(rid: int, desk: str = "D1") -> bytes:
    text = canonical({"call_id": f"C-{rid}", "direction": "incoming", "operator": "ops\u001b[2J"})
    prev = bytes(32)
    digest = record_hash(prev, rid, "call_started", 1_700_000_000_000 + rid, text)
    rec = StoredRecord(rid, "call_started", 1_700_000_000_000 + rid, text, prev, digest)
    return record_message(rec, "AOC", desk)


def _start_tail(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([*HOTLINE, "tail", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "subscribed to hotline/+/+/+" in line, line
    return proc


async def _publish(port: int, messages: list[tuple[str, bytes]]) -> None:
    async with aiomqtt.Client("127.0.0.1", port) as client:
        for topic, data in messages:
            await client.publish(topic, data, qos=1)


def test_tail_prints_each_record_once_and_survives_garbage(broker: Broker) -> None:
    proc = _start_tail("--broker", broker.url, "--format", "jsonl", "--count", "3")
    calls, other = "hotline/AOC/D1/calls", "hotline/AOC/D2/calls"
    asyncio.run(_publish(broker.port, [
        (calls, _record(1)),
        (calls, b"{not json"),
        (calls, _record(1)),  # a resend after a reconnect: dropped
        (calls, json.dumps({"schema": 99}).encode()),
        (calls, _record(2).replace(b'"C-2"', b'"C-9"')),  # content altered: hash fails
        ("hotline/AOC/D1/status", status_message("AOC", "D1", "online", 0)),
        (calls, _record(2)),
        (other, _record(1, desk="D2")),  # same id, another desk: a different record
    ]))  # fmt: skip
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == EX_OK, err
    lines = [json.loads(line) for line in out.splitlines()]
    records = [(x["desk"], x["id"]) for x in lines if x["topic_leaf"] == "calls"]
    assert records == [("D1", 1), ("D1", 2), ("D2", 1)]
    assert [x["status"] for x in lines if x["topic_leaf"] == "status"] == ["online"]
    assert f"bad message #1 on {calls}" in err and "not JSON" in err
    assert "schema 99" in err and "hash does not match" in err
    assert "3 records, 1 duplicates dropped, 3 bad messages" in err


def test_tail_text_lines_escape_what_could_drive_the_terminal(broker: Broker) -> None:
    proc = _start_tail("--broker", broker.url, "--count", "1")
    asyncio.run(_publish(broker.port, [("hotline/AOC/D1/calls", _record(5))]))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == EX_OK, err
    assert "AOC/D1 #5 call_started call_id=C-5 direction=incoming" in out
    assert "\x1b" not in out and "\\u001b[2J" in out


def test_tail_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def tail(*args: str) -> tuple[int, str]:
        code = main(["tail", *args])
        return code, capsys.readouterr().err

    nobody = f"mqtt://127.0.0.1:{free_port()}"
    code, err = tail("--broker", nobody)
    assert code == EX_UNAVAILABLE and "cannot reach the broker" in err
    assert tail("--broker", "tcp://x")[0] == EX_USAGE
    assert tail("--broker", nobody, "--ca-file", "x.pem")[0] == EX_USAGE
    assert tail("--broker", nobody, "--count", "0")[0] == EX_USAGE
    secret = tmp_path / "pw"
    secret.write_text("pw\n")
    os.chmod(secret, 0o644)
    code, err = tail("--broker", nobody, "--username", "u", "--password-file", str(secret))
    assert code == EX_CONFIG and "readable by others" in err


def test_tail_over_tls_with_a_password(tmp_path: Path) -> None:
    tls = make_ca(tmp_path / "pki")
    passwords = tmp_path / "passwd"
    add_user(passwords, "supervisor", "pw1")
    add_user(passwords, "desk", "pw2")
    broker = Broker(tmp_path / "broker", tls=tls, password_file=passwords)
    broker.start()
    secret = tmp_path / "supervisor.pw"
    secret.write_text("pw1\n")
    os.chmod(secret, 0o600)
    try:
        login = ["--username", "supervisor", "--password-file", str(secret)]
        proc = _start_tail("--broker", broker.url, "--ca-file", str(tls.ca), *login, "--count", "1")

        async def publish() -> None:
            context = ssl.create_default_context(cafile=str(tls.ca))
            async with aiomqtt.Client("127.0.0.1", broker.port, username="desk", password="pw2",
                                      tls_context=context) as client:  # fmt: skip
                await client.publish("hotline/AOC/D1/calls", _record(7), qos=1)

        asyncio.run(publish())
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == EX_OK, err
        assert "AOC/D1 #7 call_started" in out
    finally:
        broker.stop()


def test_tail_reconnects_after_losing_the_broker(broker: Broker) -> None:
    proc = _start_tail("--broker", broker.url, "--count", "2")
    assert proc.stderr is not None
    asyncio.run(_publish(broker.port, [("hotline/AOC/D1/calls", _record(1))]))
    broker.stop()
    assert "connection lost" in proc.stderr.readline()
    broker.start()  # same port
    for _ in range(20):  # retries while the broker comes up, each said on stderr
        line = proc.stderr.readline()
        if "subscribed to" in line:
            break
        assert "connection lost" in line, line
    else:
        raise AssertionError("tail did not subscribe again")
    asyncio.run(_publish(broker.port, [("hotline/AOC/D1/calls", _record(2))]))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == EX_OK, err
    assert [line.split()[2] for line in out.splitlines()] == ["#1", "#2"]
