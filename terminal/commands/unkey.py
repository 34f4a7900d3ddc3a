"""`hotline unkey`: force the radio bridge to unkey — the operator's last resort."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK
from terminal.config import INSTALLED_CONFIG, Config, ConfigError, load_config
from terminal.i18n import _, use_configured


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `unkey` to the parser."""
    parser = sub.add_parser(
        "unkey",
        help="Force the radio bridge to unkey the transmitter.",
        description="Ask the running terminal to unkey; when none answers (or it hangs), send "
        "UNKEY straight over the bridge's serial port (or T 0 to rigctld, with [radio] backend = "
        '"rigctld"). Exit 0 once the bridge (or the radio, read back through rigctld) confirmed.',
    )
    parser.add_argument("--config", type=Path, help=f"configuration (default {INSTALLED_CONFIG})")
    parser.add_argument("--socket", type=Path, help="control socket of the running terminal")
    parser.add_argument("--port", help="the bridge's serial device (default from the config)")
    parser.add_argument("--baud", type=int, help="baud rate (default from the config)")
    parser.add_argument("--rigctld", help="host:port of rigctld (default from the config)")
    parser.add_argument(
        "--timeout", type=float, default=3.0, help="seconds to wait for the bridge (default 3)"
    )
    parser.set_defaults(handler=run)


def _config(path: Path | None) -> Config:
    if path is not None:
        return load_config(path)
    if INSTALLED_CONFIG.exists():
        return load_config(INSTALLED_CONFIG)
    return Config()


def run(args: argparse.Namespace) -> int:
    """Through the terminal first, then straight over the port."""
    from hw.forceunkey import force_unkey
    from terminal.control import request

    if args.timeout <= 0 or args.timeout > 60:
        print("hotline unkey: " + _("--timeout must be in (0, 60], got {value}").format(
            value=args.timeout), file=sys.stderr)  # fmt: skip
        return 2
    try:
        config = _config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EX_CONFIG
    use_configured(config.desk.language)
    socket_path = args.socket or config.service.socket
    try:
        reply = request(socket_path, "unkey", timeout_s=1.0)
        if reply.get("ok"):
            print(_("unkeyed through the running terminal ({socket}): {detail}").format(
                socket=socket_path, detail=reply.get("detail")))  # fmt: skip
            return EX_OK
        print(_("the running terminal refused: {error}").format(error=reply.get("error")),
              file=sys.stderr)  # fmt: skip
    except (OSError, TimeoutError, ValueError) as exc:
        print(_("no running terminal answered on {socket} ({error}); using the port").format(
            socket=socket_path, error=exc))  # fmt: skip
    if args.rigctld or (config.radio.backend == "rigctld" and not args.port):
        return _unkey_rigctld(args.rigctld or config.radio.rigctld, args.timeout)
    port = args.port or config.radio.port
    if port.startswith("sim://"):
        print("hotline unkey: " + _("the configured port is a simulator (sim://); give --port"),
              file=sys.stderr)
        return 2
    result = force_unkey(port, args.baud or config.radio.baud, timeout_s=args.timeout)
    if result.confirmed:
        print(_("unkeyed over {port}: {detail}").format(port=port, detail=result.detail))
        return EX_OK
    print("hotline unkey: " + _("NOT confirmed: {detail}").format(detail=result.detail),
          file=sys.stderr)
    return EX_FAIL


def _unkey_rigctld(address: str, timeout_s: float) -> int:
    """`T 0` straight to rigctld, confirmed by reading `t` back."""
    from hw.forceunkey import force_unkey_rigctld
    from terminal.config.rules import host_port

    try:
        host, port = host_port(address)
    except ValueError as exc:
        print(f"hotline unkey: --rigctld {address!r} {exc}", file=sys.stderr)
        return 2
    result = force_unkey_rigctld(host, port, timeout_s=timeout_s)
    if result.confirmed:
        print(_("unkeyed through rigctld at {address}: {detail}").format(
            address=address, detail=result.detail))
        return EX_OK
    print("hotline unkey: " + _("NOT confirmed: {detail}").format(detail=result.detail),
          file=sys.stderr)
    return EX_FAIL
