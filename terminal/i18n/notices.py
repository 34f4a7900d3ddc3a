"""Notices and faults in the language in use, translated where they are shown.

The pure core, the engine and the adapters word their notices in English, and those words go to
the service's journal and into snapshots unchanged (a console attached to a service translates
on its own side). A front passes each line through `translate_notice`: the line is matched
against the known templates below (``{name}`` stands for a value: a call number, a pair, a
reason), and the template's translation is filled with the values found, each of them
translated in turn when it is itself a known phrase ("PTT does not key: {why}." with "no call").
Known lines joined by "; " (the errors of a line's points) are translated each. A line no
template knows is shown as it is: new wording in the code shows in English until it is added
here (tests/i18n/test_notices.py finds every notice the code writes and checks it has a
template).
"""

from __future__ import annotations

import re
from functools import cache

from terminal.i18n import N_, _, language

TEMPLATES: tuple[str, ...] = (
    # terminal/core/calls.py
    N_("Missed call {call_id}: not answered in time."),
    N_("Call {call_id}: no answer from the far end."),
    N_("Transmit time-out: unkeyed after {seconds} s. Release PTT."),
    N_("Transmit time-out in {seconds} s."),
    N_("No call to answer."),
    N_("Open channel: there is no call to place; press PTT."),
    N_("Already in a call."),
    N_("Cannot call: the radio bridge link is down."),
    N_("No call to hang up."),
    N_("No ringing call to reject."),
    N_("PTT does not key: {why}."),
    N_("no call"),
    N_("the far end has not answered"),
    N_("Both desks called at once: connected."),
    N_("Ring from the bridge during a call: ignored."),
    N_("Far-end answer with no call out: ignored."),
    N_("Missed call {call_id}: the far end gave up."),
    N_("Call {call_id}: the far end declined."),
    N_("Call {call_id}: the far end hung up."),
    N_("The far end is transmitting while we transmit."),
    N_("Radio bridge keyed without a request ({reason}): unkeying."),
    N_("Radio bridge keyed without a request: unkeying."),
    N_("The radio bridge unkeyed ({reason}). Release PTT."),
    N_("The radio bridge refused to key ({why}). Release PTT."),
    N_("The radio bridge refused an earlier KEY ({why})."),
    N_("Radio bridge link up."),
    N_("Radio bridge link down: {reason}."),
    N_("Radio bridge link down."),
    N_("Desk shutting down: {reason}."),
    N_("Desk shutting down."),
    N_("PTT refused: the radio bridge link is down."),
    N_("PTT refused: channel busy. Release and press again."),
    N_("PTT refused: release PTT first."),
    # terminal/core/alerts.py
    N_("Alert {pair}: suspect numbers ({found})."),
    N_("{count} alert(s) open when the desk last stopped, restored from the log."),
    N_("Co-processor {boot}: {what} never arrived."),
    N_("alert {seq}"),
    N_("alerts {first} to {last}"),
    N_("{severity} {a} and {b}: {hsep} m, {vsep} ft apart; CPA in {tcpa} s, miss {miss} m."),
    N_("{severity} {a} and the line: {hsep} m, {vsep} ft apart; CPA in {tcpa} s, miss {miss} m."),
    N_("{severity} (raised) {a} and {b}: {hsep} m, {vsep} ft apart; CPA in {tcpa} s, "
       "miss {miss} m."),
    N_("{severity} (raised) {a} and the line: {hsep} m, {vsep} ft apart; CPA in {tcpa} s, "
       "miss {miss} m."),
    N_("Alert {pair} resolved."),
    N_("Co-processor restarted ({old} -> {boot}); {count} open alert(s) await re-issue."),
    N_("{count} alert(s) of the previous co-processor boot not re-issued."),
    N_("CRITICAL {pair} unacknowledged for {seconds} s."),
    N_("CRITICAL"),
    N_("WARNING"),
    N_("ADVISORY"),
    # terminal/core/recall.py
    N_("Recall is off: the desk is shutting down."),
    N_("Recall is off while transmitting."),
    N_("Recall is off while a call rings: answer or reject it first."),
    N_("Recall is off while calling out."),
    N_("No received transmission to recall yet."),
    N_("No earlier received transmission in this call."),
    N_("No received transmission {number} to recall."),
    N_("No audio to recall."),
    # terminal/core/clock_trust.py, the engine's faults and notices
    N_("the system clock is not synchronised (kernel STA_UNSYNC)"),
    N_("the system clock's estimated error {error} ms is over {limit} ms"),
    N_("the clock's synchronisation cannot be read: {detail}"),
    N_("the system clock is synchronised"),
    N_("Clock: synchronisation unknown ({detail})."),
    N_("{source}: recovered."),
    N_("{source}: {text}"),
    N_("clock"),
    N_("radio"),
    N_("coproc"),
    N_("gpio"),
    N_("log"),
    N_("audio"),
    N_("Unknown operator action {name}."),
    N_("Recall {number}: received {when}Z, {seconds} s, on the headset."),
    N_("No open alert {pair} to acknowledge."),
    N_("No call to attach the note to."),
    N_("Note added to call {call_id}."),
    N_("No LED panel to test."),
    N_("Operator {operator} on duty."),
    # terminal/desk.py, terminal/service.py, terminal/attach/
    N_("Open alerts not restored from the log: {error}"),
    N_("{count} open alert(s) in the log could not be read back."),
    N_("Recording {name} was cut short; mended."),
    N_("Configuration reload refused: see the journal."),
    N_("Console {console} detached; controls released."),
    N_("Forced UNKEY sent to the radio bridge (hotline unkey)."),
    N_("Console {console} took the controls from {holder}."),
    N_("not connected to the service"),
    N_("unreadable state from the service: {error}"),
    # hw/radio.py, hw/rig/link.py
    N_("Radio bridge refused {what}: {code} {text}"),
    N_("Radio bridge did not acknowledge {what}."),
    N_("Co-processor's track feed {feed} is DOWN: {error}."),
    N_("Co-processor's track feed {feed} is DOWN."),
    N_("Co-processor's track feed {feed} is up again."),
    N_("Co-processor refused a message: {code} {text}"),
    N_("Co-processor did not acknowledge {what}."),
    N_("The radio did not key: {why}."),
    # hw/link.py, hw/radio.py, hw/coproc.py: the links' faults and details
    N_("radio bridge link down: {reason}"),
    N_("co-processor link down: {reason}"),
    N_("{label} port closed: {reason}"),
    N_("no HELLO from the {label}"),
    N_("not open"),
    N_("radio bridge"),
    N_("co-processor"),
    N_("no heartbeat"),
    N_("link down."),
    # terminal/views.py: a co-processor's track feed
    N_("feed unknown"),
    N_("feed DOWN"),
    N_("feed DOWN: {error}"),
    N_("feed up {tracks} tracks {rate}/s"),
    N_("feed up {tracks} tracks {rate}/s {more}"),
    N_("nothing heard"),
    N_("last {age} s ago"),
    N_("bad {count}"),
    N_("{first} bad {count}"),
    # the deconfliction line: terminal/engine.py, terminal/desk.py, hw/coproc.py, the console
    N_("Line v{version} {name} entered{on}, in force from {when}."),
    N_(" (call {call_id})"),
    N_("now"),
    N_("Line versions not read from the log: {error}"),
    N_("Line v{version} not recorded: {error}"),
    N_("Line v{version} cannot be sent to the co-processor: {error}"),
    N_("The co-processor does not know LINE (built before it): it keeps its own line; LINE "
       "alerts are checked as the protocol says for such a co-processor."),
    N_("Co-processor refused line v{version}: {code}."),
    N_("Line v{version} {name} in use by the co-processor."),
    N_("Line v{version} {name} in use by the co-processor (its own)."),
    N_("Line v{version} in use by the co-processor."),
    N_("No line in use by the co-processor."),
    N_("Line not entered: {why}"),
    N_("in force: v{version} {name} · {coproc}"),
    N_("no line in force"),
    # terminal/core/lines.py: the co-processor's side (LineView.coproc_text), the points' errors
    N_("coproc: no LINE"),
    N_("coproc {used}"),
    N_("coproc {used} sending"),
    N_("own"),
    N_("point {number} ({point}): write it as lat,lon in decimal degrees"),
    N_("point {number} ({point}): latitude {lat} is not within -90..90"),
    N_("point {number} ({point}): longitude {lon} is not within -180..180"),
    N_("{count} point(s): a line needs at least two"),
    N_("{count} points: at most {most} (one LINE message)"),
    N_("point {number} repeats point {previous}"),
    N_("name {name}: 1 to 16 characters of A-Z a-z 0-9 _ -"),
    N_("effective from {text}: not a time of day (HH:MM Zulu)"),
    N_("effective from {text}: write now, HH:MM (Zulu) or 2026-05-09T07:30Z"),
    N_("no version numbers left (at most {most})"),
)
"""Every notice and fault the desk words, as a template; a test holds it to the code."""

