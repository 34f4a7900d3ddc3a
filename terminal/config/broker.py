"""Rules between the [mqtt] keys, and the files they name (checked only when enabled = true).

The password lives in `password_file`, never in the configuration; a password file that others
can read is refused (chmod 600 it), as ssh refuses a private key readable by others.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from terminal.config.issues import show
from terminal.config.rules import number

FILE_KEYS = ("password_file", "ca_file", "cert_file", "key_file")
SECRET_KEYS = ("password_file", "key_file")


def check_mqtt(values: dict[str, Any], bad: set[str], present: set[str], report: Any) -> None:
    """The cross-key rules of [mqtt]; `report(key, given, problem, allowed, near)`."""

    def ok(*keys: str) -> bool:
        return not any(f"mqtt.{key}" in bad for key in keys)

    if ok("reconnect_min_s", "reconnect_max_s") and (
        values["reconnect_max_s"] < values["reconnect_min_s"]
    ):
        low = number(values["reconnect_min_s"])
        report("mqtt.reconnect_max_s", show(values["reconnect_max_s"]),
               f"is less than mqtt.reconnect_min_s = {low}", f"{low}..3600",
               "mqtt.reconnect_min_s")  # fmt: skip
    if not values["enabled"] or "mqtt.enabled" in bad:
        return
    tls = ok("broker") and str(values["broker"]).startswith("mqtts://")
    for key in ("ca_file", "cert_file", "key_file"):
        if ok("broker", key) and values[key] is not None and not tls:
            report(f"mqtt.{key}", show(str(values[key])), "is set but mqtt.broker is not mqtts://",
                   'a broker URL starting with mqtts://, or "" here', "mqtt.broker")  # fmt: skip
    cert, key = values["cert_file"], values["key_file"]
    if ok("cert_file", "key_file") and (cert is None) != (key is None):
        missing = "key_file" if key is None else "cert_file"
        other = "cert_file" if missing == "key_file" else "key_file"
        report(f"mqtt.{other}", show(str(values[other])), f"is set without mqtt.{missing}",
               "both cert_file and key_file, or neither", "mqtt.enabled")  # fmt: skip
    password = values["password_file"]
    if ok("password_file", "username") and password is not None and not values["username"]:
        report("mqtt.password_file", show(str(password)), "is set but mqtt.username is empty",
               "a username with the password file", "mqtt.username")  # fmt: skip
    for key in FILE_KEYS:
        path = values[key]
        if path is None or not ok(key):
            continue
        problem = file_problem(Path(path), secret=key in SECRET_KEYS)
        if problem:
            report(f"mqtt.{key}", show(str(path)), problem, _ALLOWED[key], "mqtt.enabled")


_ALLOWED = {
    "password_file": "a readable file holding the password, mode 600 or stricter",
    "ca_file": "a readable PEM file of the CA certificates that signed the broker's",
    "cert_file": "a readable PEM client certificate",
    "key_file": "a readable PEM private key, mode 600 or stricter",
}


def file_problem(path: Path, *, secret: bool) -> str:
    """What is wrong with a file the publisher must read ("" when nothing)."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "cannot be read: permission denied"
    if secret and info.st_mode & 0o077:
        return f"is readable by others (mode {stat.S_IMODE(info.st_mode):03o}); chmod 600 it"
    return ""


def read_password(path: Path) -> str:
    """The password: the file's first line, without its line ending."""
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[0] if text else ""
