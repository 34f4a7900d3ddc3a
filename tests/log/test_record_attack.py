"""Issue 19's attack: an insider with the database file changes one alert and recomputes every
later hash and the head in `meta`. The chain alone then verifies; the signed checkpoints and a
witness do not (docs/record.md)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from record_helpers import (
    checkpoint_ids,
    recompute_from,
    rewrite,
    rows,
    signed_log,
    truncate,
)

from terminal.cli import EX_FAIL, EX_OK, main
from terminal.log import verify
from terminal.log.checkpoint import make
from terminal.log.signing import Signer, public_path

ALTERED = 150  # an alert between the checkpoints at 102 and 203 (every 100 records + itself)


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A signed log of 250 alerts, its public key file and a witness taken at shift change."""
    db_path = tmp_path / "hotline.db"
    key = tmp_path / "desk.key"
    signed_log(db_path, key)
    witness = tmp_path / "shift.witness"
    assert main(["log", "witness", "--db", str(db_path), "--out", str(witness)]) == EX_OK
    return db_path, public_path(key), witness


def run_verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["log", "verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


def reseal(db_path: Path, signer: Signer) -> None:
    """The attacker also rewrites every signed checkpoint to name the new heads, signed by
    `signer`, and recomputes the chain after each."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for cid in checkpoint_ids(db_path):
            utc_ms, text = conn.execute(
                "SELECT utc_ms, payload FROM records WHERE id = ?", (cid,)
            ).fetchone()
            head = bytes(
                conn.execute("SELECT hash FROM records WHERE id = ?", (cid - 1,)).fetchone()[0]
            )
            desk = json.loads(text)["desk"]
            forged = make(signer, cid - 1, head, utc_ms, desk)
            conn.execute("UPDATE records SET payload = ? WHERE id = ?", (forged.text, cid))
            recompute_from(conn, cid)
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_the_log_as_written_verifies_with_its_key_and_witness(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, pub, witness = signed
    assert checkpoint_ids(db_path) == [101, 202, 253]  # every 100 records, and the clean stop
    code, out, err = run_verify(
        capsys, "--db", str(db_path), "--key", str(pub), "--witness", str(witness)
    )
    assert code == EX_OK, err
    assert "ok: 253 records" in out
    assert "signatures: 3 signed checkpoints checked, by keys " in out
    assert "the last good one, record 253 (" in out and "proves records 1..253" in out
    assert "witness shift.witness: 4 of this desk's heads agree through record 253" in out


def test_the_rewrite_fools_the_chain_alone(signed: tuple[Path, Path, Path]) -> None:
    db_path, _, _ = signed
    rewrite(db_path, ALTERED, {"severity": "advisory"})
    report = verify(db_path)
    chain_problems = [p for p in report.problems if "signed checkpoint" not in p.what]
    assert chain_problems == []  # the chain, the head and the tables all agree with the edit


def test_the_rewrite_is_caught_by_the_signed_checkpoint_and_the_witness(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, pub, witness = signed
    rewrite(db_path, ALTERED, {"severity": "advisory"})
    code, _, err = run_verify(
        capsys, "--db", str(db_path), "--key", str(pub), "--witness", str(witness)
    )
    assert code == EX_FAIL
    first = err.splitlines()[0]
    assert first.startswith(f"{db_path}: FAILED: record 202: ")
    assert "the change is in records 102..201" in first  # the altered alert, 150, is in there
    assert "differs from witness shift.witness:2" in err  # the witness's checkpoint line


def test_the_rewrite_with_checkpoints_forged_by_another_key_is_caught(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, pub, witness = signed
    rewrite(db_path, ALTERED, {"severity": "advisory"})
    reseal(db_path, Signer.new())
    code, _, err = run_verify(capsys, "--db", str(db_path), "--key", str(pub))
    assert code == EX_FAIL
    assert re.search(
        r"FAILED: record 101: signed by key [0-9a-f]{16}, which is not a trusted key", err
    )
    code, _, err = run_verify(
        capsys, "--db", str(db_path), "--key", str(pub), "--witness", str(witness)
    )
    assert code == EX_FAIL
    # the attacker re-signed every checkpoint, so the witness disagrees from the first one on
    assert "record 101: differs from witness shift.witness:1" in err
    assert "the change is in records 1..101" in err


def test_a_rewritten_checkpoint_keeping_the_old_signature_is_caught(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, pub, _ = signed
    rewrite(db_path, ALTERED, {"severity": "advisory"})
    conn = sqlite3.connect(db_path, isolation_level=None)
    text, head = conn.execute(
        "SELECT r.payload, p.hash FROM records r JOIN records p ON p.id = r.id - 1 WHERE r.id = 202"
    ).fetchone()
    payload = {**json.loads(text), "head_hash": bytes(head).hex()}
    conn.execute(
        "UPDATE records SET payload = ? WHERE id = 202",
        (json.dumps(payload, sort_keys=True, separators=(",", ":")),),
    )
    recompute_from(conn, 202)
    conn.close()
    code, _, err = run_verify(capsys, "--db", str(db_path), "--key", str(pub))
    assert code == EX_FAIL
    assert "FAILED: record 202: its signature does not verify: forged or altered" in err


def test_a_cut_through_a_witnessed_checkpoint_is_reported_as_removed(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, pub, witness = signed
    truncate(db_path, 230)  # the last checkpoint, 253, goes with the cut
    code, _, err = run_verify(capsys, "--db", str(db_path), "--key", str(pub))
    assert code == EX_OK  # without a witness, a careful cut is not seen ...
    code, _, err = run_verify(
        capsys, "--db", str(db_path), "--key", str(pub), "--witness", str(witness)
    )
    assert code == EX_FAIL  # ... with one it is
    assert re.search(
        r"FAILED: record 231: removed: the log ends at record 230, but witness shift.witness:\d "
        r"saw record 253",
        err,
    )
    assert "records 231..253 at least were cut off the end" in err


def test_a_cut_after_the_last_checkpoint_is_reported_as_unsigned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, key = tmp_path / "hotline.db", tmp_path / "desk.key"
    signed_log(db_path, key, alerts=250)
    witness = tmp_path / "w"
    assert main(["log", "witness", "--db", str(db_path), "--out", str(witness)]) == EX_OK
    signed_log(db_path, key, alerts=0)  # nothing new: no checkpoint at the clean stop
    conn = sqlite3.connect(db_path)
    before = conn.execute("SELECT max(id) FROM records").fetchone()[0]
    conn.close()
    assert before == 253
    # records written after the witness and the last checkpoint, then cut again
    code, out, _ = run_verify(
        capsys, "--db", str(db_path), "--key", str(public_path(key)), "--witness", str(witness)
    )
    assert code == EX_OK
    assert "unsigned" not in out  # the head is the clean stop's checkpoint
    _add_unsigned(db_path, 5)
    code, out, _ = run_verify(
        capsys, "--db", str(db_path), "--key", str(public_path(key)), "--witness", str(witness)
    )
    assert code == EX_OK
    assert (
        "unsigned: records 254..258 (5) come after the last signed checkpoint: a change to them, "
        "or their removal, is shown only by a witness"
    ) in out
    truncate(db_path, 255)
    code, out, _ = run_verify(
        capsys, "--db", str(db_path), "--key", str(public_path(key)), "--witness", str(witness)
    )
    assert code == EX_OK
    assert "unsigned: records 254..255 (2)" in out


def _add_unsigned(db_path: Path, count: int) -> None:
    """Records written by a desk with no key (as after a crash, before the next checkpoint)."""
    from record_helpers import alert

    from terminal.log import LogStore

    store = LogStore.open(db_path)
    try:
        for n in range(count):
            store.write(*alert(1000 + n))
    finally:
        store.close()


def test_verify_says_what_it_could_not_check(
    signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, _, _ = signed
    code, out, _ = run_verify(capsys, "--db", str(db_path))
    assert code == EX_OK
    assert "signatures: NOT checked (no --key): 3 signed checkpoints" in out
    assert "witnesses: none given" in out


def test_verify_key_on_an_unsigned_log_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from record_helpers import alert

    from terminal.log import LogStore

    db_path = tmp_path / "hotline.db"
    store = LogStore.open(db_path)
    store.write(*alert(1))
    store.close()
    pub = Signer.new().public
    code, _, err = run_verify(capsys, "--db", str(db_path), "--key", pub)
    assert code == EX_FAIL
    assert "no signed checkpoint in the log" in err
    assert "this desk ran unsigned" in err
    assert rows(db_path, "SELECT count(*) FROM records") == [(1,)]
