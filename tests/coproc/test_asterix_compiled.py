"""libasterix's parser compiled with mypyc (hw/sim/tracks/asterix_lib.py, asterix_compile.py):
used when built from the installed base.py, the pure one otherwise, and both read alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hw.sim.tracks import asterix_compile, asterix_lib

ROOT = Path(__file__).resolve().parents[2]


def _check(pure: bool) -> list[str]:
    env = dict(os.environ, HOTLINE_ASTERIX_PURE="1" if pure else "")
    done = subprocess.run([sys.executable, "-m", "hw.sim.tracks.asterix_check"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.split()


def test_a_built_parser_is_used_and_reads_as_the_pure_one() -> None:
    compiled, pure = _check(pure=False), _check(pure=True)
    assert pure[0] == "pure" and pure[2] == "reader-pure"
    assert compiled[0] == ("compiled" if asterix_lib.STAMP.exists() else "pure")
    built = asterix_lib.STAMP.exists() and "reader" in json.loads(asterix_lib.STAMP.read_text())
    assert compiled[2] == ("reader-compiled" if built else "reader-pure")
    assert compiled[1] == pure[1]


def test_a_stale_or_missing_reader_build_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, asterix_lib.READER)
    monkeypatch.delitem(sys.modules, asterix_lib.MAPPING)
    monkeypatch.setattr(asterix_lib, "STAMP", tmp_path / "stamp.json")
    monkeypatch.setattr(asterix_lib, "COMPILED_DIR", tmp_path)
    monkeypatch.setattr(asterix_lib, "KIND", "pure")
    assert asterix_lib._choose_reader() == ("pure", "asterix.base is not compiled")
    monkeypatch.setattr(asterix_lib, "KIND", "compiled")
    asterix_lib.STAMP.write_text(json.dumps({"modules": []}))
    assert "not compiled" in asterix_lib._choose_reader()[1]
    asterix_lib.STAMP.write_text(json.dumps({"reader": {"sha256": "0" * 64, "modules": []}}))
    assert "another asterix_read.py" in asterix_lib._choose_reader()[1]
    source = asterix_lib.reader_digest()
    asterix_lib.STAMP.write_text(json.dumps({"reader": {"sha256": source, "modules": [
        [asterix_lib.READER, "missing.so"]]}}))  # fmt: skip
    kind, why = asterix_lib._choose_reader()
    assert kind == "pure" and "not compiled" in why
    assert asterix_lib.READER not in sys.modules


def test_a_reader_that_does_not_build_leaves_it_pure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_compiler(work: Path) -> list[tuple[str, str]]:
        raise asterix_compile.Refused("no C compiler")

    monkeypatch.setattr(asterix_compile, "build_reader", no_compiler)
    assert asterix_compile._reader(tmp_path) is None
    assert "pure Python reader stays in use: no C compiler" in capsys.readouterr().err


def test_a_stale_build_is_not_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp = tmp_path / "stamp.json"
    monkeypatch.setattr(asterix_lib, "STAMP", stamp)
    monkeypatch.setattr(asterix_lib, "COMPILED_DIR", tmp_path)
    assert "not compiled" in str(asterix_lib._load_compiled())
    stamp.write_text(json.dumps({"python": sys.implementation.cache_tag, "base_sha256": "0" * 64,
                                 "modules": [["asterix.base", "missing.so"]]}))  # fmt: skip
    assert "another libasterix" in str(asterix_lib._load_compiled())
    digest = asterix_lib.source_digest(asterix_lib.pure_base_path())
    stamp.write_text(json.dumps({"python": sys.implementation.cache_tag, "base_sha256": digest,
                                 "modules": [["asterix.base_x", "missing.so"]]}))  # fmt: skip
    assert "does not load" in str(asterix_lib._load_compiled())
    assert "asterix.base_x" not in sys.modules


def test_a_changed_libasterix_is_left_pure_not_patched_blindly() -> None:
    source = asterix_lib.pure_base_path().read_text()
    assert "@mypyc_attr(allow_interpreted_subclasses=True)\nclass Bits" in (
        asterix_compile.patched(source))  # fmt: skip
    with pytest.raises(asterix_compile.Refused, match="has changed"):
        asterix_compile.patched(source.replace("import math\n", "import math as m\n"))