_FIELD = re.compile(r"\\\{(\w+)\\\}")
_FIELD_PATTERN = {
    "source": r"[a-z]+",
    "severity": r"[A-Z]+",
    "a": r"\S+",
    "b": r"\S+",
    "count": r"\d+",
    "call_id": r"\S+",
    "pair": r"\S+",
    "tracks": r"\d+",
    "rate": r"[\d.]+",
    "label": r"radio bridge|co-processor|\S+",
    "version": r"\d+",
    "number": r"\d+",
    "previous": r"\d+",
    "used": r"\S+",
    "on": r".*?",  # " (call 12)" or nothing
}
"""What a value may be, where "anything" would match too much ("{source}: {text}")."""
_VERBATIM = frozenset({"name"})
"""Values shown as they are, never translated: names (a line called "own" stays "own")."""


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The templates as patterns, longest fixed text first (the most specific wins)."""

    def fixed(template: str) -> int:
        return len(re.sub(r"\{\w+\}", "", template))

    out = []
    for template in sorted(TEMPLATES, key=fixed, reverse=True):
        if "{" not in template:
            continue
        pattern = _FIELD.sub(
            lambda m: f"(?P<{m[1]}>{_FIELD_PATTERN.get(m[1], '.+?')})", re.escape(template)
        )
        out.append((re.compile(pattern + r"\Z", re.DOTALL), template))
    return tuple(out)


def translate_notice(text: str, depth: int = 0) -> str:
    """`text` in the language in use: a known phrase, or a known template filled with its
    (translated) values; anything else as it is."""
    if language() == "en" or not text:
        return text
    plain = _(text)
    if plain != text:
        return plain
    if depth > 2:
        return text
    for pattern, template in _compiled():
        found = pattern.match(text)
        if found is None:
            continue
        translated = _(template)
        values = {
            k: v if k in _VERBATIM else translate_notice(v, depth + 1)
            for k, v in found.groupdict().items()
        }
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: keep the English
            return text
    return _parts(text, depth)


def _parts(text: str, depth: int) -> str:
    """A list of known phrases joined by "; " (the errors of a line's points): each translated;
    anything else as it is."""
    parts = text.split("; ")
    if len(parts) < 2:
        return text
    translated = [translate_notice(part, depth + 1) for part in parts]
    if any(t == part for t, part in zip(translated, parts, strict=True)):
        return text  # not all known: leave the line whole rather than half translated
    return "; ".join(translated)
