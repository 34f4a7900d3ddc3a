"""Each process imports what it uses: the service's import path leaves the console (Textual), the
MQTT client, the simulators, SciPy and NumPy unloaded; the desk reaches READY without NumPy (the
kernel is loaded in a thread just after), and `hotline --help` loads no NumPy either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hw.pty import PtyPair

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
        "from terminal.cli import build_parser\nbuild_parser(['service'])\n"
        "import terminal.commands.service, terminal.service"
    )
    assert "terminal.service" in loaded and "terminal.desk" in loaded  # the probe did run
    tops = _tops(loaded)
    for heavy in ("textual", "rich", "aiomqtt", "paho", "scipy", "pyaudio", "numpy",
                  "cryptography"):  # fmt: skip
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


_AT_READY = """
import asyncio, json, os, signal, sys
from pathlib import Path
from terminal.config import load_config
from terminal.sdnotify import Notifier
from terminal.service import KERNEL_MODULE, Service

heavy = lambda: sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "scipy", "pyaudio"))
seen = {}

async def after_ready():
    for _ in range(1200):  # the kernel, loaded in its thread after READY (60 s at most)
        if KERNEL_MODULE in sys.modules and "numpy" in sys.modules:
            break
        await asyncio.sleep(0.05)
    seen["kernel_after"] = KERNEL_MODULE in sys.modules
    os.kill(os.getpid(), signal.SIGTERM)

class Probe(Notifier):
    def ready(self, status):
        seen["at_ready"] = heavy()
        seen["kernel_at_ready"] = sorted(m for m in sys.modules if m.startswith("terminal.kernel"))
        asyncio.get_running_loop().create_task(after_ready())
        return True

config = Path(sys.argv[1])
asyncio.run(Service(load_config(config), config, Probe(None)).run())
print(json.dumps(seen))
"""

def _loaded_at_ready(tmp_path: Path, script: str) -> dict[str, Any]:
    """Run `script` (it starts a desk on the config it is given and prints, as its last line,
    the JSON of what was loaded when) against a bench desk whose radio link is retrying, as
    at a desk whose bridge is off; its JSON."""
    pty = PtyPair()
    try:
        cfg = tmp_path / "desk.toml"
        cfg.write_text(
            f'[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n[radio]\nport = "{pty.path}"\n'
            f'[coproc]\nenabled = false\n[audio]\nenabled = false\n'
            f'[log]\ndirectory = "{tmp_path / "log"}"\n'
            f'[service]\nsocket = "{tmp_path / "c.sock"}"\n'
        )
        done = subprocess.run([sys.executable, "-c", script, str(cfg)], cwd=REPO,
                              capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    finally:
        pty.close()
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_the_desk_reaches_ready_without_numpy_and_loads_the_kernel_just_after(
    tmp_path: Path,
) -> None:
    seen = _loaded_at_ready(tmp_path, _AT_READY)
    assert seen["at_ready"] == [], f"loaded before READY: {seen['at_ready'][:5]}"
    # What the desk holds before READY is the kernel's plain data, never its NumPy modules.
    assert set(seen["kernel_at_ready"]) <= {
        "terminal.kernel", "terminal.kernel.line_shape", "terminal.kernel.members",
        "terminal.kernel.verify",
    }, seen["kernel_at_ready"]
    assert seen["kernel_after"], "the kernel was not loaded after READY"


def test_the_cross_check_loads_the_kernel_itself_when_it_is_not_loaded_yet() -> None:
    """An alert before the kernel's import (or during it) is still checked: `disagreements`
    imports what it needs (waiting on the import lock if the service's thread is importing)."""
    code = (
        "import sys\n"
        "from terminal.core.alerts import AlertBook\n"
        "from terminal.kernel.members import Member, Separation\n"
        "from terminal.kernel.verify import disagreements\n"
        "before = 'numpy' in sys.modules\n"
        "a = Member('A', 50.0, 8.0, 10000.0, 0.0, 0.0, 0.0)\n"
        "b = Member('B', 50.0, 8.1, 10000.0, 0.0, 0.0, 0.0)\n"
        "wrong = disagreements('TRACK', a, b, Separation(1.0, 0.0, 0.0, 1.0), tolerance_pct=5.0)\n"
        "print(before, 'numpy' in sys.modules, bool(wrong))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    assert done.stdout.split() == ["False", "True", "True"]


_CLI_AT_READY = """
import asyncio, json, os, signal, sys
from terminal import sdnotify

LAZY = ("numpy", "scipy", "pyaudio", "textual", "rich", "cryptography", "aiomqtt", "paho")
seen = {}

def ready(self, status):
    seen["lazy_at_ready"] = sorted({m.split(".")[0] for m in sys.modules} & set(LAZY))
    seen["commands_at_ready"] = sorted(m for m in sys.modules if m.startswith("terminal.commands"))
    os.kill(os.getpid(), signal.SIGTERM)
    return True

sdnotify.Notifier.ready = ready
from terminal.cli import main
code = main(["service", "--config", sys.argv[1]])
print(json.dumps(dict(seen, code=code)))
"""


def test_hotline_service_reaches_ready_without_what_it_loads_lazily(tmp_path: Path) -> None:
    """The whole `hotline service` command line, as systemd runs it: at READY no NumPy (the
    kernel's, loaded after), no console (Textual, Rich), no MQTT client, no `cryptography` (only
    a desk that signs its checkpoints loads it), and no other subcommand's module."""
    seen = _loaded_at_ready(tmp_path, _CLI_AT_READY)
    assert seen["code"] == 0
    assert seen["lazy_at_ready"] == [], f"loaded before READY: {seen['lazy_at_ready']}"
    assert seen["commands_at_ready"] == ["terminal.commands", "terminal.commands.service"]


def test_signing_and_checking_a_checkpoint_load_cryptography_when_they_run() -> None:
    code = (
        "import sys\n"
        "from terminal.log import LogWriter, verify\n"
        "from terminal.log.checkpoint import Checkpointer\n"
        "from terminal.log.signing import Signer, check_signature\n"
        "before = 'cryptography' in sys.modules\n"
        "signer = Signer.new()\n"
        "ok = check_signature(signer.public, signer.sign(b'head'), b'head')\n"
        "print(before, 'cryptography' in sys.modules, ok)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    assert done.stdout.split() == ["False", "True", "True"]
