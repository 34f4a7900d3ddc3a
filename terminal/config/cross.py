"""Rules between keys: distinct pins and ports, timers that must fit inside each other.

A rule is skipped when one of its keys is already wrong on its own, so one mistake gives one issue.
"""

from __future__ import annotations

import os.path
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terminal.config.broker import check_mqtt, file_problem
from terminal.config.issues import show
from terminal.config.rules import number

Values = dict[str, dict[str, Any]]
# report(key, given, problem, allowed, other_key): other_key is where to look for a line when
# `key` is not in the file.
Report = Callable[[str, str, str, str, str], None]

PIN_KEYS = ("ptt_pin", "ring_led_pin", "tx_led_pin", "alert_led_pin", "fault_led_pin")


def check_all(values: Values, bad: set[str], present: set[str], report: Report) -> None:
    """Apply every rule between keys."""
    _distinct_pins(values["gpio"], bad, present, report)
    for link in ("radio", "coproc"):
        _link_timers(link, values[link], bad, report)
    _distinct_ports(values, bad, present, report)
    _ptt_timers(values["ptt"], bad, report)
    check_mqtt(values["mqtt"], bad, present, report)
    _checkpoint_key(values["log"], bad, report)


def _distinct_pins(gpio: dict[str, Any], bad: set[str], present: set[str], report: Report) -> None:
    owner: dict[int, str] = {}
    for key in PIN_KEYS:
        if f"gpio.{key}" in bad:
            continue
        pin = gpio[key]
        first = owner.setdefault(pin, key)
        if first == key:
            continue
        here, there = (key, first) if f"gpio.{key}" in present else (first, key)
        report(
            f"gpio.{here}",
            show(pin),
            f"is already used by gpio.{there}",
            "a pin no other gpio key uses",
            f"gpio.{there}",
        )


def _link_timers(link: str, cfg: dict[str, Any], bad: set[str], report: Report) -> None:
    def ok(*keys: str) -> bool:
        return not any(f"{link}.{key}" in bad for key in keys)

    if ok("link_timeout_s", "heartbeat_s") and not cfg["link_timeout_s"] > 2 * cfg["heartbeat_s"]:
        report(
            f"{link}.link_timeout_s",
            show(cfg["link_timeout_s"]),
            f"is not more than 2 x {link}.heartbeat_s = {number(2 * cfg['heartbeat_s'])}",
            f"more than {number(2 * cfg['heartbeat_s'])}",
            f"{link}.heartbeat_s",
        )
    if ok("reopen_min_s", "reopen_max_s") and cfg["reopen_max_s"] < cfg["reopen_min_s"]:
        report(
            f"{link}.reopen_max_s",
            show(cfg["reopen_max_s"]),
            f"is less than {link}.reopen_min_s = {number(cfg['reopen_min_s'])}",
            f"{number(cfg['reopen_min_s'])} or more",
            f"{link}.reopen_min_s",
        )


def _port_id(port: str) -> str:
    return os.path.normpath(port) if port.startswith("/dev/") else port


def _distinct_ports(values: Values, bad: set[str], present: set[str], report: Report) -> None:
    if {"radio.port", "coproc.port", "coproc.enabled"} & bad or not values["coproc"]["enabled"]:
        return
    if values["radio"]["backend"] == "rigctld":
        return  # the radio is reached through rigctld: radio.port is not opened
    radio, coproc = values["radio"]["port"], values["coproc"]["port"]
    if _port_id(radio) != _port_id(coproc):
        return
    here, there = ("coproc", "radio") if "coproc.port" in present else ("radio", "coproc")
    report(
        f"{here}.port",
        show(values[here]["port"]),
        f"is already used by {there}.port",
        'a port not used by the other link',
        f"{there}.port",
    )


def _ptt_timers(ptt: dict[str, Any], bad: set[str], report: Report) -> None:
    if not {"ptt.tx_warning_s", "ptt.tx_timeout_s"} & bad and not (
        ptt["tx_warning_s"] < ptt["tx_timeout_s"]
    ):
        report(
            "ptt.tx_warning_s",
            show(ptt["tx_warning_s"]),
            f"is not less than ptt.tx_timeout_s = {number(ptt['tx_timeout_s'])}",
            f"0 up to less than {number(ptt['tx_timeout_s'])}",
            "ptt.tx_timeout_s",
        )
    keepalive, timeout = ptt["keepalive_s"], ptt["bridge_keepalive_timeout_s"]
    if not {"ptt.keepalive_s", "ptt.bridge_keepalive_timeout_s"} & bad and timeout < 2 * keepalive:
        report(
            "ptt.bridge_keepalive_timeout_s",
            show(timeout),
            f"is less than 2 x ptt.keepalive_s = {number(2 * keepalive)}",
            f"{number(2 * keepalive)}..10",
            "ptt.keepalive_s",
        )


def _checkpoint_key(log: dict[str, Any], bad: set[str], report: Report) -> None:
    """The signing key of the log's checkpoints must be there, and the service user's alone."""
    path = log["checkpoint_key"]
    if path is None or "log.checkpoint_key" in bad:
        return
    problem = file_problem(Path(path), secret=True)
    if problem:
        report("log.checkpoint_key", show(str(path)), problem,
               "a key file made by `hotline log keygen`, mode 600, or \"\" to run unsigned",
               "log.directory")  # fmt: skip
