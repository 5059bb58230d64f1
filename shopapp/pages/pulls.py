"""What the pages say about each connection's latest pull (the connection page and, while orders
are still coming in, the preview): its state, how far it got and how it ended."""

from dataclasses import dataclass

from integrations.orders.models import BackerKitConnection, PullRun
from integrations.orders.selectors.connections import latest_pulls
from shopapp.pages.wording import pull_status


@dataclass(frozen=True)
class PullLine:
    """What the pages say about a connection's latest pull."""

    connection_id: int
    state: str
    active: bool
    text: str
    accepted: int
    finished_at: str

    @classmethod
    def of(cls, run: PullRun, connection: BackerKitConnection) -> "PullLine":
        finished = run.finished_at.strftime("%b %-d, %Y %H:%M UTC") if run.finished_at else ""
        text = pull_status(run, stopped_reason=connection.stopped_reason)
        return cls(connection.id, run.state, run.active, text, run.accepted, finished)


def pull_lines(shop_id: int, connections: list[BackerKitConnection]) -> dict[int, PullLine]:
    runs = latest_pulls(shop_id=shop_id)
    return {c.id: PullLine.of(runs[c.id], c) for c in connections if c.id in runs}
