"""The outbox in the log: schema v2, the cursor written by the single writer, retention that
keeps what has not been sent, and `hotline log verify` unaffected."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from terminal.cli import main
from terminal.config import ConfigError, load_config
from terminal.log import LogStore, LogWriter, records, retain, verify
from terminal.log.retention import DAY_MS, held_back
from terminal.log.schema import MIGRATIONS, version
from terminal.mqtt.outbox import OutboxReader, open_cursor, save_cursor
from terminal.zulu import now_ms


def _calls(store: LogStore, first: int, count: int, utc_ms: int) -> None:
    for n in range(first, first + count):
        store.write(*records.call_started(f"C-{n}", "incoming", None), utc_ms=utc_ms)
        store.write(*records.call_ended(f"C-{n}", "answered", None), utc_ms=utc_ms)


def test_a_version_1_log_gains_the_outbox_and_still_verifies(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    LogStore.open(db, migrations=MIGRATIONS[:1]).close()
    conn = sqlite3.connect(db)
    assert version(conn) == 1
    conn.close()
    store = LogStore.open(db)
    _calls(store, 1, 1, now_ms())
    assert open_cursor()(store) == 2  # a new cursor starts at the head: earlier records stay
    assert open_cursor()(store) == 2
    _calls(store, 2, 2, now_ms())
    save_cursor(4)(store)
    save_cursor(3)(store)  # never back
    store.close()
    reader = OutboxReader(db)
    try:
        assert reader.cursor() == 4
        found, through = reader.after(4, 100)
        assert [r.id for r in found] == [5, 6] and through == 6
        assert reader.waiting(4) == 2
    finally:
        reader.close()
    assert verify(db).ok


def test_the_cursor_goes_through_the_single_writer(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    writer = LogWriter.open(db)
    try:
        writer.submit(*records.call_started("C-1", "incoming", None)).result(5)
        assert writer.call(open_cursor()).result(5) == 1
        writer.submit(*records.call_ended("C-1", "missed", None)).result(5)
        writer.call(save_cursor(2)).result(5)
    finally:
        writer.close(5)
    reader = OutboxReader(db)
    try:
        assert reader.cursor() == 2
    finally:
        reader.close()


def test_retention_keeps_records_the_outbox_has_not_sent(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    old = now_ms() - 400 * DAY_MS
    store = LogStore.open(db)
    try:
        open_cursor()(store)
        _calls(store, 1, 10, old)  # records 1..20, all older than a year
        save_cursor(6)(store)  # the broker has acknowledged 1..6 only
        first = retain(store, 365, tmp_path / "archive")
        assert first is not None and first.archive.through_id == 6
        kept, cursors = held_back(db, now_ms() - 365 * DAY_MS)
        assert kept == 14 and cursors == {"mqtt": 6}
        save_cursor(20)(store)  # now all sent
        second = retain(store, 365, tmp_path / "archive")
        assert second is not None and second.archive.first_id == 7
        assert second.archive.through_id >= 20
    finally:
        store.close()
    assert verify(db).ok


def test_retain_says_what_it_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hotline.db"
    store = LogStore.open(db)
    open_cursor()(store)
    _calls(store, 1, 2, now_ms() - 400 * DAY_MS)
    save_cursor(1)(store)
    store.close()
    args = ["log", "retain", "--db", str(db), "--days", "365", "--archive-dir", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "kept 3 records older than 365 days that the outbox has not sent yet" in out
    assert "mqtt at record 1" in out


def test_a_password_file_others_can_read_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.pw"
    secret.write_text("s3cret\n")
    conf = tmp_path / "desk.toml"
    conf.write_text('[mqtt]\nenabled = true\nusername = "desk"\npassword_file = "mqtt.pw"\n')
    os.chmod(secret, 0o640)
    with pytest.raises(ConfigError) as caught:
        load_config(conf)
    assert "mqtt.password_file" in str(caught.value)
    assert "readable by others (mode 640); chmod 600 it" in str(caught.value)
    os.chmod(secret, 0o600)
    config = load_config(conf)
    assert config.mqtt.password_file == secret and config.mqtt.enabled
    conf.write_text('[mqtt]\nenabled = false\nusername = "desk"\npassword_file = "gone.pw"\n')
    assert replace(load_config(conf).mqtt, password_file=None).enabled is False  # not checked
