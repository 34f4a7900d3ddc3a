"""docs/record.md as a specification: its hand-check script and its configuration table are true
of the code."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from record_helpers import signed_log

from terminal.config.model import LogConfig
from terminal.config.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "record.md"


def section(number: int) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/record.md has no section {number}"
    return match[0]


def test_the_hand_check_script_passes_a_signed_log_and_fails_a_forged_one(tmp_path: Path) -> None:
    script = re.search(r"```python\n(.*?)```", section(2), re.S)
    assert script, "no Python block in section 2"
    path = tmp_path / "check.py"
    path.write_text(script[1], encoding="utf-8")
    db_path = tmp_path / "hotline.db"
    signer = signed_log(db_path, tmp_path / "desk.key", alerts=30, every=10)

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # no hotline code on the path: `cryptography` only
            [sys.executable, "-I", str(path), str(db_path), signer.public],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip

    ok = check()
    assert ok.returncode == 0, ok
    assert ok.stdout.splitlines() == [
        "record 11: signed head 10",
        "record 22: signed head 21",
        "record 33: signed head 32",
    ]
    conn = sqlite3.connect(db_path, isolation_level=None)
    text = conn.execute("SELECT payload FROM records WHERE id = 22").fetchone()[0]
    payload = json.loads(text)
    payload["desk"] = "AOC/ELSEWHERE"
    conn.execute("UPDATE records SET payload = ? WHERE id = 22",
                 (json.dumps(payload, sort_keys=True, separators=(",", ":")),))  # fmt: skip
    conn.close()
    forged = check()
    assert forged.returncode != 0 and "InvalidSignature" in forged.stderr, forged


def test_the_configuration_table_is_the_model_and_its_rules() -> None:
    rows = re.findall(r"^\| `(checkpoint_\w+)` \| `([^`]*)` \| (.*) \|$", section(4), re.M)
    assert [r[0] for r in rows] == ["checkpoint_key", "checkpoint_records", "checkpoint_s"]
    defaults = LogConfig()
    rules = RULES[LogConfig]
    for key, default, allowed in rows:
        value = getattr(defaults, key)
        assert default == ('""' if value is None else f"{value:g}"), key
        if key != "checkpoint_key":
            assert allowed.startswith(rules[key].allowed.replace("_", "")), (key, allowed)
