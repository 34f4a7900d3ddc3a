"""The distance kernel: geodesic separation, CPA and tau for aircraft pairs and the line.

Pure NumPy/SciPy, no I/O, no clock. ``assess`` runs one cycle over a ``Picture``; ``Watch`` and
``Outbox`` turn cycles into ALERT/CLEAR messages (the co-processor's side); ``disagreements``
recomputes an alert's numbers from its positions (the terminal's check).

The names below load their module (and NumPy) on first use, not when the package is imported:
the desk holds its line and its alerts' members (`line_shape`, `members`, free of NumPy) before
it loads the kernel (docs/performance.md, start-up).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from terminal.kernel.assess import Assessment, assess
    from terminal.kernel.line import Line, LineMetrics
    from terminal.kernel.pairs import PairMetrics, modified_tau, range_tau, vertical_tau
    from terminal.kernel.picture import Geometry, Picture
    from terminal.kernel.report import Member, Separation, measure_line, measure_pair, pair_id
    from terminal.kernel.thresholds import (
        ADVISORY,
        CRITICAL,
        DEFAULT_TABLE,
        SEVERITY_NAMES,
        TCAS_II_TABLE,
        WARNING,
        Band,
        Table,
    )
    from terminal.kernel.verify import DEFAULT_FLOORS, Floors, disagreements
    from terminal.kernel.watch import Clear, Finding, Issue, Outbox, Watch

__all__ = [
    "ADVISORY",
    "CRITICAL",
    "DEFAULT_FLOORS",
    "DEFAULT_TABLE",
    "SEVERITY_NAMES",
    "TCAS_II_TABLE",
    "WARNING",
    "Assessment",
    "Band",
    "Clear",
    "Finding",
    "Floors",
    "Geometry",
    "Issue",
    "Line",
    "LineMetrics",
    "Member",
    "Outbox",
    "PairMetrics",
    "Picture",
    "Separation",
    "Table",
    "Watch",
    "assess",
    "disagreements",
    "measure_line",
    "measure_pair",
    "modified_tau",
    "pair_id",
    "range_tau",
    "vertical_tau",
]

_HOMES = {
    **dict.fromkeys(("Assessment", "assess"), "assess"),
    **dict.fromkeys(("Line", "LineMetrics"), "line"),
    **dict.fromkeys(("PairMetrics", "modified_tau", "range_tau", "vertical_tau"), "pairs"),
    **dict.fromkeys(("Geometry", "Picture"), "picture"),
    **dict.fromkeys(("Member", "Separation", "measure_line", "measure_pair", "pair_id"), "report"),
    **dict.fromkeys(
        (
            "ADVISORY",
            "CRITICAL",
            "DEFAULT_TABLE",
            "SEVERITY_NAMES",
            "TCAS_II_TABLE",
            "WARNING",
            "Band",
            "Table",
        ),
        "thresholds",
    ),
    **dict.fromkeys(("DEFAULT_FLOORS", "Floors", "disagreements"), "verify"),
    **dict.fromkeys(("Clear", "Finding", "Issue", "Outbox", "Watch"), "watch"),
}


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'terminal.kernel' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"terminal.kernel.{home}"), name)
    globals()[name] = value
    return value
