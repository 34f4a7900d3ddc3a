"""Fuzz: the coverage-guided link targets (bench/fuzzing/link.py) — seeds, saved crashes, and a
short atheris run of each in a process of its own, as `make fuzz` runs them for minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import fuzz
from bench.fuzzing.link import CHECKS, COPROC, check_session, examples, seeds, wire
from hw.wire.messages import MESSAGE_TYPES, Alert, Hello, Role

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).parent / "link_regressions"
needs_atheris = pytest.mark.skipif(not fuzz.have_atheris(), reason="atheris not installed")


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_seed_keeps_the_properties(name: str) -> None:
    corpus = seeds(name)
    assert len(corpus) >= 10
    for data in corpus:
        CHECKS[name](data)


def test_the_seeds_hold_a_frame_of_every_message_type() -> None:
    assert {m.TYPE for m in examples()} == set(MESSAGE_TYPES)
    for name in CHECKS:
        joined = b"".join(seeds(name))
        missing = [t for t in MESSAGE_TYPES if f",{t}".encode() not in joined]
        assert not missing, f"{name} seeds lack {missing}"


def _saved() -> list[tuple[str, Path]]:
    if not REGRESSIONS.is_dir():
        return []
    return [(d.name, f) for d in sorted(REGRESSIONS.iterdir()) for f in sorted(d.iterdir())]


NO_SAVED = pytest.param("", Path(), marks=pytest.mark.skip(reason="no saved crash input yet"))


@pytest.mark.parametrize(("name", "path"), _saved() or [NO_SAVED])
def test_saved_crash_inputs_pass(name: str, path: Path) -> None:
    # Inputs `make fuzz` found crashing, copied here once fixed: each must pass from now on.
    CHECKS[name](path.read_bytes())


def test_a_deferred_alert_is_not_acked_by_the_session_until_acknowledged() -> None:
    # The harness's own invariant, checked on a plain exchange: ALERT delivered, ACK held back
    # until the desk acknowledges (step control 0x80), then sent.
    hello = Hello(1, Role.COPROC, "0000C0DE", "coproc")
    alert = next(m for m in examples() if isinstance(m, Alert))
    data = b"\x00" + wire(0, hello) + wire(1, alert) + bytes([0xFF, 0x02, 0xFF, 0x80])
    check_session(data, COPROC)


@needs_atheris
@pytest.mark.parametrize("name", fuzz.LINK_NAMES)
def test_a_short_atheris_run_counts_its_inputs_and_finds_nothing(name: str, tmp_path: Path) -> None:
    command = fuzz.atheris_command(name, 1, tmp_path / "corpus", ["-runs=300"])
    command = [c for c in command if not c.startswith(("-max_total_time", "-artifact_prefix"))]
    command.append(f"-artifact_prefix={tmp_path}/")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=90)
    outcome = fuzz.parse_libfuzzer(name, run.stdout + run.stderr, run.returncode)
    assert run.returncode == 0 and not outcome.crashes, run.stderr[-3000:]
    assert outcome.tried >= 300
    assert len(list((tmp_path / "corpus").iterdir())) >= len(seeds(name))


@needs_atheris
def test_a_crash_is_reported_with_its_input_and_traceback(tmp_path: Path) -> None:
    target = tmp_path / "target.py"
    target.write_text(
        "import sys, atheris\n"
        "def one(data):\n"
        "    if data[:2] == b'$X':\n"
        "        raise ValueError('boom')\n"
        "atheris.Setup(sys.argv, one)\n"
        "atheris.Fuzz()\n"
    )
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "seed").write_bytes(b"$Y")
    run = subprocess.run(
        [sys.executable, str(target), "-max_total_time=60", "-print_final_stats=1",
         f"-artifact_prefix={tmp_path}/", str(tmp_path / "corpus")],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    outcome = fuzz.parse_libfuzzer("demo", run.stdout + run.stderr, run.returncode)
    assert run.returncode != 0 and outcome.tried > 0
    (crash,) = outcome.crashes
    assert "ValueError: boom" in crash and "Traceback" in crash
    (path,) = outcome.artifacts
    assert Path(path).read_bytes()[:2] == b"$X"


def test_without_atheris_the_link_targets_fall_back_to_hypothesis(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fuzz, "have_atheris", lambda: False)
    monkeypatch.setattr(fuzz, "BATCH", 5)
    assert fuzz.main(["--seconds", "1", "codec_mutated_frames"]) == 0
    out = capsys.readouterr().out
    assert "atheris is not installed" in out
    assert "fuzz_link_inputs:" in out and "hypothesis" in out and "(goal: >= 1,000,000)" in out
    assert fuzz.main(["--seconds", "1", "link_codec"]) == 2  # not a target without atheris
