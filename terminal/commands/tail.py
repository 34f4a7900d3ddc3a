"""`hotline tail --broker URL`: every desk's call and alert records as they come (the supervisor's
view), from the MQTT broker the desks publish to (docs/mqtt.md).

Each record is printed once per (site, desk, record id), however often the broker delivers it.
Everything from the network is untrusted: a message that is not JSON, has another schema, or whose
hash does not match its content is counted and reported on stderr, and the tail goes on.
With `--witness FILE` every desk's signed checkpoints are also appended to FILE (and fsynced),
once each: a record of the log's heads kept outside the desks, for `hotline log verify --witness`
(docs/record.md).
Exit codes: 0 (--count reached), 2 usage, 69 the broker cannot be reached, 78 an unreadable
credentials or CA file or witness file, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from terminal.cli import EX_CONFIG, EX_OK, EX_UNAVAILABLE, EX_USAGE
from terminal.config.broker import file_problem, read_password
from terminal.log.chain import canonical
from terminal.log.compact import expand_alert
from terminal.log.witness import append_line
from terminal.log.witness import line_of as witness_line
from terminal.mqtt.connect import BrokerUrl, parse_url, tls_context
from terminal.mqtt.payload import BadMessage, Received, parse
from terminal.mqtt.topics import subscription

SEEN_PER_DESK = 200_000
"""Record ids remembered per desk for de-duplication (the oldest half is forgotten beyond)."""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `tail` to the parser."""
    parser = sub.add_parser(
        "tail",
        help="Print every desk's records from the MQTT broker as they come.",
        description="Subscribe to the desks' records on an MQTT broker and print each once.",
    )
    parser.add_argument("--broker", required=True, help="mqtt://host[:port] or mqtts://host[:port]")
    parser.add_argument("--prefix", default="hotline", help="topic prefix (default: hotline)")
    parser.add_argument("--site", help="only this site's desks")
    parser.add_argument("--desk", help="only this desk")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text")
    parser.add_argument("--username", help="user name for the broker")
    parser.add_argument("--password-file", type=Path, help="file holding the password (mode 600)")
    parser.add_argument("--ca-file", type=Path, help="CA certificates for mqtts:// (PEM)")
    parser.add_argument("--count", type=int, help="exit after this many records")
    parser.add_argument(
        "--witness",
        type=Path,
        metavar="FILE",
        help="append every desk's signed checkpoints to FILE (a witness for log verify)",
    )
    parser.add_argument(
        "--client-id",
        help="MQTT client id: a persistent session, so the broker keeps what comes while the "
        "tail is away (default: a fresh session each time)",
    )
    parser.set_defaults(handler=run)


