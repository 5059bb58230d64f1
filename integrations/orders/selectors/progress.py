"""The current push of a store: whether one runs, what is left, what finished since it started,
and the rate from which the time left follows (the pages word it: shopapp/pages/wording.py).

Waiting orders alone are not a push: a push runs while an order is being sent, an attempt landed
lately, or the merchant pressed Push (or Retry) lately. The rate is taken over a few minutes, not
the last seconds, so the time left does not swing from poll to poll, and never above what the
shop's Shopify cost bucket lets orderCreate run at."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.orders.models import BulkOperation, PushAttempt, PushRecord
from integrations.orders.selectors import state_counts
from integrations.orders.services.push import DEFAULT_ORDER_CREATE_COST
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop

State = PushRecord.State
Outcome = PushAttempt.Outcome

RATE_WINDOW = timedelta(minutes=3)
RECENT = timedelta(minutes=2)  # an attempt or a Push press this recent: the push is running
STOP_OUTCOMES = (Outcome.NEEDS_ATTENTION, Outcome.USER_ERRORS, Outcome.INVALID)
FINAL_OUTCOMES = (Outcome.CREATED, Outcome.FOUND_EXISTING, *STOP_OUTCOMES)
MAX_PUSH_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class PushProgress:
    remaining: int  # pending + pushing: what the current push still has to do
    paused: int
    finished: int  # reached a final state since the current push started
    per_minute: float  # orders finished a minute, over the rate window
    eta_seconds: float | None
    started_at: datetime | None
    active: bool = False  # orders are being sent (not only waiting for the merchant's Push)

    @property
    def running(self) -> bool:
        return self.remaining > 0 and self.active

    @property
    def total(self) -> int:
        return self.remaining + self.finished

    @property
    def percent(self) -> int:
        return int(100 * self.finished / self.total) if self.total else 100


def push_progress(*, shop_id: int, counts: dict[str, int] | None = None) -> PushProgress:
    """Three indexed queries (counts may be passed in)."""
    counts = counts if counts is not None else state_counts(shop_id=shop_id)
    remaining = counts[State.PENDING] + counts[State.PUSHING]
    now = timezone.now()
    if not remaining:
        return PushProgress(0, counts[State.PAUSED], 0, 0.0, None, None)
    # The push started when its oldest waiting record came in (the lowest id: one index probe).
    oldest = (
        PushRecord.objects.filter(shop_id=shop_id, state__in=[State.PENDING, State.PUSHING])
        .order_by("id")
        .values_list("updated_at", flat=True)
        .first()
    )
    started = max(oldest or now, now - MAX_PUSH_AGE)
    pushed = PushRecord.objects.filter(shop_id=shop_id, state=State.PUSHED, pushed_at__gte=started).count()
    # Stopped (needs attention, failed) since the start: their attempts, by the finish time index.
    stopped = (
        PushAttempt.objects.filter(record__shop_id=shop_id, finished_at__gte=started, outcome__in=STOP_OUTCOMES)
        .values("record_id")
        .distinct()
        .count()
    )
    window_start = max(started, now - RATE_WINDOW)
    in_window = PushAttempt.objects.filter(
        record__shop_id=shop_id, finished_at__gte=window_start, outcome__in=FINAL_OUTCOMES
    ).count()
    window = max((now - window_start).total_seconds(), 1.0)
    per_second = min(in_window / window, _bucket_limit(shop_id))
    eta = remaining / per_second if per_second > 0 else None
    active = counts[State.PUSHING] > 0 or _recently_active(shop_id=shop_id, since=now - RECENT)
    return PushProgress(remaining, counts[State.PAUSED], pushed + stopped, per_second * 60, eta, started, active)


def _recently_active(*, shop_id: int, since: datetime) -> bool:
    if Shop.objects.filter(id=shop_id, push_requested_at__gte=since).exists():
        return True
    return PushAttempt.objects.filter(record__shop_id=shop_id, finished_at__gte=since).exists()


def _bucket_limit(shop_id: int) -> float:
    """Orders a second the shop's Shopify bucket allows (its restore rate over orderCreate's cost),
    plus, while one of its bulk operations runs, the bulk road's measured rate (both roads push
    from one queue: one bar, one time left)."""
    domain, bulk_rate = Shop.objects.filter(id=shop_id).values_list("domain", "bulk_lines_per_second").first() or (
        "",
        None,
    )
    calls = CostBucket(domain).restore_rate() / DEFAULT_ORDER_CREATE_COST
    running = BulkOperation.objects.filter(shop_id=shop_id, stage__in=BulkOperation.ACTIVE_STAGES).exists()
    return calls + (bulk_rate or 0.0) if running else calls
