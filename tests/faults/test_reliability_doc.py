"""docs/reliability.md stays true: every test it names exists, every fault test is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[[\w-]+\])?`")


def named() -> set[tuple[str, str]]:
    """(file, test function) for every test the table names."""
    return set(NAMED.findall(DOC.read_text()))


def test_every_named_test_exists() -> None:
    missing = [
        f"{path}::{name}" for path, name in sorted(named())
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]  # fmt: skip
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"


def test_every_fault_test_is_in_the_table() -> None:
    here = Path(__file__).parent
    tests = {
        (str(f.relative_to(ROOT)), name)
        for f in here.glob("test_*.py") if f != Path(__file__)
        for name in re.findall(r"^def (test_\w+)\(", f.read_text(), re.M)
    }  # fmt: skip
    assert tests, "no fault tests found"
    assert not tests - named(), f"not in docs/reliability.md: {sorted(tests - named())}"
