"""A store's key numbers: orders by state and payment status, the last push, its connections,
and the current push's progress (Home shows them)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.selectors import financial_status_counts, state_counts
from integrations.orders.selectors.connections import connections_of
from integrations.orders.selectors.progress import PushProgress, push_progress

State = PushRecord.State


@dataclass(frozen=True)
class StoreMetrics:
    counts: dict[str, int]
    financial: dict[str, int]
    last_pushed_at: datetime | None
    connections: list[BackerKitConnection]
    progress: PushProgress

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def attention(self) -> int:
        return self.counts[State.NEEDS_ATTENTION] + self.counts[State.FAILED]

    @property
    def waiting(self) -> int:
        return self.counts[State.PENDING] + self.counts[State.PAUSED]

    @property
    def paid(self) -> int:
        return self.financial.get("PAID", 0)

    @property
    def partially_paid(self) -> int:
        return self.financial.get("PARTIALLY_PAID", 0)

    @property
    def has_connection(self) -> bool:
        return bool(self.connections)


def store_metrics(*, shop_id: int) -> StoreMetrics:
    counts = state_counts(shop_id=shop_id)
    last = PushRecord.objects.filter(shop_id=shop_id, state=State.PUSHED).aggregate(at=Max("pushed_at"))["at"]
    return StoreMetrics(
        counts=counts,
        financial=financial_status_counts(shop_id=shop_id),
        last_pushed_at=last,
        connections=connections_of(shop_id=shop_id),
        progress=push_progress(shop_id=shop_id, counts=counts),
    )
