"""The distance kernel: geodesic separation, CPA and tau for aircraft pairs and the line.

Pure NumPy/SciPy, no I/O, no clock. ``assess`` runs one cycle over a ``Picture``; ``Watch`` and
``Outbox`` turn cycles into ALERT/CLEAR messages (the co-processor's side); ``disagreements``
recomputes an alert's numbers from its positions (the terminal's check).
"""

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
