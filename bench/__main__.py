"""`python -m bench [name ...]`: run the benchmarks, print their figures, write bench/results.json.

Every module bench/bench_<name>.py has ``run() -> list[Figure]``. With names, only those run
(``codec`` or ``bench_codec``) and their figures replace theirs in results.json; others are kept.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.report import Figure

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def available() -> list[str]:
    """Names of the benchmark modules, without the ``bench_`` prefix."""
    names = (m.name for m in pkgutil.iter_modules([str(HERE)]))
    return sorted(n.removeprefix("bench_") for n in names if n.startswith("bench_"))


def _load_results() -> dict[str, Any]:
    try:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def main(argv: Sequence[str]) -> int:
    """Run the chosen (or all) benchmarks; 0 if all ran, 1 if one failed, 2 on a bad name."""
    known = available()
    chosen = [a.removeprefix("bench_") for a in argv] or known
    unknown = [n for n in chosen if n not in known]
    if unknown:
        print(f"unknown benchmark(s): {' '.join(unknown)}; known: {' '.join(known)}",
              file=sys.stderr)  # fmt: skip
        return 2
    results = _load_results()
    modules: dict[str, Any] = results.get("modules", {}) if len(chosen) < len(known) else {}
    status = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        try:
            figures: list[Figure] = importlib.import_module(f"bench.bench_{name}").run()
        except Exception:
            traceback.print_exc()
            status = 1
            modules[name] = {"error": traceback.format_exc(limit=3)}
            continue
        for figure in figures:
            print(figure.line(), flush=True)
        modules[name] = {"figures": [f.to_dict() for f in figures]}
    results = {"python": platform.python_version(), "machine": platform.machine(),
               "modules": modules}  # fmt: skip
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
