"""The dependencies a user reproduces: the lock, its exports, the bounds, `hotline --version`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from hw.gpio import PinFactoryError, make_pin_factory

REPO = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"


def locked() -> dict[str, list[dict[str, object]]]:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    packages: dict[str, list[dict[str, object]]] = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    return packages


def requirement(name: str) -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == name]
    assert len(found) == 1, name
    return found[0]


def test_hotline_version_prints_the_installed_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "--version"], capture_output=True, text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert done.stdout.strip() == f"hotline-terminal {project['version']}"
    assert version("hotline-terminal") == project["version"]


def test_the_lock_uses_pypi_only() -> None:
    text = (REPO / "uv.lock").read_text()
    assert "file://" not in text, "a local path in the lock: it would not work on a Pi or in CI"
    for packages in locked().values():
        for package in packages:
            source = package["source"]
            assert isinstance(source, dict)
            if package["name"] == "hotline-terminal":
                assert source in ({"editable": "."}, {"virtual": "."}), source
            else:
                assert source == {"registry": "https://pypi.org/simple"}, package["name"]


@pytest.mark.parametrize("name", ["desk", "coproc"])
def test_the_requirement_exports_match_the_lock(name: str) -> None:
    extra = ["--extra", "coproc"] if name == "coproc" else []
    done = subprocess.run(
        [str(UV), "export", "-q", "--frozen", "--no-dev", "--no-emit-project", "--no-header",
         "--format", "requirements.txt", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )
    committed = (REPO / "requirements" / f"{name}.txt").read_text().splitlines()
    assert committed[0].startswith("# Exported from uv.lock")
    assert committed[1:] == done.stdout.splitlines(), "run `make lock`"
    pins = set(re.findall(r"^([a-z0-9_.-]+)==", "\n".join(committed), re.M))
    assert {"textual", "pyaudio", "lgpio", "numpy", "gpiozero"} <= pins
    assert ("scipy" in pins) == (name == "coproc"), "SciPy only for the co-processor program"


def test_the_venv_has_exactly_the_locked_versions() -> None:
    packages = locked()
    for name in ("textual", "rich", "numpy", "scipy", "pyaudio", "lgpio", "gpiozero", "mypy",
                 "ruff", "pytest-textual-snapshot"):
        versions = {str(p["version"]) for p in packages[name]}
        assert version(name) in versions, (name, version(name), versions)


def test_textual_is_bounded_to_the_tested_range() -> None:
    spec = requirement("textual").specifier
    assert spec == SpecifierSet(">=6.4,<9")
    (textual,) = locked()["textual"]
    assert str(textual["version"]) in spec
    # what the floor is there for: Footer(compact=) (6.2) and App.register_theme (0.86)
    import inspect

    from textual.app import App
    from textual.widgets import Footer

    assert "compact" in inspect.signature(Footer.__init__).parameters
    assert hasattr(App, "register_theme")


def test_lgpio_is_installed_where_a_desk_or_the_lab_runs() -> None:
    marker = requirement("lgpio").marker
    assert marker is not None
    for machine in ("aarch64", "armv7l", "x86_64"):  # the Pi (64- and 32-bit), the amd64 lab
        assert marker.evaluate({"sys_platform": "linux", "platform_machine": machine})
    assert not marker.evaluate({"sys_platform": "darwin", "platform_machine": "arm64"})
    (lgpio,) = locked()["lgpio"]
    wheels = " ".join(str(w["url"]) for w in lgpio["wheels"])  # type: ignore[union-attr]
    for tag in ("cp311-cp311-manylinux_2_34_aarch64", "cp311-cp311-linux_armv7l",
                "cp311-cp311-manylinux_2_34_x86_64"):
        assert tag in wheels, tag


def test_the_default_pin_factory_finds_its_library() -> None:
    # Issue 14, item 1: "GPIO backend 'lgpio' could not start: No module named 'lgpio'". Here
    # (no GPIO chip) it still cannot start, but for want of the chip, not of the module.
    import lgpio  # noqa: F401

    try:
        factory = make_pin_factory("lgpio")
    except PinFactoryError as exc:
        assert "No module named" not in str(exc), exc
    else:  # a machine with a GPIO chip (a Pi, the gpio-sim lab)
        factory.close()


def test_the_desk_does_not_import_scipy() -> None:
    code = (
        "import sys, terminal.service, terminal.desk, terminal.tui.app, terminal.cli;"
        "terminal.cli.build_parser(); print('scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO)
    assert out.stdout.strip() == "False"


def test_without_scipy_the_bench_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['scipy'] = None; sys.modules['scipy.spatial'] = None\n"
        "from terminal.cli import main; sys.exit(main(['bench', '--headless']))"
    )
    done = subprocess.run([sys.executable, "-c", code], input="quit\n", capture_output=True,
                          text=True, timeout=60, cwd=REPO)
    assert done.returncode != 0
    assert "SciPy is not installed" in done.stderr and "requirements/coproc.txt" in done.stderr
