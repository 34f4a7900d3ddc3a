"""Benchmarks: `python -m bench [name ...]` runs every bench/bench_<name>.py and reports figures."""
