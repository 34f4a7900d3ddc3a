"""Signed checkpoints: the key files, when the writer signs, key rotation and loss, witness files
(docs/record.md)."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest
from record_helpers import T0, alert, checkpoint_ids, rows, signed_log

from terminal.cli import EX_FAIL, EX_OK, EX_USAGE, main
from terminal.log import LogWriter, verify
from terminal.log.checkpoint import Checkpointer, fingerprint, message_of, next_key_path
from terminal.log.signing import (
    KeyFileError,
    Signer,
    check_signature,
    generate,
    load_signer,
    parse_public,
    public_path,
)
from terminal.log.verify import Trust
from terminal.log.witness import WitnessError, read

SIGNED = "SELECT payload FROM records WHERE kind = 'signed_checkpoint' ORDER BY id"

# --- keys -----------------------------------------------------------------------------------


def test_keygen_makes_an_owner_only_key_and_prints_its_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "desk.key"
    assert main(["log", "keygen", "--key", str(key)]) == EX_OK
    out, err = capsys.readouterr()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert out.strip() == public_path(key).read_text().strip() == load_signer(key).public
    assert out.startswith("ed25519:") and len(out.strip()) == len("ed25519:") + 64
    assert "mode 600" in err
    assert main(["log", "keygen", "--key", str(key)]) == EX_FAIL  # never overwrites a key
    assert "already exists" in capsys.readouterr().err


def test_keygen_without_a_key_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(__file__).resolve().parents[2] / "config" / "hotline.toml"
    assert main(["log", "keygen", "--config", str(config)]) == EX_USAGE
    assert "checkpoint_key" in capsys.readouterr().err


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "desk.key"
    generate(key)
    key.chmod(0o640)
    with pytest.raises(KeyFileError, match=r"readable by others \(mode 640\); chmod 600 it"):
        load_signer(key)
    with pytest.raises(KeyFileError, match="cannot be read"):
        load_signer(tmp_path / "none.key")
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    bad.chmod(0o600)
    with pytest.raises(KeyFileError, match="cannot be loaded"):
        load_signer(bad)


def test_public_keys_are_checked(tmp_path: Path) -> None:
    signer = Signer.new()
    assert parse_public(signer.public.upper().replace("ED25519:", "ed25519:")) == signer.public
    pub = tmp_path / "k.pub"
    pub.write_text(signer.public + "\n")
    assert parse_public(str(pub)) == signer.public
    for bad in ("ed25519:abc", "ed25519:" + "zz" * 32, str(tmp_path / "missing.pub")):
        with pytest.raises(KeyFileError):
            parse_public(bad)


def test_a_signature_covers_every_signed_field() -> None:
    signer = Signer.new()
    from terminal.log.checkpoint import make

    record = make(signer, 41, bytes(range(32)), T0, "AOC/D1")
    payload = json.loads(record.text)
    assert check_signature(signer.public, payload["signature"], message_of(payload, T0))
    for field, value in (("head_id", 40), ("head_hash", "00" * 32), ("desk", "AOC/D2"),
                         ("next_key", Signer.new().public)):  # fmt: skip
        changed = {**payload, field: value}
        assert not check_signature(signer.public, payload["signature"], message_of(changed, T0))
    assert not check_signature(signer.public, payload["signature"], message_of(payload, T0 + 1))


# --- when the writer signs --------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_policy_signs_after_n_records_or_t_seconds_whichever_first() -> None:
    clock = FakeClock()
    cp = Checkpointer(Signer.new(), every_records=100, every_s=60, monotonic=clock)
    assert not cp.due(0) and cp.wait_s() is None
    assert not cp.due(99)
    assert cp.due(100)
    cp.committed(40, signed=False)
    assert cp.wait_s() == 60
    clock.now += 59
    assert not cp.due(10) and cp.wait_s() == pytest.approx(1)
    clock.now += 1
    assert cp.due(0) and cp.wait_s() == 0
    cp.committed(0, signed=True)
    assert cp.unsigned == 0 and cp.wait_s() is None and not cp.due(0)


def test_the_writer_signs_every_n_records_and_at_a_clean_stop(tmp_path: Path) -> None:
    db_path = tmp_path / "hotline.db"
    signer = signed_log(db_path, tmp_path / "k", alerts=25, every=10)
    assert checkpoint_ids(db_path) == [11, 22, 28]
    report = verify(db_path, trust=Trust([signer.public]))
    assert report.ok, report.first
    heads = [json.loads(str(r[0]))["head_id"] for r in rows(db_path, SIGNED)]
    assert heads == [10, 21, 27]


def test_the_writer_signs_a_quiet_head_after_t_seconds(tmp_path: Path) -> None:
    db_path = tmp_path / "hotline.db"
    cp = Checkpointer(Signer.new(), every_records=100, every_s=0.05)
    writer = LogWriter.open(db_path, checkpoints=cp)
    try:
        writer.submit(*alert(1)).result(10)
        deadline = time.monotonic() + 10
        while not checkpoint_ids(db_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpoint_ids(db_path) == [2]
        assert writer.head[0] == 2
        assert writer.head_fingerprint == fingerprint(*writer.head)
    finally:
        writer.close(10)
    assert checkpoint_ids(db_path) == [2]  # nothing new since: no checkpoint at the stop


def test_a_restarted_writer_counts_the_records_a_crash_left_unsigned(tmp_path: Path) -> None:
    db_path = tmp_path / "hotline.db"
    writer = LogWriter.open(db_path)  # unsigned, as a desk that crashed before its checkpoint
    for n in range(7):
        writer.submit(*alert(n)).result(10)
    writer.close(10)
    cp = Checkpointer(Signer.new(), every_records=10, every_s=3600)
    writer = LogWriter.open(db_path, checkpoints=cp)
    assert cp.unsigned == 7
    for n in range(3):
        writer.submit(*alert(100 + n)).result(10)
    writer.close(10)
    assert checkpoint_ids(db_path) == [11]


def test_the_fingerprint_is_what_is_read_over_the_phone() -> None:
    assert fingerprint(1234, bytes.fromhex("3c7a5afb" + "00" * 28)) == "#1234 3c7a 5afb"


# --- rotation and loss --------------------------------------------------------------------------


def test_a_rotated_key_is_announced_with_the_old_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, key = tmp_path / "hotline.db", tmp_path / "desk.key"
    old = signed_log(db_path, key, alerts=15, every=10)
    assert main(["log", "keygen", "--key", str(key), "--rotate"]) == EX_OK
    new_public = capsys.readouterr().out.strip()
    assert next_key_path(key).exists()
    signed_log(db_path, key, alerts=15, every=10)
    assert not next_key_path(key).exists()  # the new key took the old one's place ...
    assert load_signer(key).public == new_public  # ... on disk
    assert public_path(key).read_text().strip() == new_public
    payloads = [json.loads(str(r[0])) for r in rows(db_path, SIGNED)]
    announcing = [p for p in payloads if p["next_key"]]
    assert len(announcing) == 1 and announcing[0]["key"] == old.public
    assert announcing[0]["next_key"] == new_public
    assert payloads[-1]["key"] == new_public
    # The old public key alone verifies it all: the announcement carries the trust over.
    code = main(["log", "verify", "--db", str(db_path), "--key", old.public])
    out, err = capsys.readouterr()
    assert code == EX_OK, err
    assert "key rotation at record" in out


def test_the_old_key_is_not_trusted_after_it_was_replaced(tmp_path: Path) -> None:
    db_path, key = tmp_path / "hotline.db", tmp_path / "desk.key"
    old = signed_log(db_path, key, alerts=15, every=10)
    generate(next_key_path(key))
    signed_log(db_path, key, alerts=5, every=10)  # announces, then signs with the new key
    # an insider who kept the old key appends a checkpoint signed with it
    kept = Checkpointer(old, every_records=1, every_s=3600)
    writer = LogWriter.open(db_path, checkpoints=kept)
    writer.submit(*alert(999)).result(10)
    writer.close(10)
    report = verify(db_path, trust=Trust([old.public]))
    assert not report.ok
    assert "which checkpoint record" in str(report.first) and "had replaced" in str(report.first)


def test_a_lost_key_leaves_the_old_records_verifiable_with_the_old_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, key = tmp_path / "hotline.db", tmp_path / "desk.key"
    old = signed_log(db_path, key, alerts=15, every=10)
    key.unlink()  # lost: no announcement is possible
    new = signed_log(db_path, key, alerts=15, every=10)
    keys = {
        cid: json.loads(str(payload))["key"]
        for cid, payload in rows(
            db_path, "SELECT id, payload FROM records WHERE kind = 'signed_checkpoint'"
        )
    }
    first_new = min(cid for cid, key in keys.items() if key == new.public)
    assert main(["log", "verify", "--db", str(db_path), "--key", old.public]) == EX_FAIL
    err = capsys.readouterr().err
    assert f"FAILED: record {first_new}: signed by key" in err and "not a trusted key" in err
    # the old records up to the loss verify with the old key; both keys verify the whole log
    assert main(["log", "verify", "--db", str(db_path), "--key", old.public, "--key",
                 str(public_path(key))]) == EX_OK  # fmt: skip


# --- witness files --------------------------------------------------------------------------------


def test_a_head_read_over_the_phone_is_a_witness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "hotline.db"
    signer = signed_log(db_path, tmp_path / "k", alerts=30, every=10)
    digest = bytes(rows(db_path, "SELECT hash FROM records WHERE id = 20")[0][0])
    paper = tmp_path / "paper.txt"
    paper.write_text(f"; shift change 07:00Z, read by OPS7\n{fingerprint(20, digest)}\n")
    args = ["log", "verify", "--db", str(db_path), "--key", signer.public, "--witness", str(paper)]
    assert main(args) == EX_OK
    assert (
        "witness paper.txt: 1 of this desk's heads agree through record 20"
        in capsys.readouterr().out
    )
    wrong = "0000" if digest.hex()[:4] != "0000" else "1111"
    paper.write_text(f"#20 {wrong} {digest.hex()[4:8]}\n")
    assert main(args) == EX_FAIL
    assert "FAILED: record 20: differs from witness paper.txt:1" in capsys.readouterr().err


def test_a_witness_of_other_desks_is_left_aside(tmp_path: Path) -> None:
    db_path = tmp_path / "hotline.db"
    signer = signed_log(db_path, tmp_path / "k", alerts=30, every=10, desk="AOC/DESK-1")
    other = tmp_path / "other.db"
    signed_log(other, tmp_path / "k2", alerts=30, every=10, desk="AOC/DESK-2")
    both = tmp_path / "both.witness"
    for path in (db_path, other):
        assert main(["log", "witness", "--db", str(path), "--out", str(tmp_path / path.stem)]) == 0
    both.write_text("".join((tmp_path / p.stem).read_text() for p in (db_path, other)))
    report = verify(db_path, trust=Trust.of([signer.public], [both]))
    assert report.ok, report.first
    assert any("4 of other desks left aside" in note for note in report.notes), report.notes


def test_a_witness_line_that_is_none_of_the_forms_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "w"
    bad.write_text('12 3c7a5afb\n{"id": "x"}\n')
    with pytest.raises(WitnessError, match="line 2"):
        read(bad)
    bad.write_text("12 3c7\n")  # too few digits to mean anything
    with pytest.raises(WitnessError, match="line 1"):
        read(bad)


def test_log_witness_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "hotline.db"
    signed_log(db_path, tmp_path / "k", alerts=5, every=10)
    out = tmp_path / "w"
    out.write_text("kept\n")
    assert main(["log", "witness", "--db", str(db_path), "--out", str(out)]) == EX_FAIL
    assert out.read_text() == "kept\n"
    assert "already exists" in capsys.readouterr().err


def test_retention_keeps_a_signed_log_verifiable(tmp_path: Path) -> None:
    from terminal.log import LogStore, retain

    db_path, key = tmp_path / "hotline.db", tmp_path / "k"
    signer = signed_log(db_path, key, alerts=40, every=10)  # stamped in 2026-05: old
    cp = Checkpointer.from_file(key, every_records=10, every_s=3600)
    writer = LogWriter.open(db_path, checkpoints=cp)
    for n in range(15):
        writer.submit(*alert(500 + n)).result(10)  # stamped now
    writer.close(10)
    store = LogStore.open(db_path)
    try:
        result = retain(store, 1, tmp_path / "archive")
    finally:
        store.close()
    # records are moved up to the first one stamped within the day: the first checkpoint (11)
    assert result is not None and result.archive.through_id == 10
    report = verify(db_path, trust=Trust([signer.public]))
    assert report.ok, report.first
    assert report.signed == 6  # 11, 22, 33, 44 (the stop), then 55 and 61 (the second stop)
    assert any(note.startswith("unsigned: records") for note in report.notes)  # retention's own


def test_a_rotation_cut_short_by_a_crash_is_finished_at_the_next_start(tmp_path: Path) -> None:
    db_path, key = tmp_path / "hotline.db", tmp_path / "desk.key"
    old = signed_log(db_path, key, alerts=5, every=10)
    new = generate(next_key_path(key))
    saved = {p: p.read_bytes() for p in (key, next_key_path(key))}
    signed_log(db_path, key, alerts=5, every=10)  # announces the new key, then moves it in
    for path, data in saved.items():  # as if the desk died after the commit, before the move
        path.write_bytes(data)
        path.chmod(0o600)
    cp = Checkpointer.from_file(key, every_records=10, every_s=3600)
    assert cp.signer.public == old.public
    LogWriter.open(db_path, checkpoints=cp).close(10)
    assert cp.signer.public == new.public and load_signer(key).public == new.public
    assert not next_key_path(key).exists()
    assert verify(db_path, trust=Trust([old.public])).ok


def test_keys_and_witnesses_are_for_the_database_not_archives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["log", "verify", "--archive", str(tmp_path / "a.jsonl"), "--key", Signer.new().public]
    assert main(args) == EX_USAGE
    assert "not --archive" in capsys.readouterr().err
