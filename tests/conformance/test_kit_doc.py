"""The kit's clauses are numbered statements of docs/protocol.md, and docs/conformance.md says what
the kit does for each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hw.sim.faults import FAULTS
from terminal.conformance.checks import CHECKS

DOCS = Path(__file__).parents[2] / "docs"
PROTOCOL = (DOCS / "protocol.md").read_text(encoding="utf-8")
KIT = (DOCS / "conformance.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("clause", sorted({c.clause for c in CHECKS}))
def test_every_clause_is_a_numbered_statement_and_documented(clause: str) -> None:
    assert re.search(rf"\*\*{re.escape(clause)}\b", PROTOCOL), f"**{clause}** not in protocol.md"
    assert re.search(rf"^\| {re.escape(clause)} \|", KIT, flags=re.M), f"{clause} not in the table"


def test_clauses_are_unique_and_faults_name_real_clauses() -> None:
    ids = [c.clause for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert {f.clause for f in FAULTS.values()} <= set(ids)
