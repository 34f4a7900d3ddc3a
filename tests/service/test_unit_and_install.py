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
