"""The checks: one per numbered clause of docs/protocol.md, each an async step function that drives
the device through the `Probe` and returns a detail (pass) or raises `Fail` or `Skip`.

Checks are independent: each that needs a known state starts by re-linking with a new terminal boot
id (the device then forgets its duplicate memory and, a bridge, unkeys, 4.5.6, 6.3). Deadlines come
from the device's timing values (`Timing`) with the stated tolerance. The *passive* checks judge
every line the device sent during the whole run and run last.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from hw.wire.codec import MAX_SEQ, FrameError
from hw.wire.messages import Alert, Clear, Err, Hb, Hello, LineUse, Role, Tx
from terminal.conformance.probe import Probe, Rx, Timing, is_type, refers_to

Ask = Callable[[str, str], Awaitable[bool]]
"""``ask(action, text)``: ask the person at the bench to do ``action`` ("reboot", "ring",
"answer"); True once it is done, False when nobody can (not interactive)."""


class Fail(Exception):
    """The device broke the clause; the message says how."""


class Skip(Exception):
    """The clause could not be checked (says why); never counted as a pass."""


@dataclass
class Options:
    """How long to wait for what only the far end, the tracks or a person can cause."""

    answer_wait_s: float = 30.0
    alert_wait_s: float = 30.0
    reboot_wait_s: float = 60.0
    ring_wait_s: float = 60.0


@dataclass
class Ctx:
    """What a check works with."""

    probe: Probe
    device: str  # "bridge" or "coproc"
    ask: Ask
    options: Options = field(default_factory=Options)
    reboots: list[int] = field(default_factory=list)  # marks where a reboot was asked for
    failed: set[str] = field(default_factory=set)  # clauses failed so far

    @property
    def t(self) -> Timing:
        return self.probe.timing

    @property
    def role(self) -> Role:
        return Role.BRIDGE if self.device == "bridge" else Role.COPROC

    def poke(self, seq: int | None = None) -> int:
        """Send a message the device must answer and that changes nothing: UNKEY to a bridge
        (acknowledged even when not keyed, 5.2.1), RING to a co-processor (refused, BADDIR)."""
        if self.device == "bridge":
            return self.probe.send("UNKEY", "PTT", seq=seq)
        return self.probe.send("RING", seq=seq)

    def poke_body(self) -> str:
        return "UNKEY,PTT" if self.device == "bridge" else "RING"

    async def answered(self, seq: int, start: int, what: str) -> Rx:
        got = await self.probe.answer(seq, start)
        if got is None:
            raise Fail(f"no ACK or ERR for {what} (seq {seq}) within {self.t.answer_s():.2f} s")
        return got

    async def unanswered(self, seq: int, start: int, what: str) -> None:
        got = await self.probe.answer(seq, start, 2 * self.t.answer_s())
        if got is not None:
            raise Fail(f"{what} (seq {seq}) was answered: {got.raw!r}")

    async def link(self, *, fresh: bool = True) -> Hello:
        hello = await self.probe.link(fresh=fresh)
        if hello is None:
            raise Fail("the device did not answer our HELLO with its own (4.5.6): cannot go on")
        return hello

    async def quiet(self) -> None:
        """Let the device's answers to the previous step arrive and be acknowledged."""
        await asyncio.sleep(self.t.answer_s())