@dataclass
class Tail:
    """What has been seen: de-duplication, counts, and how each message is printed."""

    prefix: str
    out: TextIO
    err: TextIO
    fmt: str = "text"
    records: int = 0
    duplicates: int = 0
    bad: int = 0
    seen: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    witness: TextIO | None = None
    witnessed: int = 0

    def take(self, topic: str, data: bytes) -> None:
        """One message from the broker."""
        try:
            got = parse(topic, data, self.prefix)
        except BadMessage as exc:
            self.bad += 1
            print(f"hotline tail: bad message #{self.bad} on {_safe(topic)} ({len(data)} bytes): "
                  f"{_safe(str(exc))}", file=self.err, flush=True)  # fmt: skip
            return
        rid = got.record_id
        if rid is not None:
            seen = self.seen.setdefault((got.site, got.desk), set())
            if rid in seen:
                self.duplicates += 1
                return
            seen.add(rid)
            if len(seen) > SEEN_PER_DESK:
                for old in sorted(seen)[: SEEN_PER_DESK // 2]:
                    seen.discard(old)
            self.records += 1
            if got.leaf == "checkpoints" and self.witness is not None:
                self.keep(got)
        print(self.line(got), file=self.out, flush=True)

    def keep(self, got: Received) -> None:
        """Append a signed checkpoint to the witness file (its payload as the desk logged it)."""
        b = got.body
        text = canonical(b["payload"])
        line = witness_line(f"{got.site}/{got.desk}", b["id"], b["kind"], b["utc_ms"],
                            b["prev_hash"], b["hash"], text)  # fmt: skip
        assert self.witness is not None
        try:
            append_line(self.witness, line)
        except OSError as exc:
            print(f"hotline tail: cannot write the witness file: {exc}", file=self.err, flush=True)
            return
        self.witnessed += 1

    def line(self, got: Received) -> str:
        """The printed line of one checked message."""
        if self.fmt == "jsonl":
            return json.dumps({"topic_leaf": got.leaf, **got.body}, ensure_ascii=True,
                              separators=(",", ":"))  # fmt: skip
        b = got.body
        who = f"{_safe(got.site)}/{_safe(got.desk)}"
        when = _safe(str(b.get("utc", "")))
        if got.record_id is not None:
            payload = b["payload"]  # an alert_received of format 2 shown as the object it says
            if isinstance(payload, list):  # keys in the order the object's canonical text has
                payload = json.loads(canonical(expand_alert(payload)))
            fields = " ".join(f"{_safe(str(k))}={_value(v)}" for k, v in payload.items())
            return f"{when} {who} #{got.record_id} {_safe(b['kind'])} {fields}"
        if got.leaf == "status":
            reason = f" ({_safe(str(b['reason']))})" if b.get("reason") else ""
            return f"{when} {who} status {b['status']}{reason}"
        call: dict[str, Any] = _dict(b.get("call"))
        links: dict[str, Any] = _dict(b.get("links"))
        shown = " ".join(
            f"{_safe(str(k))}={'up' if isinstance(v, dict) and v.get('up') else 'DOWN'}"
            for k, v in links.items()
        )
        alerts = b.get("alerts")
        opened = len(alerts) if isinstance(alerts, list) else 0
        return f"{when} {who} state {_value(call.get('state'))} {shown} alerts={opened}"

    def summary(self) -> str:
        """Counts for stderr at the end."""
        kept = f", {self.witnessed} checkpoints witnessed" if self.witness is not None else ""
        return (f"hotline tail: {self.records} records, {self.duplicates} duplicates dropped, "
                f"{self.bad} bad messages{kept}")  # fmt: skip


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _safe(text: str) -> str:
    """Text from the network, with anything that could drive the terminal escaped."""
    if text.isprintable():
        return text
    return json.dumps(text, ensure_ascii=True)[1:-1]


def _value(value: Any) -> str:
    if isinstance(value, str):
        plain = value.isprintable() and " " not in value and value != ""
        return value if plain else json.dumps(value, ensure_ascii=True)
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


@dataclass(frozen=True)
class _Options:
    url: BrokerUrl
    username: str | None
    password: str | None
    tls: ssl.SSLContext | None


def run(args: argparse.Namespace) -> int:
    """The `tail` handler."""
    try:
        url = parse_url(args.broker)
    except ValueError as exc:
        print(f"hotline tail: --broker: {exc}", file=sys.stderr)
        return EX_USAGE
    if args.count is not None and args.count < 1:
        print("hotline tail: --count must be at least 1", file=sys.stderr)
        return EX_USAGE
    if args.ca_file is not None and not url.tls:
        print("hotline tail: --ca-file needs an mqtts:// broker", file=sys.stderr)
        return EX_USAGE
    try:
        options = _options(args, url)
    except _Unusable as exc:
        print(f"hotline tail: {exc}", file=sys.stderr)
        return EX_CONFIG
    tail = Tail(args.prefix, sys.stdout, sys.stderr, args.format)
    if args.witness is not None:
        try:
            tail.witness = args.witness.open("a", encoding="utf-8")
        except OSError as exc:
            print(f"hotline tail: --witness {args.witness}: {exc.strerror or exc}", file=sys.stderr)
            return EX_CONFIG
        _remember(tail, args.witness)
    topic = subscription(args.prefix, args.site, args.desk)
    try:
        return asyncio.run(_follow(options, topic, tail, args.count, args.client_id))
    finally:
        print(tail.summary(), file=sys.stderr)
        if tail.witness is not None:
            tail.witness.close()


def _remember(tail: Tail, path: Path) -> None:
    """The checkpoints a witness file already holds, so a restarted tail does not repeat them."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                body = json.loads(line)
                site, _, desk = str(body["desk"]).partition("/")
                tail.seen.setdefault((site, desk), set()).add(int(body["id"]))


class _Unusable(Exception):
    """A credentials or CA file that cannot be used."""


def _options(args: argparse.Namespace, url: BrokerUrl) -> _Options:
    password = None
    if args.password_file is not None:
        problem = file_problem(args.password_file, secret=True)
        if problem:
            raise _Unusable(f"--password-file {args.password_file} {problem}")
        password = read_password(args.password_file)
    context = None
    if url.tls:
        if args.ca_file is not None and (problem := file_problem(args.ca_file, secret=False)):
            raise _Unusable(f"--ca-file {args.ca_file} {problem}")
        try:
            context = tls_context(args.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise _Unusable(f"--ca-file {args.ca_file}: {exc}") from None
    return _Options(url, args.username, password, context)


async def _follow(
    options: _Options, topic: str, tail: Tail, count: int | None, client_id: str | None
) -> int:
    """Subscribe and print; reconnect after a loss; 69 if the first connection fails."""
    import aiomqtt  # here: only `hotline tail` needs the MQTT client, not every command

    connected_once = False
    delay = 0.5
    done: Callable[[], bool] = lambda: count is not None and tail.records >= count  # noqa: E731
    while True:
        client = aiomqtt.Client(
            options.url.host, options.url.port, username=options.username,
            password=options.password, tls_context=options.tls, identifier=client_id, timeout=10,
            clean_session=client_id is None,
        )  # fmt: skip
        try:
            async with client:
                connected_once = True
                delay = 0.5
                await client.subscribe(topic, qos=1)
                print(f"hotline tail: subscribed to {topic} on {options.url}", file=tail.err,
                      flush=True)  # fmt: skip
                async for message in client.messages:
                    payload = message.payload
                    data = payload if isinstance(payload, bytes | bytearray) else str(payload)
                    tail.take(str(message.topic), bytes(data, "utf-8") if isinstance(data, str)
                              else bytes(data))  # fmt: skip
                    if done():
                        return EX_OK
        except aiomqtt.MqttError as exc:
            if not connected_once:
                print(f"hotline tail: cannot reach the broker {options.url}: {exc}",
                      file=sys.stderr)  # fmt: skip
                return EX_UNAVAILABLE
            print(f"hotline tail: connection lost ({exc}); reconnecting in {delay:g} s",
                  file=tail.err, flush=True)  # fmt: skip
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)
