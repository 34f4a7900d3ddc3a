"""One measured figure of a benchmark, and how it is printed and stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """A measured value with its unit and goal; ``ratio`` compares it to ``ratio_of``."""

    name: str
    value: float
    unit: str
    goal: str
    ratio: float | None = None
    ratio_of: str | None = None

    def line(self) -> str:
        """``<name>: <value> <unit>  (goal: <goal>)`` and `` [<ratio>x line rate]`` if any."""
        text = f"{self.name}: {self.value:g} {self.unit}  (goal: {self.goal})"
        if self.ratio is not None:
            text += f" [{self.ratio:g}x {'line rate' if self.ratio_of is None else self.ratio_of}]"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The figure as JSON-ready data."""
        return asdict(self)
