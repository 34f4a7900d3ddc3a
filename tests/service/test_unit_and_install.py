"""The systemd unit and `make install`: staged with DESTDIR, checked by systemd-analyze."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("dest")
    env = dict(os.environ, DESTDIR=str(dest))
    done = subprocess.run(
        ["make", "-s", "install"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dest


def test_install_stages_package_config_and_unit(staged: Path) -> None:
    hotline = staged / "opt/hotline-terminal/bin/hotline"
    assert hotline.exists()
    conf = staged / "etc/hotline-terminal/hotline.toml"
    assert conf.read_text() == (REPO / "config/hotline.toml").read_text()
    done = subprocess.run([str(hotline), "check-config", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    unit = (staged / "etc/systemd/system/hotline-terminal.service").read_text()
    assert "ExecStart=/opt/hotline-terminal/bin/hotline service --config " \
           "/etc/hotline-terminal/hotline.toml" in unit
    assert not re.search(r"@[A-Z]+@", unit), "every placeholder filled"


def test_the_staged_venv_has_the_locked_desk_set(staged: Path) -> None:
    # Issue 14, item 1: the default pin factory's library is in the isolated venv; the lock's
    # versions, and no SciPy (the co-processor's, not the desk's).
    python = staged / "opt/hotline-terminal/bin/python"
    code = (
        "import importlib.metadata as m, importlib.util as u, gpiozero.pins.lgpio;"
        "print(m.version('textual'), m.version('lgpio'), u.find_spec('scipy') is None)"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    desk = (REPO / "requirements/desk.txt").read_text()
    pins = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+) ;", desk, re.M))
    assert done.stdout.split() == [pins["textual"], pins["lgpio"], "True"]
    version = subprocess.run([str(python.parent / "hotline"), "--version"], capture_output=True,
                             text=True, check=True)
    assert version.stdout.startswith("hotline-terminal ")


def test_the_staged_venv_holds_the_bytecode_the_service_cannot_write(staged: Path) -> None:
    # The unit's ProtectSystem=strict leaves the venv read-only to the service: without .pyc
    # files written at install, every start compiles every module from source (two thirds of the
    # CPU to READY here: docs/performance.md).
    site = next((staged / "opt/hotline-terminal/lib").glob("python3*/site-packages"))
    for source in (site / "terminal/service.py", site / "hw/gpio.py", site / "gpiozero/devices.py"):
        cached = list((source.parent / "__pycache__").glob(source.stem + ".cpython-*.pyc"))
        assert cached, f"no bytecode for {source.relative_to(site)}"


def test_install_from_an_offline_wheelhouse(tmp_path: Path) -> None:
    # The lab's way (HOTLINE_WHEELS): wheels built beforehand, no index contacted; with the venv's
    # pip (no uv on PATH), as on a machine that never ran `make setup`.
    wheels = tmp_path / "wheels"
    made = subprocess.run(["bash", "scripts/wheelhouse.sh", str(wheels)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    names = [w.name.lower() for w in wheels.glob("*.whl")]
    assert any(n.startswith("hotline_terminal-") for n in names), names
    assert any(n.startswith("pyaudio-") for n in names), names
    dest = tmp_path / "dest"
    env = dict(os.environ, DESTDIR=str(dest), HOTLINE_WHEELS=str(wheels),
               PATH="/usr/local/bin:/usr/bin:/bin", PIP_INDEX_URL="http://127.0.0.1:9/simple",
               PIP_FIND_LINKS="", PIP_CONFIG_FILE="/dev/null")
    done = subprocess.run(["bash", "scripts/install.sh"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "offline, from the wheelhouse" in done.stdout
    hotline = dest / "opt/hotline-terminal/bin/hotline"
    version = subprocess.run([str(hotline), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("hotline-terminal "), version
    site = next((dest / "opt/hotline-terminal/lib").glob("python3*/site-packages"))
    assert list((site / "terminal/__pycache__").glob("service.cpython-*.pyc")), "pip compiles"


def test_install_brings_the_build_dependencies_of_pyaudio_first() -> None:
    # Issue 14, item 5: on a clean Pi, apt-get (scripts/ensure-deb.sh) before the venv is made.
    script = (REPO / "scripts/install.sh").read_text()
    deb = re.search(r"^BUILD_DEBS=\((.+)\)$", script, re.M)
    assert deb, "install.sh installs Debian packages"
    assert set(deb.group(1).split()) >= {"portaudio19-dev", "build-essential", "python3-dev",
                                         "python3-venv"}
    assert 'ensure-deb.sh" "${BUILD_DEBS[@]}"' in script
    assert script.index("ensure-deb.sh") < script.index('-m venv "$venv"')
    assert '-r "$reqs"' in script and "--require-hashes" in script


def _unit_for_this_machine(staged: Path, tmp_path: Path) -> Path:
    """The installed unit with ExecStart pointing into the staging dir, so verify can find it."""
    unit = (staged / "etc/systemd/system/hotline-terminal.service").read_text()
    unit = unit.replace("/opt/hotline-terminal/", f"{staged}/opt/hotline-terminal/")
    path = tmp_path / "hotline-terminal.service"
    path.write_text(unit)
    return path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="make test installs systemd")
def test_systemd_analyze_verify_says_nothing(staged: Path, tmp_path: Path) -> None:
    unit = _unit_for_this_machine(staged, tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout == "" and done.stderr == "", done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="make test installs systemd")
def test_systemd_analyze_security_rates_two_or_lower(staged: Path, tmp_path: Path) -> None:
    unit = _unit_for_this_machine(staged, tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.0, done.stdout


def test_unit_has_the_settings_the_desk_relies_on() -> None:
    unit = (REPO / "systemd/hotline-terminal.service.in").read_text()
    for line in (
        "Type=notify", "RestartPreventExitStatus=78", "Restart=on-failure", "DevicePolicy=closed",
        "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes",
        "StateDirectory=hotline-terminal", "SupplementaryGroups=gpio dialout audio",
    ):
        assert re.search(rf"^{re.escape(line)}$", unit, re.M), line
    assert re.search(r"^WatchdogSec=\d+s?$", unit, re.M)
