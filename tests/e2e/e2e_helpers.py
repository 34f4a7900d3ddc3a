"""Helpers for end-to-end tests: the bench rig on a real event loop, real ptys, mock pins.

They live in tests/rigs/bench.py (shared with tests/faults); re-exported here for the e2e tests.
"""

from __future__ import annotations

from tests.rigs.bench import fast_config, until

__all__ = ["fast_config", "until"]
