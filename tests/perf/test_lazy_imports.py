"""Each process imports what it uses: the service's import path leaves the console (Textual), the
MQTT client, the simulators and SciPy unloaded, and `hotline --help` loads no NumPy either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_the_service_path_imports_no_console_mqtt_client_simulator_or_scipy() -> None:
    loaded = _loaded_after(
        "from terminal.cli import build_parser\nbuild_parser()\n"
        "import terminal.commands.service, terminal.service"
    )
    assert "terminal.service" in loaded and "terminal.desk" in loaded  # the probe did run
    tops = _tops(loaded)
    for heavy in ("textual", "rich", "aiomqtt", "paho", "scipy", "pyaudio"):
        assert heavy not in tops, f"the service's import path loads {heavy}"
    for module in ("terminal.tui", "terminal.benchrig", "hw.sim", "terminal.mqtt.publisher"):
        assert module not in loaded, f"the service's import path loads {module}"


def test_the_command_line_parser_alone_loads_no_numpy() -> None:
    loaded = _loaded_after("from terminal.cli import build_parser\nbuild_parser()")
    assert "terminal.commands.bench" in loaded  # every subcommand registered
    assert "numpy" not in _tops(loaded)
    assert "aiomqtt" not in _tops(loaded)


def test_the_bench_commands_scenario_names_are_the_simulators() -> None:
    from hw.sim.tracks.scenarios import SCENARIOS
    from terminal import benchrig
    from terminal.commands import bench

    assert tuple(SCENARIOS) == bench.SCENARIO_NAMES
    assert bench.DEFAULT_SCENARIO == benchrig.DEFAULT_SCENARIO
