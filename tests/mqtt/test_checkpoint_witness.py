"""Signed checkpoints go out over MQTT with the records, and `hotline tail --witness FILE` keeps
them: a real Mosquitto on loopback, the real writer and publisher, the real tail command; then
`hotline log verify --witness` checks the desk's log against what the tail kept."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from mqtt_helpers import Broker, Collector, until
from test_publisher import mqtt_config

from terminal.cli import EX_FAIL, EX_OK, main
from terminal.log import LogWriter, records
from terminal.log.checkpoint import Checkpointer
from terminal.log.signing import Signer
from terminal.mqtt.payload import BadMessage, parse, record_message
from terminal.mqtt.publisher import Publisher
from terminal.mqtt.topics import Topics

HOTLINE = [sys.executable, "-m", "terminal.cli"]
SITE, DESK = "AOC", "DESK-9"


def test_checkpoints_have_a_topic_of_their_own() -> None:
    topics = Topics("hotline", SITE, DESK)
    assert topics.for_kind("signed_checkpoint") == "hotline/AOC/DESK-9/checkpoints"
    assert topics.for_kind("checkpoint") is None  # retention's checkpoint stays home


def test_a_checkpoint_message_is_checked_like_a_record(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    writer = LogWriter.open(db, checkpoints=Checkpointer(Signer.new(), every_records=1))
    writer.submit(*records.call_started("C-1", "incoming", "ops")).result(10)
    writer.close(10)
    from terminal.log import LogReader

    with LogReader(db) as reader:
        chain = list(reader.chain())
    assert [r.kind for r in chain] == ["call_started", "signed_checkpoint"]
    data = record_message(chain[1], SITE, DESK)
    got = parse(f"hotline/{SITE}/{DESK}/checkpoints", data, "hotline")
    assert got.record_id == 2 and got.body["payload"]["head_id"] == 1
    try:
        parse(f"hotline/{SITE}/{DESK}/calls", data, "hotline")
    except BadMessage as exc:
        assert "signed_checkpoint" in str(exc)
    else:
        raise AssertionError("a checkpoint on the calls topic was taken")


def test_tail_witness_keeps_every_checkpoint_and_verify_uses_it(
    tmp_path: Path, broker: Broker
) -> None:
    db = tmp_path / "hotline.db"
    witness = tmp_path / "supervisor.witness"
    signer = Signer.new()
    tail = subprocess.Popen(
        [*HOTLINE, "tail", "--broker", broker.url, "--witness", str(witness), "--format", "jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert tail.stderr is not None
    assert "subscribed to" in tail.stderr.readline()
    collector = Collector(broker.port)

    async def desk() -> None:
        cp = Checkpointer(signer, every_records=5, every_s=3600, desk=f"{SITE}/{DESK}")
        writer = LogWriter.open(db, checkpoints=cp)
        publisher = Publisher(mqtt_config(broker.url), SITE, DESK, writer, timeout_s=3.0)
        task = asyncio.create_task(publisher.run())
        listen = asyncio.create_task(collector.run())
        try:
            await until(collector.ready.is_set, what="subscribed")
            await until(lambda: publisher.is_up, what="publisher connected")
            for n in range(12):  # one at a time: a checkpoint after every 5th record
                await asyncio.wrap_future(
                    writer.submit(*records.call_started(f"C-{n}", "incoming", "ops"))
                )
            await until(lambda: len(collector.ids()) == 14, what="12 calls and 2 checkpoints")
        finally:
            await publisher.stop()
            task.cancel()
            listen.cancel()
            await asyncio.gather(task, listen, return_exceptions=True)
            publisher.save_on_close()
            writer.close(5)

    try:
        asyncio.run(desk())

        async def wait_for_file() -> None:
            await until(
                lambda: witness.exists() and len(witness.read_text().splitlines()) == 2,
                what="two checkpoints witnessed",
            )

        asyncio.run(wait_for_file())
    finally:
        tail.terminate()
        tail.communicate(timeout=10)
    lines = [json.loads(line) for line in witness.read_text().splitlines()]
    assert [(x["desk"], x["id"], x["kind"]) for x in lines] == [
        (f"{SITE}/{DESK}", 6, "signed_checkpoint"),
        (f"{SITE}/{DESK}", 12, "signed_checkpoint"),
    ]
    args = ["log", "verify", "--db", str(db), "--key", signer.public, "--witness", str(witness)]
    assert main(args) == EX_OK
    # the same witness catches the file cut back before the second checkpoint
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM records WHERE id > 9")
    digest = conn.execute("SELECT hash FROM records WHERE id = 9").fetchone()[0]
    conn.execute("UPDATE meta SET value = 9 WHERE key = 'head_id'")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head_hash'", (digest,))
    conn.commit()
    conn.close()
    assert main(args) == EX_FAIL


def test_a_restarted_tail_does_not_repeat_what_its_witness_file_holds(tmp_path: Path) -> None:
    import io

    from terminal.commands.tail import Tail, _remember
    from terminal.log import LogReader

    db = tmp_path / "hotline.db"
    cp = Checkpointer(Signer.new(), every_records=1, desk=f"{SITE}/{DESK}")
    writer = LogWriter.open(db, checkpoints=cp)
    for n in range(2):
        writer.submit(*records.call_started(f"C-{n}", "incoming", "ops")).result(10)
    writer.close(10)
    with LogReader(db) as reader:
        checkpoints = [r for r in reader.chain() if r.kind == "signed_checkpoint"]
    assert [r.id for r in checkpoints] == [2, 4]
    topic = f"hotline/{SITE}/{DESK}/checkpoints"
    witness = tmp_path / "w"
    for run in range(2):  # the same messages again after a restart of the tail
        out, err = io.StringIO(), io.StringIO()
        tail = Tail("hotline", out, err)
        with witness.open("a", encoding="utf-8") as handle:
            tail.witness = handle
            _remember(tail, witness)
            for rec in checkpoints:
                tail.take(topic, record_message(rec, SITE, DESK))
        assert tail.witnessed == (2 if run == 0 else 0), err.getvalue()
    lines = [json.loads(line) for line in witness.read_text().splitlines()]
    assert [x["id"] for x in lines] == [2, 4]
    assert lines[0]["payload"] == json.loads(checkpoints[0].text)  # the payload as logged
