"""The benchmark runner and the codec benchmark, shrunk to run in a moment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.__main__ as runner
from bench import bench_codec
from bench.report import Figure


def test_figure_lines() -> None:
    assert Figure("x", 1.5, "ms", "< 2 ms").line() == "x: 1.5 ms  (goal: < 2 ms)"
    assert Figure("y", 10, "frames/s", "-", 3.0).line().endswith(" [3x line rate]")
    assert Figure("z", 1, "ms", "-", 0.5, "wire time").line().endswith(" [0.5x wire time]")


def test_runner_runs_one_module_and_keeps_the_others_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"modules": {"other": {"figures": []}}}))
    monkeypatch.setattr(runner, "RESULTS", results)
    monkeypatch.setattr(bench_codec, "STREAM_FRAMES", 50)
    monkeypatch.setattr(bench_codec, "RUNS", 1)
    assert "codec" in runner.available()
    assert runner.main(["codec"]) == 0
    out = capsys.readouterr().out
    assert "codec_decode_key: " in out and "(goal: >= 100x line rate)" in out
    data = json.loads(results.read_text())
    assert set(data["modules"]) >= {"codec", "other"}
    names = [f["name"] for f in data["modules"]["codec"]["figures"]]
    assert "codec_decode_alert" in names and "codec_encode_ka" in names
    assert all(f["ratio"] > 0 for f in data["modules"]["codec"]["figures"])


def test_runner_refuses_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["no_such_bench"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


def test_widest_alert_in_the_benchmark_is_full_size() -> None:
    from hw.wire.codec import encode
    from hw.wire.messages import message_frame

    assert len(encode(message_frame(65535, bench_codec.widest_alert()))) == 294
