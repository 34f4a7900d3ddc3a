"""docs/architecture.md stays true: every file and folder it names exists, and every module of
terminal/ and hw/ belongs to a layer it shows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PATH = re.compile(r"\b((?:terminal|hw|docs|tests|systemd|config|scripts|lab|bench)/[\w./-]*\w/?)")


def test_every_path_the_map_names_exists() -> None:
    named = set(PATH.findall(DOC.read_text(encoding="utf-8")))
    assert len(named) > 40
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"docs/architecture.md names what is not in the tree: {missing}"


def test_every_package_is_on_the_map() -> None:
    text = DOC.read_text(encoding="utf-8")
    packages = sorted(
        str(d.relative_to(ROOT)) + "/" for top in ("terminal", "hw") for d in (ROOT / top).iterdir()
        if d.is_dir() and (d / "__init__.py").exists()
    )  # fmt: skip
    absent = [p for p in packages if p not in text]
    assert not absent, f"packages missing from docs/architecture.md: {absent}"