Step = Callable[[Ctx], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Check:
    clause: str
    title: str
    devices: frozenset[str]
    step: Step
    passive: bool = False


CHECKS: list[Check] = []
_BOTH = frozenset({"bridge", "coproc"})
_B = frozenset({"bridge"})
_C = frozenset({"coproc"})


def check(clause: str, title: str, devices: frozenset[str] = _BOTH, *,
          passive: bool = False) -> Callable[[Step], Step]:  # fmt: skip
    def register(step: Step) -> Step:
        CHECKS.append(Check(clause, title, devices, step, passive))
        return step

    return register


def _err_for(seq: int) -> Callable[[Rx], bool]:
    return lambda r: isinstance(r.msg, Err) and r.msg.ref_seq == seq


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


# --- HELLO at start (the device has not heard us yet) -------------------------------------------


@check("4.5.2", "while down, the unanswered HELLO is repeated every ack timeout, without a cap")
async def hello_while_down(ctx: Ctx) -> str:
    t = ctx.t
    first = await ctx.probe.wait_for(is_type("HELLO"), t.link_timeout_s + t.heartbeat_s
                                     + t.tol(t.link_timeout_s), 0)  # fmt: skip
    if first is None:
        raise Fail("no HELLO from the device while the link is down")
    want = t.max_retries + 3  # more than the cap of 4.3.1
    p = ctx.probe
    copies = [first]
    per = t.ack_timeout_s + t.tol(t.ack_timeout_s)
    while len(copies) < want:  # each copy within an ack timeout (and tolerance) of the last
        nxt = await p.wait_for(lambda r: r.raw == first.raw or isinstance(r.msg, Hello), per,
                               p.rx.index(copies[-1]) + 1)  # fmt: skip
        if nxt is None:
            raise Fail(f"{len(copies)} copies of the HELLO, then none for {per:.2f} s; want one "
                       f"every {t.ack_timeout_s} s without a cap")  # fmt: skip
        if nxt.raw != first.raw:
            raise Fail(f"after {len(copies)} copies a different HELLO: {nxt.raw[:50]!r} (want "
                       "the same frame, same seq)")  # fmt: skip
        copies.append(nxt)
    _check_period(ctx, copies, "HELLO")
    return f"{len(copies)} identical copies, {t.ack_timeout_s} s apart"


def _check_period(ctx: Ctx, copies: list[Rx], what: str) -> None:
    """The copies came every ack timeout: the median gap (robust to a stalled bench PC)."""
    t = ctx.t
    gaps = sorted(_gaps([c.at for c in copies]))
    if gaps:
        median = gaps[len(gaps) // 2]
        if abs(median - t.ack_timeout_s) > t.tol(t.ack_timeout_s):
            raise Fail(f"{what} resent every {median:.3f} s (median), want {t.ack_timeout_s} s")


async def _until_given_up(ctx: Ctx, first: Rx) -> tuple[list[Rx], Rx | None]:
    """The identical copies of ``first`` up to the device's next (different) HELLO — its sign of
    giving up (4.3.2) — and that HELLO (None if it never came)."""
    p, t = ctx.probe, ctx.t
    per = t.ack_timeout_s + t.tol(t.ack_timeout_s)
    i = p.rx.index(first) + 1
    hello = await p.wait_for(lambda r: isinstance(r.msg, Hello) and r.raw != first.raw,
                             (t.max_retries + 3) * per + t.answer_s(), i)  # fmt: skip
    end = p.rx.index(hello) if hello is not None else len(p.rx)
    return [first] + [r for r in p.rx[i:end] if r.raw == first.raw], hello


@check("4.5.1", "HELLO carries version 1, the device's role and a boot id")
async def hello_fields(ctx: Ctx) -> str:
    first = await ctx.probe.wait_for(is_type("HELLO"), 0.0, 0)
    if first is None or not isinstance(first.msg, Hello):
        raise Skip("no HELLO seen (4.5.2 failed)")
    h = first.msg
    if h.version != 1:
        raise Fail(f"HELLO version {h.version}, want 1")
    if h.role is not ctx.role:
        raise Fail(f"HELLO role {h.role}, want {ctx.role}")
    return f"HELLO,1,{h.role},{h.boot_id},{h.name}"


# --- framing: what the device's receiver does with good and broken input ----------------------


@check("2.3.1", "garbage before a frame does not lose the frame")
async def garbage_then_frame(ctx: Ctx) -> str:
    start = ctx.probe.mark()
    ctx.probe.write(b"AT+RESET\r\n\x00\xff\x7f garbage \x1b[0m")
    seq = ctx.poke()
    await ctx.answered(seq, start, "the frame after the garbage")
    return "answered"


@check("2.3.2", "a frame cut short by a new '$' is dropped; the next frame is taken")
async def truncated_then_frame(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    cut = p.next_seq()
    p.write(p.raw_frame(cut, ctx.poke_body())[:8])
    seq = ctx.poke()
    await ctx.answered(seq, start, "the frame after the truncated one")
    if any(refers_to(r, cut) for r in p.rx[start:]):
        raise Fail(f"the truncated frame (seq {cut}) was answered")
    return "answered the frame, not the fragment"


@check("2.3.3", "a frame of 512 bytes or more without LF is dropped; the next frame is taken")
async def oversize_then_frame(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    big = p.next_seq()
    body = ctx.poke_body() + "," + "X" * 600
    p.write(p.raw_frame(big, body))
    seq = ctx.poke()
    await ctx.answered(seq, start, "the frame after the oversize one")
    await ctx.unanswered(big, start, "the oversize frame")
    return "oversize frame dropped, next one answered"


@check("2.3.4", "a frame with a bad CRC gets no answer")
async def bad_crc_frame(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.next_seq()
    good = p.raw_frame(seq, ctx.poke_body())
    crc = int(good[-6:-2], 16)
    p.write(p.raw_frame(seq, ctx.poke_body(), crc=crc ^ 0x0101))
    await ctx.unanswered(seq, start, "the frame with a bad CRC")
    again = ctx.poke()
    await ctx.answered(again, start, "a good frame after it")
    return "dropped silently"


@check("2.3.5", "a frame with bad syntax (seq with a leading zero) gets no answer")
async def bad_syntax_frame(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.next_seq()
    text = f"0{seq},{ctx.poke_body()}".encode()
    from hw.wire.codec import crc16

    p.write(b"$" + text + b"*%04X\r\n" % crc16(text))
    await ctx.unanswered(seq, start, "the frame with a leading zero")
    again = ctx.poke()
    await ctx.answered(again, start, "a good frame after it")
    return "dropped silently"


@check("2.3.6", "lower-case CRC digits and a lone LF are accepted")
async def lower_case_lf(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    for _ in range(16):  # a sequence number whose CRC has a letter in it
        seq = p.next_seq()
        frame = p.raw_frame(seq, ctx.poke_body(), lower=True, end=b"\n")
        if frame[-5:-1] != frame[-5:-1].upper():
            break
    p.write(frame)
    await ctx.answered(seq, start, f"{frame.strip()!r}")
    return f"{frame.strip().decode()} answered"


# --- acknowledgement, sequence numbers, duplicates ------------------------------------------------


@check("4.2.1", "every acked message (HELLO included) is acknowledged within the ack timeout")
async def ack_in_time(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.hello()  # a known boot id: only acknowledged (4.5.6)
    got = await ctx.answered(seq, start, "our HELLO")
    if got.msg is None or got.msg.TYPE != "ACK":
        raise Fail(f"HELLO answered with {got.raw!r}, want ACK")
    done = [f"HELLO ACKed in {got.at - p.sent[-1][0]:.3f} s"]
    if ctx.device == "bridge":
        start = p.mark()
        seq = ctx.poke()
        got = await ctx.answered(seq, start, "UNKEY")
        if got.msg is None or got.msg.TYPE != "ACK":
            raise Fail(f"UNKEY answered with {got.raw!r}, want ACK")
        done.append("UNKEY ACKed")
    return "; ".join(done)


@check("4.1.2", "frames numbered 65534, 65535, 0, 1 are each answered: seq wrap")
async def seq_wrap(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    p.seq = 65534
    start = p.mark()
    for _ in range(4):
        seq = ctx.poke()
        await ctx.answered(seq, start, f"frame {seq}")
    if ctx.device == "bridge":  # after the wrap a message is new, and acted on: ANSWER refused
        seq = p.send("ANSWER")
        got = await p.wait_for(lambda r: isinstance(r.msg, Err) and r.msg.ref_seq == seq,
                               2 * ctx.t.answer_s(), start)  # fmt: skip
        if got is None:
            raise Fail(f"ANSWER {seq} after the wrap was not acted on (no BADSTATE: "
                       "taken for a duplicate?)")  # fmt: skip
    return "answered across the wrap"


@check("4.4.1", "a repeated message is acknowledged again and not acted on twice", _B)
async def duplicate(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    start = p.mark()
    p.send("HANGUP")
    await ctx.quiet()
    seq = p.next_seq()
    frame = p.raw_frame(seq, "CALL")
    p.write(frame)
    got = await ctx.answered(seq, start, "CALL")
    if isinstance(got.msg, Err):
        raise Skip(f"the bridge refused the CALL ({got.msg.code} {got.msg.text})")
    await ctx.quiet()
    if any(isinstance(r.msg, Err) and r.msg.ref_seq == seq for r in p.rx[start:]):
        raise Skip("the bridge refused the first CALL")
    mark = p.mark()
    p.write(frame)
    await ctx.answered(seq, mark, "the repeated CALL")
    await asyncio.sleep(2 * ctx.t.answer_s())
    refused = [r for r in p.rx[mark:] if isinstance(r.msg, Err) and r.msg.ref_seq == seq]
    p.send("HANGUP")
    await ctx.quiet()
    if refused:
        raise Fail(f"the repeated CALL was acted on again: {refused[0].raw!r}")
    return "ACKed twice, acted once"


# --- HELLO rules ---------------------------------------------------------------------------------


@check("4.5.3", "a HELLO sent while up is capped (1 + max_retries copies), then a new HELLO")
async def hello_capped_while_up(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    p.auto_ack = lambda r: not isinstance(r.msg, Hello)
    try:
        p.boot_id = _new_boot(p)
        start = p.mark()
        p.hello()
        first = await p.wait_for(is_type("HELLO"), t.answer_s() * 2, start)
        if first is None:
            raise Fail("no HELLO from the device for our new boot id (4.5.6)")
        copies, new = await _until_given_up(ctx, first)
    finally:
        p.auto_ack = lambda r: True
    await ctx.link()
    if new is None:
        raise Fail(f"{len(copies)} copies of the unanswered HELLO and no new HELLO after them "
                   "(a HELLO while up is capped, then the link is down)")  # fmt: skip
    if len(copies) != t.max_retries + 1:
        raise Fail(f"{len(copies)} copies of the unanswered HELLO while up, want "
                   f"{t.max_retries + 1}")  # fmt: skip
    _check_period(ctx, copies, "HELLO")
    return f"{len(copies)} copies, then a new HELLO"


@check("4.5.4", "a HELLO of another version is refused with ERR VERSION, not acknowledged")
async def hello_version(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.hello(_new_boot(p), version=2)
    got = await ctx.answered(seq, start, "HELLO version 2")
    await ctx.quiet()
    acks = [r for r in p.rx[start:] if refers_to(r, seq) and r.msg is not None
            and r.msg.TYPE == "ACK"]  # fmt: skip
    await ctx.link()
    if acks:
        raise Fail("HELLO version 2 was acknowledged")
    if not isinstance(got.msg, Err) or got.msg.code != "VERSION":
        raise Fail(f"answered {got.raw!r}, want ERR {seq} VERSION")
    return f"ERR,{seq},VERSION,{got.msg.text}"


@check("4.5.5", "a HELLO of an unexpected role is taken, or refused with ERR ROLE")
async def hello_role(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.hello(_new_boot(p), role=ctx.role)  # a bridge talking to a bridge
    got = await p.wait_for(lambda r: refers_to(r, seq) or isinstance(r.msg, Hello),
                           2 * ctx.t.answer_s(), start)  # fmt: skip
    await ctx.link()
    if got is None:
        raise Fail(f"HELLO from a {ctx.role} (seq {seq}): no ACK, ERR or HELLO in answer")
    if isinstance(got.msg, Err) and got.msg.code != "ROLE":
        raise Fail(f"refused with {got.msg.code}, want ROLE")
    return "refused with ROLE" if isinstance(got.msg, Err) else "accepted"


@check("4.5.6", "a new terminal boot id gets the device's HELLO; a known one only an ACK")
async def hello_answer(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.quiet()
    start = p.mark()
    p.hello(_new_boot(p))
    got = await p.wait_for(is_type("HELLO"), 2 * ctx.t.answer_s(), start)
    if got is None:
        raise Fail("no HELLO in answer to a new terminal boot id")
    await ctx.quiet()
    start = p.mark()
    p.hello()
    again = await p.wait_for(is_type("HELLO"), 2 * ctx.t.answer_s(), start)
    if again is not None:
        raise Fail("answered a HELLO from a known boot id with its own HELLO (ping-pong)")
    return "HELLO for the new boot, none for the known one"


# --- ERR -----------------------------------------------------------------------------------------


async def _err(ctx: Ctx, type_: str, fields: tuple[str, ...], code: str, what: str) -> str:
    p = ctx.probe
    start = p.mark()
    seq = p.send(type_, *fields)
    got = await p.wait_for(lambda r: isinstance(r.msg, Err) and r.msg.ref_seq == seq,
                           2 * ctx.t.answer_s(), start)  # fmt: skip
    if got is None or not isinstance(got.msg, Err):
        answer = next((r.raw for r in p.rx[start:] if refers_to(r, seq)), None)
        raise Fail(f"{what}: no ERR" + (f", got {answer!r}" if answer else ""))
    if got.msg.code != code:
        raise Fail(f"{what}: ERR {got.msg.code}, want {code}")
    return f"ERR,{seq},{code},{got.msg.text}"


@check("4.6.1", "an unknown TYPE is refused with ERR UNKNOWN")
async def err_unknown(ctx: Ctx) -> str:
    return await _err(ctx, "FOO", (), "UNKNOWN", "FOO")


@check("4.6.2", "an acked message with a wrong number of fields is refused with ERR BADMSG")
async def err_count(ctx: Ctx) -> str:
    return await _err(ctx, "CALL", ("1",), "BADMSG", "CALL,1")


@check("4.6.3", "an acked message with a field out of format is refused with ERR BADMSG")
async def err_format(ctx: Ctx) -> str:
    return await _err(ctx, "KEY", ("0100",), "BADMSG", "KEY,0100")


@check("4.6.4", "a message the terminal must not send (RING) is refused with ERR BADDIR")
async def err_direction(ctx: Ctx) -> str:
    return await _err(ctx, "RING", (), "BADDIR", "RING from a terminal")


@check("4.6.5", "unacked messages are never answered, even malformed")
async def unacked_silent(ctx: Ctx) -> str:
    p = ctx.probe
    start = p.mark()
    seqs = [p.send("HB", "x"), p.send("KA", "1"), p.send("ACK", "x"), p.send("ERR", "1"),
            p.send("HB", "5")]  # fmt: skip
    await asyncio.sleep(2 * ctx.t.answer_s())
    answered = [r.raw for r in p.rx[start:] if any(refers_to(r, s) for s in seqs)]
    if answered:
        raise Fail(f"answered: {answered[0]!r}")
    return "HB,x KA,1 ACK,x ERR,1 HB,5: no answer"


# --- heartbeat and link timeout ------------------------------------------------------------------


@check("4.7.1", "while up, HB after a heartbeat period of silence; uptime never decreasing")
async def heartbeats(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    await ctx.quiet()
    start = p.mark()
    t0 = p.now()
    got = await p.collect(4 * t.heartbeat_s)
    times = [t0] + [r.at for r in got if r.raw.strip()] + [p.now()]
    gaps = sorted(_gaps(times))
    hbs = [r.msg for r in p.rx[start:] if isinstance(r.msg, Hb)]
    # Judged by count and median gap, not the longest gap: a stalled bench PC reads late, then
    # all at once, which would look like a missing HB.
    if len([r for r in got if r.raw.strip()]) < 3:
        raise Fail(f"{len(got)} frame(s) in {4 * t.heartbeat_s:.2f} s of idle link, want an HB "
                   f"every {t.heartbeat_s} s")  # fmt: skip
    median = gaps[len(gaps) // 2]
    if median > t.heartbeat_s + t.tol(t.heartbeat_s):
        raise Fail(f"a frame every {median:.2f} s (median), want HB every {t.heartbeat_s} s")
    if not hbs:
        raise Fail("no HB in 4 heartbeat periods")
    ups = [h.uptime_ms for h in hbs]
    if any(b < a for a, b in itertools.pairwise(ups)):
        raise Fail(f"uptime_ms went back: {ups}")
    return f"{len(hbs)} HB, a frame every {median:.2f} s"


@check("4.7.2", "no frame from us for the link timeout: link down, HELLO again")
async def link_timeout(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    await ctx.quiet()
    p.keepalive = False
    p.auto_ack = lambda r: False
    try:
        start = p.mark()
        t0 = p.sent[-1][0] if p.sent else p.now()
        wait = t.link_timeout_s + t.tol(t.link_timeout_s) - (p.now() - t0)
        got = await p.wait_for(is_type("HELLO"), wait + t.answer_s(), start)
    finally:
        p.keepalive = True
        p.auto_ack = lambda r: True
    await ctx.link()
    if got is None:
        raise Fail(f"no HELLO within {t.link_timeout_s} s of silence (+ tolerance)")
    after = got.at - t0
    if abs(after - t.link_timeout_s) > t.tol(t.link_timeout_s) + t.ack_timeout_s:
        raise Fail(f"link down after {after:.2f} s of silence, want {t.link_timeout_s} s")
    return f"HELLO {after:.2f} s after our last frame"


# --- bridge duties -------------------------------------------------------------------------------


async def _idle(ctx: Ctx) -> None:
    await ctx.link()
    ctx.probe.send("HANGUP")
    await ctx.quiet()


async def _call(ctx: Ctx) -> None:
    """A connected call (the far end must pick up): Skip when it does not."""
    p = ctx.probe
    await _idle(ctx)
    start = p.mark()
    seq = p.send("CALL")
    got = await ctx.answered(seq, start, "CALL")
    if isinstance(got.msg, Err):
        raise Skip(f"CALL refused: {got.msg.code} {got.msg.text}")
    answered = await p.wait_for(is_type("ANSWERED"), min(2.0, ctx.options.answer_wait_s), start)
    if answered is None and await ctx.ask("answer", "Answer the call at the far end."):
        answered = await p.wait_for(is_type("ANSWERED"), ctx.options.answer_wait_s, start)
    if answered is None:
        p.send("HANGUP")
        raise Skip("the far end did not pick up (no ANSWERED): run with --interactive, or a far "
                   "end that answers")  # fmt: skip
    await ctx.quiet()


async def _tx(ctx: Ctx, start: int, keyed: bool, wait: float | None = None) -> Tx | None:
    wait = 2 * ctx.t.answer_s() if wait is None else wait
    got = await ctx.probe.wait_for(lambda r: isinstance(r.msg, Tx) and r.msg.keyed == keyed,
                                   wait, start)  # fmt: skip
    return got.msg if got is not None and isinstance(got.msg, Tx) else None


async def _key(ctx: Ctx, keepalive_ms: int) -> None:
    p = ctx.probe
    start = p.mark()
    seq = p.send("KEY", str(keepalive_ms))
    got = await ctx.answered(seq, start, "KEY")
    if isinstance(got.msg, Err):
        raise Fail(f"KEY in a connected call refused: {got.msg.code} {got.msg.text}")
    tx = await _tx(ctx, start, True)
    if tx is None:
        raise Fail("no TX,1,KEY after KEY (6.4)")


def _hangup(ctx: Ctx) -> None:
    ctx.probe.send("UNKEY", "PTT")
    ctx.probe.send("HANGUP")


@contextlib.asynccontextmanager
async def _in_call(ctx: Ctx) -> AsyncIterator[None]:
    """A connected call for the check's body: unkeyed and hung up however the body ends."""
    await _call(ctx)
    try:
        yield
    finally:
        _hangup(ctx)
        await ctx.quiet()


@check("5.2.1", "UNKEY is acknowledged when not keyed, and no TX follows", _B)
async def unkey_not_keyed(ctx: Ctx) -> str:
    p = ctx.probe
    await _idle(ctx)
    start = p.mark()
    seq = p.send("UNKEY", "PTT")
    got = await ctx.answered(seq, start, "UNKEY")
    if got.msg is None or got.msg.TYPE != "ACK":
        raise Fail(f"UNKEY answered {got.raw!r}, want ACK")
    tx = await _tx(ctx, start, False)
    if tx is not None:
        raise Fail(f"TX,0,{tx.reason} although it was not keyed")
    return "ACK, no TX"


@check("6.5", "a message that does not fit the call state: ACK, then ERR BADSTATE", _B)
async def badstate(ctx: Ctx) -> str:
    p = ctx.probe
    await _idle(ctx)
    out = []
    for type_, fields, codes in (("ANSWER", (), ("BADSTATE",)),
                                 ("KEY", ("1500",), ("BADSTATE", "LOCKOUT"))):  # fmt: skip
        start = p.mark()
        seq = p.send(type_, *fields)
        first = await ctx.answered(seq, start, type_)
        if first.msg is None or first.msg.TYPE != "ACK":
            raise Fail(f"{type_} with no call answered {first.raw!r} first, want ACK then ERR")
        err = await p.wait_for(_err_for(seq), 2 * ctx.t.answer_s(), start)
        if err is None or not isinstance(err.msg, Err) or err.msg.code not in codes:
            raise Fail(f"{type_} with no call: want ERR {'|'.join(codes)} after the ACK, got "
                       f"{err.raw if err else 'none'!r}")  # fmt: skip
        out.append(f"{type_}: ACK, ERR {err.msg.code}")
    p.send("UNKEY", "PTT")
    await ctx.quiet()
    return "; ".join(out)


@check("6.4", "every transmitter change is reported: TX,1,KEY and TX,0,UNKEY", _B)
async def tx_reports(ctx: Ctx) -> str:
    p = ctx.probe
    async with _in_call(ctx):
        await _key(ctx, 60_000)
        start = p.mark()
        p.send("UNKEY", "PTT")
        tx = await _tx(ctx, start, False)
        if tx is None or tx.reason != "UNKEY":
            raise Fail(f"after UNKEY: {f'TX,0,{tx.reason}' if tx else 'no TX,0'}, want TX,0,UNKEY")
    return "TX,1,KEY then TX,0,UNKEY"


@check("6.1", "keepalive auto-unkey: TX,0,KEEPALIVE keepalive_ms after the last KA", _B)
async def keepalive(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    k = t.keepalive_ms / 1000.0
    async with _in_call(ctx):
        await _key(ctx, t.keepalive_ms)
        start = p.mark()
        end = p.now() + 2 * k
        while p.now() < end:  # KA at a third of the window keeps it keyed
            p.send("KA")
            await asyncio.sleep(k / 3)
        early = [r for r in p.rx[start:] if isinstance(r.msg, Tx) and not r.msg.keyed]
        if early:
            raise Fail(f"unkeyed while KA kept coming: {early[0].raw!r}")
        last = p.sent[-1][0]
        tx_rx = await p.wait_for(lambda r: isinstance(r.msg, Tx) and not r.msg.keyed,
                                 k + t.tol(k) + t.answer_s(), start)  # fmt: skip
        if tx_rx is None or not isinstance(tx_rx.msg, Tx):
            raise Fail(f"still keyed {k + t.tol(k):.2f} s after the last KA")
        after = tx_rx.at - last
        if tx_rx.msg.reason != "KEEPALIVE":
            raise Fail(f"unkeyed with TX,0,{tx_rx.msg.reason}, want KEEPALIVE")
        if abs(after - k) > t.tol(k):
            raise Fail(f"unkeyed {after:.3f} s after the last KA, want {k} s")
    return f"TX,0,KEEPALIVE {after:.3f} s after the last KA"


@check("5.2.2", "a KEY overtaken by a later UNKEY is acknowledged and does not key", _B)
async def late_key(ctx: Ctx) -> str:
    p = ctx.probe
    async with _in_call(ctx):
        start = p.mark()
        key_seq = p.next_seq()
        unkey = p.send("UNKEY", "PTT")
        await ctx.answered(unkey, start, "UNKEY")
        p.send("KEY", "60000", seq=key_seq)
        await ctx.answered(key_seq, start, "the late KEY")
        tx = await _tx(ctx, start, True)
        if tx is not None:
            raise Fail("the late KEY keyed the transmitter")
    return "ACKed, not keyed"


@check("6.6", "a call ended while keyed: the bridge unkeys at once, TX,0,UNKEY", _B)
async def hangup_while_keyed(ctx: Ctx) -> str:
    p = ctx.probe
    async with _in_call(ctx):
        await _key(ctx, 60_000)
        start = p.mark()
        p.send("HANGUP")
        tx = await _tx(ctx, start, False)
        if tx is None or tx.reason != "UNKEY":
            raise Fail(f"after HANGUP: {f'TX,0,{tx.reason}' if tx else 'no TX,0'}, want UNKEY")
    return "TX,0,UNKEY on HANGUP"


@check("6.3", "a new terminal boot id while keyed: unkey, TX,0,LINK", _B)
async def new_boot_while_keyed(ctx: Ctx) -> str:
    p = ctx.probe
    async with _in_call(ctx):
        await _key(ctx, 60_000)
        start = p.mark()
        await ctx.link()
        tx = await _tx(ctx, start, False)
        if tx is None or tx.reason != "LINK":
            raise Fail(f"after a new boot id: {f'TX,0,{tx.reason}' if tx else 'no TX,0'}, "
                       "want TX,0,LINK")  # fmt: skip
    return "TX,0,LINK"


@check("6.2", "link down while keyed: unkey, TX,0,LINK delivered once the link is back", _B)
async def link_down_while_keyed(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    await _call(ctx)
    try:
        await _key(ctx, 60_000)
        await ctx.quiet()
        p.keepalive = False
        p.auto_ack = lambda r: False
        start = p.mark()
        down = await p.wait_for(is_type("HELLO"), t.link_timeout_s + t.tol(t.link_timeout_s)
                                + t.answer_s(), start)  # fmt: skip
        p.keepalive = True
        p.auto_ack = lambda r: True
        if down is None:
            raise Skip("the link did not go down (4.7.2 failed)")
        await ctx.link(fresh=False)  # the same terminal: only the held messages follow
        tx = await _tx(ctx, start, False, 3 * t.answer_s())
        if tx is None or tx.reason != "LINK":
            raise Fail(f"{f'TX,0,{tx.reason}' if tx else 'no TX,0'} after the link fell and "
                       "came back, want TX,0,LINK")  # fmt: skip
    finally:
        p.keepalive = True
        p.auto_ack = lambda r: True
        _hangup(ctx)
        await ctx.quiet()
    return "TX,0,LINK"


@check("4.3.1", "an unacknowledged message is resent every ack timeout, max_retries times")
async def retransmit(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    target: tuple[type, ...]
    if ctx.device == "bridge":
        await _call(ctx)
        target = (Tx,)
    else:
        await ctx.link()
        target = (Alert, Clear)
    p.auto_ack = lambda r: not isinstance(r.msg, target)
    try:
        start = p.mark()
        if ctx.device == "bridge":
            seq = p.send("KEY", "60000")
            await ctx.answered(seq, start, "KEY")
            wait = 2 * t.answer_s()
        else:
            wait = ctx.options.alert_wait_s
            p.hello(_new_boot(p))  # a new terminal: every open pair is sent again (7.5)
        first = await p.wait_for(lambda r: isinstance(r.msg, target), wait, start)
        if first is None:
            what = "TX after KEY" if ctx.device == "bridge" else "ALERT or CLEAR"
            raise Skip(f"no {what} within {wait:.1f} s")
        copies, hello = await _until_given_up(ctx, first)
    finally:
        p.auto_ack = lambda r: True
    if ctx.device == "bridge":
        _hangup(ctx)
    await ctx.link()
    if len(copies) != t.max_retries + 1:
        raise Fail(f"{len(copies)} transmissions of {first.raw[:60]!r}, want "
                   f"{t.max_retries + 1}")  # fmt: skip
    _check_period(ctx, copies, first.msg.TYPE if first.msg else "message")
    if hello is None:
        raise Fail("no HELLO after the last retry (4.3.2: the link is down)")
    return f"{len(copies)} identical transmissions, then HELLO"


@check("6.7", "RING when the far end calls (needs the far end: interactive)", _B)
async def ring(ctx: Ctx) -> str:
    p = ctx.probe
    await _idle(ctx)
    start = p.mark()
    if not await ctx.ask("ring", "Call the desk from the far end (let it ring)."):
        raise Skip("needs the far end to call: run with --interactive")
    got = await p.wait_for(is_type("RING"), ctx.options.ring_wait_s, start)
    if got is None:
        raise Fail(f"no RING within {ctx.options.ring_wait_s} s")
    await ctx.quiet()
    p.send("REJECT")
    await ctx.quiet()
    return "RING"


@check("6.8", "RING again after a new terminal boot id while ringing (interactive)", _B)
async def ring_again(ctx: Ctx) -> str:
    p = ctx.probe
    await _idle(ctx)
    start = p.mark()
    if not await ctx.ask("ring", "Call the desk from the far end again (let it ring)."):
        raise Skip("needs the far end to call: run with --interactive")
    if await p.wait_for(is_type("RING"), ctx.options.ring_wait_s, start) is None:
        raise Skip("no RING (6.7)")
    await ctx.quiet()
    mark = p.mark()
    await ctx.link()
    got = await p.wait_for(is_type("RING"), 3 * ctx.t.answer_s(), mark)
    p.send("REJECT")
    await ctx.quiet()
    if got is None:
        raise Fail("no RING after a new terminal boot id while the far end still rings")
    return "RING again"


# --- co-processor duties -------------------------------------------------------------------------


@check("7.3", "an ALERT that failed every retry is sent again (same alert_seq) once the link is up",
       _C)  # fmt: skip
async def alert_never_given_up(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    p.auto_ack = lambda r: not isinstance(r.msg, Alert)
    try:
        start = p.mark()
        p.hello(_new_boot(p))
        first = await p.wait_for(lambda r: isinstance(r.msg, Alert), ctx.options.alert_wait_s,
                                 start)  # fmt: skip
        if first is None or not isinstance(first.msg, Alert):
            raise Skip(f"no ALERT within {ctx.options.alert_wait_s} s: feed the device a conflict")
        alert = first.msg
        _, down = await _until_given_up(ctx, first)
        if down is None:
            raise Skip("the device did not give the ALERT up (4.3.1 failed)")
        p.auto_ack = lambda r: True
        mark = p.mark()
        await ctx.link(fresh=False)
        again = await p.wait_for(
            lambda r: isinstance(r.msg, Alert) and r.msg.alert_seq == alert.alert_seq
            and r.msg.pair_id == alert.pair_id, ctx.options.alert_wait_s, mark)  # fmt: skip
    finally:
        p.auto_ack = lambda r: True
    if again is None:
        raise Fail(f"ALERT {alert.alert_seq} ({alert.pair_id}) was not sent again after the link "
                   "came back")  # fmt: skip
    return f"ALERT {alert.alert_seq} sent again"


FEED_S = 5.0
"""The longest gap between a co-processor's FEEDs while the link is up (docs/protocol.md 7.8)."""


async def _first_feed(ctx: Ctx) -> tuple[Rx, float]:
    """Link afresh (a new boot id: the link comes up for the device) and wait for its FEED; Skip
    when none comes (7.8 is a SHOULD). The FEED and when the device's HELLO came."""
    p, t = ctx.probe, ctx.t
    start = p.mark()
    await ctx.link()
    hello = next((r for r in p.rx[start:] if isinstance(r.msg, Hello)), None)
    period = FEED_S + t.tol(FEED_S)
    got = await p.wait_for(is_type("FEED"), period, start)
    if got is None or hello is None:
        raise Skip(f"no FEED within {period:.1f} s of linking: the device does not report its "
                   "feed (a SHOULD, 7.8)")  # fmt: skip
    return got, hello.at


@check("7.8", "FEED when the link comes up, then at least every 5 s", _C)
async def feed_reports(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    first, hello_at = await _first_feed(ctx)
    soon = t.heartbeat_s + t.tol(t.heartbeat_s)
    if first.at - hello_at > soon:
        raise Fail(f"the first FEED came {first.at - hello_at:.2f} s after the link came up, "
                   f"want within {soon:.2f} s")  # fmt: skip
    period = FEED_S + t.tol(FEED_S)
    second = await p.wait_for(lambda r: is_type("FEED")(r) and r is not first, period,
                              p.rx.index(first) + 1)  # fmt: skip
    if second is None:
        raise Fail(f"no FEED for {period:.1f} s after the first, want one at least every "
                   f"{FEED_S} s")  # fmt: skip
    after, gap = first.at - hello_at, second.at - first.at
    return f"FEED {after:.2f} s after linking, the next {gap:.2f} s on"


@check("7.9", "after ERR UNKNOWN to a FEED, no FEED until the terminal restarts", _C)
async def feed_unknown(ctx: Ctx) -> str:
    p, t = ctx.probe, ctx.t
    got, _ = await _first_feed(ctx)
    assert got.seq is not None
    p.send("ERR", str(got.seq), "UNKNOWN", "unknown message type")
    refused_at = p.now()
    mark = p.mark()
    period = FEED_S + t.tol(FEED_S)
    late = await p.wait_for(  # one already on the wire as we answered is no fault
        lambda r: is_type("FEED")(r) and r.at > refused_at + t.answer_s(), period, mark
    )
    if late is not None:
        raise Fail(f"FEED again {late.at - refused_at:.2f} s after ERR UNKNOWN to one")
    start = p.mark()
    await ctx.link()
    again = await p.wait_for(is_type("FEED"), period, start)
    if again is None:
        raise Fail(f"no FEED within {period:.1f} s of a new terminal boot id")
    return f"none for {period:.1f} s after ERR UNKNOWN; again after a new terminal boot id"


@check("7.5", "after a new terminal boot id, an ALERT (or CLEAR) for every pair in alert", _C)
async def reissue(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    await ctx.quiet()
    open_pairs = _open_pairs(p.rx)
    if not open_pairs:
        got = await p.wait_for(lambda r: isinstance(r.msg, Alert), ctx.options.alert_wait_s)
        if got is None:
            raise Skip("no pair in alert: feed the device a conflict")
        await asyncio.sleep(ctx.t.answer_s() * 4)
        open_pairs = _open_pairs(p.rx)
    mark = p.mark()
    await ctx.link()
    deadline = p.now() + ctx.options.alert_wait_s
    missing = set(open_pairs)
    while True:
        missing -= {r.msg.pair_id for r in p.rx[mark:] if isinstance(r.msg, Alert | Clear)}
        if not missing or p.now() >= deadline:
            break
        await p.wait_for(lambda r: isinstance(r.msg, Alert | Clear), deadline - p.now())
    if missing:
        raise Fail(f"not sent again: {' '.join(sorted(missing)[:5])}"
                   + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))  # fmt: skip
    return f"{len(open_pairs)} open pair(s) sent again"


def _open_pairs(rx: list[Rx]) -> set[str]:
    open_: set[str] = set()
    for r in rx:
        if isinstance(r.msg, Hello):
            continue
        if isinstance(r.msg, Alert):
            open_.add(r.msg.pair_id)
        elif isinstance(r.msg, Clear):
            open_.discard(r.msg.pair_id)
    return open_


# --- restart (interactive) -----------------------------------------------------------------------


@check("4.1.3", "after a restart the device says HELLO with a new boot id (interactive)")
async def reboot(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    old = _last_boot(p.rx)
    start = p.mark()
    if not await ctx.ask("reboot", "Restart the device now (power-cycle it)."):
        raise Skip("needs the device restarted: run with --interactive")
    ctx.reboots.append(start)
    got = await p.wait_for(lambda r: isinstance(r.msg, Hello) and r.msg.boot_id != old,
                           ctx.options.reboot_wait_s, start)  # fmt: skip
    if got is None or not isinstance(got.msg, Hello):
        raise Fail(f"no HELLO with a new boot id within {ctx.options.reboot_wait_s} s")
    await ctx.link()
    return f"boot id {old} -> {got.msg.boot_id}"


@check("4.5.7", "a restarted device ignores messages before our HELLO (interactive)")
async def before_hello(ctx: Ctx) -> str:
    p = ctx.probe
    await ctx.link()
    old = _last_boot(p.rx)
    start = p.mark()
    if not await ctx.ask("reboot", "Restart the device once more (power-cycle it)."):
        raise Skip("needs the device restarted: run with --interactive")
    ctx.reboots.append(start)
    got = await p.wait_for(lambda r: isinstance(r.msg, Hello) and r.msg.boot_id != old,
                           ctx.options.reboot_wait_s, start)  # fmt: skip
    if got is None:
        raise Skip("no HELLO with a new boot id (4.1.3)")
    mark = p.mark()
    seq = ctx.poke()
    await ctx.unanswered(seq, mark, "a message before our HELLO")
    await ctx.link()
    return "ignored until HELLO"


def _last_boot(rx: list[Rx]) -> str:
    for r in reversed(rx):
        if isinstance(r.msg, Hello):
            return r.msg.boot_id
    return ""


def _new_boot(p: Probe) -> str:
    from terminal.conformance.probe import random_boot

    p.boot_id = random_boot()
    return p.boot_id


# --- passive: everything the device sent ---------------------------------------------------------


@check("2.1.1", "every line the device sends is a frame: syntax, upper-case CRC, CR LF",
       passive=True)  # fmt: skip
async def all_frames_well_formed(ctx: Ctx) -> str:
    bad = []
    for r in ctx.probe.rx[_first_clean(ctx.probe.rx):]:
        errors = [i for i in r.items if isinstance(i, FrameError) and i.kind != "bad_crc"]
        if errors:
            bad.append(f"{errors[0].kind}: {r.raw[:40]!r}")
        elif r.frame is not None and not r.raw.endswith(b"\r"):
            bad.append(f"no CR before LF: {r.raw[:40]!r}")
        elif r.frame is not None and r.raw[-5:-1] != r.raw[-5:-1].upper():
            bad.append(f"lower-case CRC: {r.raw[:40]!r}")
    if ctx.probe._buf:
        bad.append(f"unterminated at the end: {ctx.probe._buf[:40]!r}")
    if bad:
        raise Fail(f"{len(bad)} bad line(s), first {bad[0]}")
    return f"{len(ctx.probe.rx)} lines"


@check("2.2.1", "every frame the device sends has the right CRC", passive=True)
async def all_crcs(ctx: Ctx) -> str:
    rx = ctx.probe.rx[_first_clean(ctx.probe.rx):]
    bad = [r for r in rx if any(isinstance(i, FrameError) and i.kind == "bad_crc" for i in r.items)]
    if bad:
        raise Fail(f"{len(bad)} frame(s) with a bad CRC, first {bad[0].raw[:60]!r}")
    return f"{len(rx)} frames"


@check("3.1", "every message the device sends has its fields, in format, and its role may send it",
       passive=True)  # fmt: skip
async def all_messages(ctx: Ctx) -> str:
    bad = []
    for r in ctx.probe.rx:
        for _frame, msg, why in r.msgs:
            if msg is None:
                bad.append(why)
            elif ctx.role not in msg.SENT_BY:
                bad.append(f"a {ctx.role} must not send {msg.TYPE}")
    if bad:
        raise Fail(f"{len(bad)} bad message(s), first: {bad[0]}")
    return "all valid"


@check("4.1.1", "every frame has a number of its own, none skipped; a resend repeats its frame",
       passive=True)  # fmt: skip
async def sequence_numbers(ctx: Ctx) -> str:
    # A held message keeps the number it was given when queued (4.1.4), so frames may go out of
    # numerical order; but within a boot no number is skipped (beyond the frames lost to line
    # errors), and a number seen again is a retransmission of the very same frame.
    boots: list[tuple[dict[int, bytes], int]] = []
    seen: dict[int, bytes] = {}
    boot, errors, count = "", 0, 0
    for r in ctx.probe.rx[_first_clean(ctx.probe.rx):]:
        frame = r.frame
        if frame is None:
            errors += sum(isinstance(i, FrameError) for i in r.items)
            continue
        if isinstance(r.msg, Hello) and r.msg.boot_id != boot:
            if boot:
                boots.append((seen, errors))  # a new boot: numbering may start again (4.1.3)
                seen, errors = {}, 0
            boot = r.msg.boot_id
        count += 1
        old = seen.get(frame.seq)
        if old is not None and old != r.raw:
            raise Fail(f"seq {frame.seq} used for two frames: {old[:40]!r} and {r.raw[:40]!r}")
        seen[frame.seq] = r.raw
    boots.append((seen, errors))
    for numbers, lost in boots:
        missing = _missing(sorted(numbers))
        if len(missing) > lost:
            raise Fail(f"sequence numbers skipped: {missing[:5]}")
    return f"{count} frames, no number skipped or reused"


def _missing(nums: list[int]) -> list[int]:
    """Numbers absent between the lowest and highest of ``nums`` (taking a wrap into account)."""
    if not nums:
        return []
    gaps = [(b - a, a) for a, b in itertools.pairwise(nums)]
    wrap = (nums[0] + MAX_SEQ + 1 - nums[-1], nums[-1])
    widest = max([*gaps, wrap])  # the largest gap is where the run starts and ends
    out = [n for d, a in gaps if (d, a) != widest for n in range(a + 1, a + d)]
    d, a = wrap
    if (d, a) != widest:
        out += [(a + k) & MAX_SEQ for k in range(1, d)]
    return out


@check("7.2", "alert_seq goes up by one per ALERT within a boot (1 first after a restart)", _C,
       passive=True)  # fmt: skip
async def alert_seq(ctx: Ctx) -> str:
    high: dict[str, int] = {}
    boot = ""
    fresh: set[str] = set()
    count = 0
    marks = set(ctx.reboots)
    after_reboot = False
    for i, r in enumerate(ctx.probe.rx):
        if i in marks:
            after_reboot = True
        if isinstance(r.msg, Hello) and r.msg.boot_id != boot:
            boot = r.msg.boot_id
            if after_reboot:
                fresh.add(boot)
                after_reboot = False
        if not isinstance(r.msg, Alert):
            continue
        count += 1
        n = r.msg.alert_seq
        last = high.get(boot)
        if last is None:
            if boot in fresh and n != 1:
                raise Fail(f"first ALERT of restarted boot {boot} is {n}, want 1")
        elif n > last + 1:
            raise Fail(f"alert_seq jumped from {last} to {n} (boot {boot})")
        high[boot] = max(n, last or 0)
    if not count:
        raise Skip("no ALERT seen")
    return f"{count} ALERT(s)"


@check("5.4.5", "ALERT numbers agree with the terminal's kernel (its suspect check)", _C,
       passive=True)  # fmt: skip
async def alert_numbers(ctx: Ctx) -> str:
    from terminal.kernel.report import Member, Separation
    from terminal.kernel.verify import disagreements

    alerts = {(r.msg.alert_seq, r.msg.pair_id): r.msg for r in ctx.probe.rx
              if isinstance(r.msg, Alert)}  # fmt: skip
    if not alerts:
        raise Skip("no ALERT seen")
    for msg in alerts.values():
        a, b = (Member(m.id, m.lat, m.lon, m.alt_ft, m.vn_ms, m.ve_ms, m.vu_ms)
                for m in (msg.a, msg.b))  # fmt: skip
        found = disagreements(msg.kind.value, a, b,  # type: ignore[arg-type]
                              Separation(msg.hsep_m, msg.vsep_ft, msg.tcpa_s, msg.miss_m),
                              tolerance_pct=5.0)  # fmt: skip
        if found:
            raise Fail(f"ALERT {msg.alert_seq} {msg.pair_id}: {'; '.join(found)}")
    return f"{len(alerts)} ALERT(s) agree"


LINE_WAIT_S = 5.0
"""How long a co-processor may take to use a LINE already effective (its next computation)."""
FAR_LINE = "-80.000000 0.000000;-80.000000 10.000000"
"""A line no track of a test feed comes near: the device's alerts stay the same."""
LONG_AGO = "2000-01-01T00:00:00.000Z"
"""An effective time every device clock has passed: use it at once."""


async def _line_in_use(ctx: Ctx) -> Rx:
    """Link afresh and take the device's LINEUSE (7.13); Skip if it sends none (before LINE)."""
    p, t = ctx.probe, ctx.t
    start = p.mark()
    await ctx.link()
    wait = t.heartbeat_s + t.tol(t.heartbeat_s) + t.answer_s()
    got = await p.wait_for(is_type("LINEUSE"), wait, start)
    if got is None:
        raise Skip(f"no LINEUSE within {wait:.2f} s of linking: a co-processor built before LINE")
    return got


async def _give_line(ctx: Ctx, version: int) -> tuple[int, Rx]:
    """Send LINE ``version`` (effective long ago, far away); its sequence number and answer."""
    seq = ctx.probe.send("LINE", str(version), "CONFORM", LONG_AGO, FAR_LINE)
    start = ctx.probe.mark()
    got = await ctx.answered(seq, start, "LINE")
    if _err_for(seq)(got):
        raise Skip(f"LINE refused ({got.raw!r}): a co-processor built before LINE")
    return seq, got


@check("7.13", "LINEUSE when the link comes up, and when a LINE given comes into use", _C)
async def line_use(ctx: Ctx) -> str:
    p = ctx.probe
    first = await _line_in_use(ctx)
    assert isinstance(first.msg, LineUse)
    version = min(first.msg.version + 1, 999_999)
    mark = p.mark()
    await _give_line(ctx, version)
    used = await p.wait_for(
        lambda r: isinstance(r.msg, LineUse) and r.msg.version == version, LINE_WAIT_S, mark
    )
    if used is None:
        raise Fail(f"no LINEUSE,{version} within {LINE_WAIT_S} s of LINE {version} (effective "
                   "long ago)")  # fmt: skip
    return f"LINEUSE {first.msg.version} on linking, {version} after LINE {version}"


@check("7.11", "a LINE is acknowledged; one not above the version in use changes nothing", _C)
async def line_repeat(ctx: Ctx) -> str:
    p = ctx.probe
    first = await _line_in_use(ctx)
    assert isinstance(first.msg, LineUse)
    version = first.msg.version
    if version < 1:
        version = min(version + 1, 999_999)
        mark = p.mark()
        await _give_line(ctx, version)
        if await p.wait_for(is_type("LINEUSE"), LINE_WAIT_S, mark) is None:
            raise Skip(f"no LINEUSE after LINE {version} (7.13 failed)")
    mark = p.mark()
    seq, got = await _give_line(ctx, version)  # the same version again
    if not refers_to(got, seq) or isinstance(got.msg, Err):
        raise Fail(f"LINE {version} repeated was not acknowledged: {got.raw!r}")
    changed = await p.wait_for(
        lambda r: isinstance(r.msg, LineUse) and r.msg.version != version, 2 * ctx.t.answer_s(),
        mark,
    )  # fmt: skip
    if changed is not None:
        raise Fail(f"LINE {version} again changed the line in use: {changed.raw!r}")
    return f"LINE {version} repeated: acknowledged, nothing changed"


@check("7.14", "every ALERT carries the line version in use when it was computed", _C,
       passive=True)  # fmt: skip
async def alert_line_version(ctx: Ctx) -> str:
    uses: list[tuple[int, int]] = []  # (since ms, version) of the current device boot
    checked, boot = 0, ""
    for r in ctx.probe.rx[_first_clean(ctx.probe.rx):]:
        if isinstance(r.msg, Hello) and r.msg.role is Role.COPROC:
            if uses and r.msg.boot_id != boot:
                uses = []
            boot = r.msg.boot_id
        elif isinstance(r.msg, LineUse):
            uses.append((round(r.msg.since.timestamp() * 1000), r.msg.version))
            uses.sort(key=lambda u: u[0])  # stable: reports of one millisecond stay in order
        elif isinstance(r.msg, Alert) and uses:
            at = round(r.msg.computed_at.timestamp() * 1000)
            known = [u for u in uses if u[0] <= at]
            if not known:
                continue  # computed before the device's first report
            allowed = {known[-1][1]}
            if known[-1][0] == at and len(known) > 1:
                allowed.add(known[-2][1])  # on the very millisecond of a change: either
            if r.msg.line_version not in allowed:
                raise Fail(f"ALERT {r.msg.alert_seq} computed {r.msg.computed_at:%H:%M:%S.%f} "
                           f"has line_version {r.msg.line_version}; in use then: "
                           f"{known[-1][1]}")  # fmt: skip
            checked += 1
    if not checked:
        raise Skip("no ALERT after a LINEUSE")
    return f"{checked} ALERT(s) carry the version in use"


def _first_clean(rx: list[Rx]) -> int:
    """Skip the first line: the port was opened mid-stream, so it may be a fragment."""
    return 1 if rx else 0


def clauses(device: str) -> list[Check]:
    """The checks for ``device``, in running order (passive ones last)."""
    mine = [c for c in CHECKS if device in c.devices]
    return [c for c in mine if not c.passive] + [c for c in mine if c.passive]


__all__ = ["CHECKS", "Check", "Ctx", "Fail", "Options", "Skip", "clauses"]
