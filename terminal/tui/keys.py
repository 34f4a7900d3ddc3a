"""Every key of the console in one table: the bindings, the footer, the help screen and the
command palette are all made from it, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


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
    Key("a", "answer", "Answer", "Answer", "Answer the ringing call.", "Call"),
    Key("c", "call", "Call", "Call", "Call the far end.", "Call"),
    Key("h", "hangup", "Hangup", "Hang up", "End the call (or stop calling out).", "Call"),
    Key("r", "reject", "Reject", "Reject", "Decline the ringing call.", "Call"),
    Key(
        "space",
        "ptt",
        "PTT",
        "Push to talk (toggle)",
        "Key the transmitter; press again to unkey. A terminal has no key-up, so this toggles; "
        "the time-out timer still unkeys a long transmission.",
        "Call",
        "Spc",
    ),
    Key(
        "k",
        "acknowledge",
        "Ack",
        "Acknowledge alert",
        "Acknowledge the selected alert (Up/Down select).",
        "Alerts",
    ),
    Key("n", "note", "Note", "Note", "Type a note into the call record.", "Record"),
    Key("question_mark,f1", "help", "Help", "Help", "Show every key.", "Desk", "?"),
    Key(
        "q",
        "quit",
        "Quit",
        "Quit",
        "Leave the console (asks first while a call is up; the desk hangs up and unkeys).",
        "Desk",
    ),
    Key(
        "slash",
        "search",
        "Search",
        "Search",
        "Filter today's calls and the open alerts shown (Esc clears). "
        "The full record: `hotline log`.",
        "Record",
        "/",
    ),
    Key("o", "sign_on", "Sign on", "Operator sign-on", "Sign on as the operator on duty.", "Desk"),
    Key("l", "lamp_test", "Lamps", "Lamp test", "Light each desk LED in turn.", "Desk"),
    Key(
        "g",
        "recall",
        "Again",
        "Say again (recall)",
        "Replay the last received transmission on the headset, never on the radio; press again "
        "for the one before. Not while transmitting; PTT stops it.",
        "Call",
    ),
    Key(
        "G",
        "recall_list",
        "Recalls",
        "Recall list",
        "The call's received transmissions with their time and length: pick one to replay.",
        "Call",
    ),
    Key(
        "s",
        "shift_report",
        "Report",
        "Shift report",
        "Write the shift handover report of the last 12 hours (HTML, docs/report.md) to "
        "<log directory>/reports/.",
        "Record",
    ),
    Key(
        "e",
        "line_entry",
        "Line",
        "New line version",
        "Enter a new version of the deconfliction line as agreed (name, points lat,lon; ..., "
        "from when, the call): previewed on the picture, Enter again confirms; recorded and "
        "sent to the co-processor.",
        "Record",
    ),
)

BENCH_KEYS: tuple[Key, ...] = (
    Key(
        "1",
        "far_ring",
        "Far rings",
        "Bench: far end rings",
        "The far end calls this desk.",
        "Bench",
    ),
    Key(
        "2",
        "far_answer",
        "Far answers",
        "Bench: far end answers",
        "The far end answers our call.",
        "Bench",
    ),
    Key(
        "3",
        "far_hangup",
        "Far hangs up",
        "Bench: far end hangs up",
        "The far end hangs up (or gives up ringing).",
        "Bench",
    ),
    Key(
        "4",
        "far_talk",
        "Far talks",
        "Bench: far end talks (toggle)",
        "The far end starts or stops transmitting.",
        "Bench",
    ),
    Key(
        "5",
        "pin_ptt",
        "PTT pin",
        "Bench: PTT button (toggle)",
        "Press or release the physical PTT button, through its mock pin.",
        "Bench",
    ),
    Key(
        "6",
        "cable",
        "Cable",
        "Bench: bridge cable (toggle)",
        "Pull the radio bridge's USB cable out, or plug it back in.",
        "Bench",
    ),
)

EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    ("Up / Down", "Select an alert (the picture highlights its pair)."),
    ("Tab", "Move between the alert list and today's calls."),
    ("Esc", "Clear the search filter; close a dialog."),
    ("Ctrl+P", "Command palette: every action above, by name; also the theme."),
    ("Ctrl+Q", "Quit (asks first while a call is up)."),
)


def bindings(keys: tuple[Key, ...], *, show: bool = True) -> list[Binding]:
    """Textual bindings for these keys, in the footer (in this order) when `show`."""
    return [
        Binding(
            k.keys, f"app.{k.action}", k.label, show=show, key_display=k.display, tooltip=k.help
        )
        for k in keys
    ]
