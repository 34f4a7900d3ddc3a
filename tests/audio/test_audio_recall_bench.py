"""The recall benchmark runs here (paced sandbox) and reports its figures; the recording loses
nothing while recalls play, and every recall is read."""

from __future__ import annotations

from bench.bench_recall import TRIALS, run


def test_the_benchmark_reports_the_time_to_open_recall() -> None:
    figures = {f.name: f for f in run()}
    assert {
        "recall_open_p50", "recall_open_max", "recall_open_callback_p50", "recall_output_latency",
        "recall_open_sandbox_speaker_p50", "recall_recording_overruns", "recall_read_failures",
    } <= set(figures)  # fmt: skip
    assert figures["recall_recording_overruns"].value == 0
    assert figures["recall_read_failures"].value == 0
    assert 0 < figures["recall_open_p50"].value <= figures["recall_open_max"].value
    assert str(TRIALS) in figures["recall_open_max"].goal
