"""`hotline` imports only the module of the subcommand it runs: the others are their help lines
(terminal/commands/__init__.py SUBCOMMANDS), and what `hotline --help` and each subcommand's
help print is what every module, registered in full, prints."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from terminal.cli import build_parser
from terminal.commands import SUBCOMMANDS, chosen

REPO = Path(__file__).resolve().parents[2]
NAMES = [c.name for c in SUBCOMMANDS]


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub


def test_hotline_help_is_the_same_as_with_every_module_registered() -> None:
    full = build_parser().format_help()
    assert build_parser(["--help"]).format_help() == full
    assert build_parser([]).format_help() == full
    for name in NAMES:  # a parser built for one subcommand lists the others the same way
        assert build_parser([name]).format_help() == full
    for command in SUBCOMMANDS:
        assert command.help in " ".join(full.split()), command.name


@pytest.mark.parametrize("name", NAMES)
def test_a_subcommands_own_help_is_the_same_as_with_every_module_registered(name: str) -> None:
    full = _subparsers(build_parser()).choices[name].format_help()
    lazy = _subparsers(build_parser([name, "--help"])).choices[name].format_help()
    assert lazy == full


def test_the_subcommand_named_is_the_first_word_that_is_not_an_option() -> None:
    assert chosen(["service", "--config", "x.toml"]) == "service"
    assert chosen(["--version"]) is None
    assert chosen(["-h", "log", "verify"]) == "log"
    assert chosen([]) is None


def test_help_and_a_bad_name_print_and_exit_as_before() -> None:
    run = [sys.executable, "-m", "terminal.cli"]
    helped = subprocess.run([*run, "--help"], cwd=REPO, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert helped.returncode == 0
    assert helped.stdout == build_parser().format_help()
    bad = subprocess.run([*run, "nope"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "invalid choice: 'nope'" in bad.stderr and "'report'" in bad.stderr
    version = subprocess.run([*run, "--version"], cwd=REPO, capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert version.returncode == 0 and version.stdout.startswith("hotline-terminal ")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("name", ["service", "log", "console"])
def test_a_command_line_imports_only_its_own_subcommand_module(name: str) -> None:
    loaded = _loaded_after(f"from terminal.cli import build_parser\nbuild_parser([{name!r}])")
    commands = {m for m in loaded if m.startswith("terminal.commands.")}
    own = f"terminal.commands.{next(c.module for c in SUBCOMMANDS if c.name == name)}"
    assert own in commands
    assert commands - {own} <= {"terminal.commands.stdin_commands"}, sorted(commands - {own})


def test_hotline_help_imports_no_subcommand_module_nor_package_metadata() -> None:
    loaded = _loaded_after("from terminal.cli import build_parser\nbuild_parser(['--help'])")
    assert not {m for m in loaded if m.startswith("terminal.commands.")}
    assert "importlib.metadata" not in loaded  # read only for --version
