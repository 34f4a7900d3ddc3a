"""Fuzz targets: hypothesis strategies and the properties they must keep.

Each target is a pure check (`check(value)` raises AssertionError, or lets any other exception
escape, when the code under test misbehaves) over a strategy of hostile inputs. The suite runs
them with a few examples (tests/fuzz); `make fuzz` (bench/fuzz.py) runs them for minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Target:
    """One fuzz target: a name, what to feed it, and the property to check."""

    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]


def all_targets() -> list[Target]:
    """Every pure fuzz target (the real-socket one is run by bench/fuzz.py separately)."""
    from bench.fuzzing import codec, config, control

    return [*codec.TARGETS, *config.TARGETS, *control.TARGETS]
