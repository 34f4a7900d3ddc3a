"""The audio benchmark runs here (paced sandbox) and reports its figures; no buffer is lost."""

from __future__ import annotations

from bench.bench_audio import run


def test_the_benchmark_reports_callbacks_and_a_clean_burst() -> None:
    figures = {f.name: f for f in run()}
    assert {
        "audio_play_callback_cpu_p99", "audio_record_callback_cpu_p99", "audio_burst_overruns",
        "audio_burst_queue_peak", "audio_burst_play_callback_max", "audio_stream_xruns_errors",
    } <= set(figures)  # fmt: skip
    assert figures["audio_burst_overruns"].value == 0
    assert figures["audio_burst_queue_peak"].value < 150
    for name in ("audio_play_callback_cpu_p99", "audio_record_callback_cpu_p99"):
        assert 0 < figures[name].value < 20_000  # inside one 20 ms buffer, even on a busy CI
