"""Every key of the console in one table: the bindings, the footer, the help screen and the
command palette are all made from it, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding, BindingsMap

from terminal.i18n import N_, _


@dataclass(frozen=True, slots=True)
class Key:
    """One operator action: its key(s), footer label, palette title and help text."""

    keys: str  # Textual key names, comma separated
    action: str  # the app's action_<name>
    label: str  # short, for the footer
    title: str  # for the command palette and the help screen
    help: str
    group: str
    display: str | None = None  # how the key is shown, when its name is not what is printed


# In footer order: what an 80-column footer cuts off (search, sign-on, lamp test) is on the help
# screen, which the footer always shows.
OPERATOR_KEYS: tuple[Key, ...] = (
    Key("a", "answer", N_("Answer"), N_("Answer"), N_("Answer the ringing call."), N_("Call")),
    Key("c", "call", N_("Call"), N_("Call"), N_("Call the far end."), N_("Call")),
    Key(
        "h",
        "hangup",
        N_("Hangup"),
        N_("Hang up"),
        N_("End the call (or stop calling out)."),
        N_("Call"),
    ),
    Key("r", "reject", N_("Reject"), N_("Reject"), N_("Decline the ringing call."), N_("Call")),
    Key(
        "space",
        "ptt",
        N_("PTT"),
        N_("Push to talk (toggle)"),
        N_("Key the transmitter; press again to unkey. A terminal has no key-up, so this toggles; "
        "the time-out timer still unkeys a long transmission."),
        N_("Call"),
        "Spc",
    ),
    Key(
        "k",
        "acknowledge",
        N_("Ack"),
        N_("Acknowledge alert"),
        N_("Acknowledge the selected alert (Up/Down select)."),
        N_("Alerts"),
    ),
    Key("n", "note", N_("Note"), N_("Note"), N_("Type a note into the call record."), N_("Record")),
    Key("question_mark,f1", "help", N_("Help"), N_("Help"), N_("Show every key."), N_("Desk"), "?"),
    Key(
        "q",
        "quit",
        N_("Quit"),
        N_("Quit"),
        N_("Leave the console (asks first while a call is up; the desk hangs up and unkeys)."),
        N_("Desk"),
    ),
    Key(
        "slash",
        "search",
        N_("Search"),
        N_("Search"),
        N_("Filter today's calls and the open alerts shown (Esc clears). "
        "The full record: `hotline log`."),
        N_("Record"),
        "/",
    ),
    Key(
        "o",
        "sign_on",
        N_("Sign on"),
        N_("Operator sign-on"),
        N_("Sign on as the operator on duty."),
        N_("Desk"),
    ),
    Key(
        "l",
        "lamp_test",
        N_("Lamps"),
        N_("Lamp test"),
        N_("Light each desk LED in turn."),
        N_("Desk"),
    ),
    Key(
        "g",
        "recall",
        N_("Again"),
        N_("Say again (recall)"),
        N_("Replay the last received transmission on the headset, never on the radio; press again "
        "for the one before. Not while transmitting; PTT stops it."),
        N_("Call"),
    ),
    Key(
        "G",
        "recall_list",
        N_("Recalls"),
        N_("Recall list"),
        N_("The call's received transmissions with their time and length: pick one to replay."),
        N_("Call"),
    ),
    Key(
        "s",
        "shift_report",
        N_("Report"),
        N_("Shift report"),
        N_("Write the shift handover report of the last 12 hours (HTML, docs/report.md) to "
        "<log directory>/reports/."),
        N_("Record"),
    ),
    Key(
        "e",
        "line_entry",
        N_("Line"),
        N_("New line version"),
        N_("Enter a new version of the deconfliction line as agreed (name, points lat,lon; ..., "
        "from when, the call): previewed on the picture, Enter again confirms; recorded and "
        "sent to the co-processor."),
        N_("Record"),
    ),
)

BENCH_KEYS: tuple[Key, ...] = (
    Key(
        "1",
        "far_ring",
        N_("Far rings"),
        N_("Bench: far end rings"),
        N_("The far end calls this desk."),
        N_("Bench"),
    ),
    Key(
        "2",
        "far_answer",
        N_("Far answers"),
        N_("Bench: far end answers"),
        N_("The far end answers our call."),
        N_("Bench"),
    ),
    Key(
        "3",
        "far_hangup",
        N_("Far hangs up"),
        N_("Bench: far end hangs up"),
        N_("The far end hangs up (or gives up ringing)."),
        N_("Bench"),
    ),
    Key(
        "4",
        "far_talk",
        N_("Far talks"),
        N_("Bench: far end talks (toggle)"),
        N_("The far end starts or stops transmitting."),
        N_("Bench"),
    ),
    Key(
        "5",
        "pin_ptt",
        N_("PTT pin"),
        N_("Bench: PTT button (toggle)"),
        N_("Press or release the physical PTT button, through its mock pin."),
        N_("Bench"),
    ),
    Key(
        "6",
        "cable",
        N_("Cable"),
        N_("Bench: bridge cable (toggle)"),
        N_("Pull the radio bridge's USB cable out, or plug it back in."),
        N_("Bench"),
    ),
)

EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    (N_("Up / Down"), N_("Select an alert (the picture highlights its pair).")),
    (N_("Tab"), N_("Move between the alert list and today's calls.")),
    (N_("Esc"), N_("Clear the search filter; close a dialog.")),
    (N_("Ctrl+P"), N_("Command palette: every action above, by name; also the theme.")),
    (N_("Ctrl+Q"), N_("Quit (asks first while a call is up).")),
)


TEXTUAL_WORDS = (N_("palette"), N_("Open the command palette"), N_("Quit"))
"""Textual's own bindings' words, for the catalogue (`localize` translates them)."""


def bindings(keys: tuple[Key, ...], *, show: bool = True) -> list[Binding]:
    """Textual bindings for these keys, in the footer (in this order) when `show`."""
    return [
        Binding(
            k.keys, f"app.{k.action}", k.label, show=show, key_display=k.display, tooltip=k.help
        )
        for k in keys
    ]


def localize(found: BindingsMap) -> None:
    """Put the footer labels and tooltips of these bindings in the language in use: bindings are
    made at import, in English (the source text), before the desk's language is known."""
    for key, listed in found.key_to_bindings.items():
        found.key_to_bindings[key] = [
            replace(b, description=_(b.description), tooltip=_(b.tooltip)) for b in listed
        ]
