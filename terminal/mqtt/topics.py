"""Topic names: <prefix>/<site>/<desk>/calls|alerts|checkpoints|state|status (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from terminal.log.records import ALERT_KINDS, CALL_KINDS, SIGNED_CHECKPOINT

LEAVES = ("calls", "alerts", "state", "status", "checkpoints")


@dataclass(frozen=True)
class Topics:
    """The topics of one desk."""

    prefix: str
    site: str
    desk: str

    def leaf(self, leaf: str) -> str:
        """`<prefix>/<site>/<desk>/<leaf>`."""
        return f"{self.prefix}/{self.site}/{self.desk}/{leaf}"

    @property
    def calls(self) -> str:
        """Call records (QoS 1)."""
        return self.leaf("calls")

    @property
    def alerts(self) -> str:
        """Alert records (QoS 1)."""
        return self.leaf("alerts")

    @property
    def checkpoints(self) -> str:
        """Signed checkpoints of the log, for witnesses (QoS 1; docs/record.md)."""
        return self.leaf("checkpoints")

    @property
    def state(self) -> str:
        """The live desk state (retained)."""
        return self.leaf("state")

    @property
    def status(self) -> str:
        """online / offline (retained; offline is also the last will)."""
        return self.leaf("status")

    def for_kind(self, kind: str) -> str | None:
        """The topic of a record kind; None for kinds that are not published (journal ...)."""
        if kind in CALL_KINDS:
            return self.calls
        if kind in ALERT_KINDS:
            return self.alerts
        if kind == SIGNED_CHECKPOINT:
            return self.checkpoints
        return None


def subscription(prefix: str, site: str | None = None, desk: str | None = None) -> str:
    """The filter for every desk's topics under `prefix` (or one site's, or one desk's)."""
    return f"{prefix}/{site or '+'}/{desk or '+'}/+"


def split(topic: str, prefix: str) -> tuple[str, str, str] | None:
    """(site, desk, leaf) of a topic under `prefix`; None if it is not one of ours."""
    head = prefix + "/"
    if not topic.startswith(head):
        return None
    parts = topic[len(head) :].split("/")
    if len(parts) != 3 or not all(parts) or parts[2] not in LEAVES:
        return None
    return parts[0], parts[1], parts[2]
