"""Feed health, pure: the rate meter, the sources' health, the FEED message and when the
co-processor sends it (a fake clock; the terminal a real LinkSession fed the bytes)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from hw.sim.coproc import CoprocSim, feed_message
from hw.sim.tracks.health import FeedHealth
from hw.sim.tracks.rate import RateMeter
from hw.sim.tracks.recorded import RecordedSource
from hw.sim.tracks.sbs import SbsClient, SbsSource
from hw.sim.tracks.scenarios import make
from hw.wire.codec import encode
from hw.wire.messages import Err, Feed, Role, decode_message, message_frame
from hw.wire.session import LinkSession, MessageReceived


def test_the_rate_meter_counts_over_its_window() -> None:
    meter = RateMeter(window_s=10.0)
    assert meter.rate(0.0) == 0.0
    for k in range(100):  # 10 a second for 10 s
        meter.note(k / 10)
    assert meter.rate(10.0) == pytest.approx(10.0, rel=0.11)
    assert meter.rate(15.0) == pytest.approx(5.0, rel=0.21)  # half the window is silent
    assert meter.rate(30.0) == 0.0


def test_the_rate_meter_early_on_is_not_diluted_by_the_window() -> None:
    meter = RateMeter(window_s=10.0)
    for k in range(20):
        meter.note(100.0 + k / 10)  # 10 a second for 2 s
    assert meter.rate(102.0) == pytest.approx(10.0, rel=0.01)


def test_a_bad_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window_s"):
        RateMeter(0.0)


def test_a_client_before_any_connection() -> None:
    client = SbsClient("127.0.0.1", 9, SbsSource(), lambda: 0.0)
    h = client.health(5.0)
    assert h == FeedHealth("sbs://127.0.0.1:9", "sbs", False, None, 0.0, 0, 0, "")


def test_scenarios_and_files_are_always_healthy(tmp_path: Path) -> None:
    h = make("head-on").health(12.0)
    assert (h.kind, h.connected, h.tracks_held, h.decode_errors) == ("scenario", True, 2, 0)
    path = tmp_path / "t.csv"
    path.write_text("t,id,lat,lon,alt_ft\n0,A,51,0,1000\n0,B,51,0.1,1000\n30,B,51,0.1,1000\n")
    src = RecordedSource.load(path, stale_s=20.0)
    assert src.health(5.0).tracks_held == 2
    assert src.health(35.0).tracks_held == 1  # A silent for more than its coast time, B not
    assert src.health(35.0).name == f"file:{path}" and src.health(0.0).connected


def test_the_feed_message_carries_the_health_and_makes_texts_safe() -> None:
    h = FeedHealth("sbs://h:1?coast_s=5", "sbs", False, None, 0.04, 0, 3,
                   "cannot connect: [Errno 111] ('h', 1) *$ \x01")  # fmt: skip
    msg = feed_message(h)
    assert msg == Feed("SBS", False, -1, 0.0, 0, 3, "sbs://h:1?coast_s=5",
                       "cannot connect: [Errno 111] ('h'; 1) __ ?")  # fmt: skip
    assert decode_message(message_frame(1, msg)) == msg
    up = feed_message(FeedHealth("x", "asterix", True, 0.4567, 38.46, 27, 0))
    got = (up.kind, up.connected, up.age_ms, up.rate, up.tracks)
    assert got == ("ASTERIX", True, 457, 38.5, 27)


class Feeds:
    """The co-processor simulator and a terminal session, bytes carried by hand."""

    def __init__(self, sim: CoprocSim, boot: str = "0000000A") -> None:
        self.sim, self.now = sim, 0.0
        self.term = LinkSession(Role.TERMINAL, "desk", boot, peer_roles={Role.COPROC})
        self.feeds: list[tuple[float, Feed]] = []
        sim.start(0.0)
        self.term.start(0.0)

    def run(self, until: float, step: float = 0.05) -> None:
        while self.now < until:
            self.now = round(self.now + step, 6)
            self.sim.poll(self.now)
            for ev in self.term.receive(self.sim.output(self.now), self.now):
                if isinstance(ev, MessageReceived) and isinstance(ev.msg, Feed):
                    self.feeds.append((self.now, ev.msg))
            self.term.poll(self.now)
            self.sim.receive(self.term.data_to_send(), self.now)


class Switch:
    """A feed whose connection the test turns on and off."""

    def __init__(self) -> None:
        self.connected = True

    def health(self, now: float) -> FeedHealth:
        return FeedHealth("sbs://h:1", "sbs", self.connected, 0.5, 10.0, 3, 0)


def test_feed_on_link_up_every_period_and_at_once_on_a_change() -> None:
    rig = Feeds(CoprocSim(make("head-on"), boot_id="C0DE0001", feed_s=5.0))
    switch = Switch()
    rig.sim.feed = switch
    rig.run(1.0)
    assert len(rig.feeds) == 1 and rig.feeds[0][0] < 0.5  # when the link came up
    rig.run(11.0)
    times = [t for t, _ in rig.feeds]
    assert len(times) == 3 and all(4.9 < b - a < 5.2 for a, b in itertools.pairwise(times))
    switch.connected = False
    rig.run(11.2)
    assert len(rig.feeds) == 4 and rig.feeds[-1][1].connected is False  # at once


def test_a_terminal_that_does_not_know_feed_gets_no_more_until_it_restarts() -> None:
    rig = Feeds(CoprocSim(make("head-on"), boot_id="C0DE0001", feed_s=5.0))
    rig.run(1.0)
    assert len(rig.feeds) == 1
    # what an older terminal answers to a type it does not know (4.6.1)
    seq = rig.sim._feed_seqs[-1]
    rig.sim.receive(encode(message_frame(40, Err(seq, "UNKNOWN", "unknown message type"))), 1.0)
    rig.run(20.0)
    assert len(rig.feeds) == 1
    assert "does not know FEED" in " ".join(rig.sim.log.errors)
    restarted = Feeds.__new__(Feeds)  # the terminal restarts: a new boot id on the same wire
    restarted.sim, restarted.now, restarted.feeds = rig.sim, rig.now, []
    restarted.term = LinkSession(Role.TERMINAL, "desk", "0000000B", peer_roles={Role.COPROC})
    restarted.term.start(rig.now)
    restarted.run(rig.now + 2.0)
    assert restarted.feeds


def test_a_coprocessor_from_before_feed_sends_none() -> None:
    rig = Feeds(CoprocSim(make("head-on"), boot_id="C0DE0001", feed_s=None))
    rig.run(12.0)
    assert rig.feeds == [] and rig.term.is_up


def test_the_status_line_examples_in_docs_tracks_are_what_the_program_prints() -> None:
    from terminal.commands.coproc import feed_text

    doc = (Path(__file__).parents[2] / "docs" / "tracks.md").read_text(encoding="utf-8")
    up = FeedHealth("sbs://127.0.0.1:30003", "sbs", True, 0.42, 38.5, 27, 0)
    down = FeedHealth("sbs://127.0.0.1:30003", "sbs", False, None, 0.0, 0, 0, "connection refused")
    assert f"4 clears; line v0 none; {feed_text(up)}`" in doc
    assert f"`...; {feed_text(down)}`" in doc
