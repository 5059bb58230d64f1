"""The current push of a store: whether one runs, what is left, what finished since it started,
and the rate from which the time left follows (the pages word it: shopapp/pages/wording.py).

Waiting orders alone are not a push: a push runs while an order is being sent, an attempt landed
lately, or the merchant pressed Push (or Retry) lately. The rate is taken over a few minutes, not
the last seconds, so the time left does not swing from poll to poll, and never above what the
shop's Shopify cost bucket lets orderCreate run at. While bulk operations run, the time left adds
their lines still running in Shopify at the bulk road's own pace (time_left.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.orders.models import BulkOperation, PushAttempt, PushRecord
from integrations.orders.selectors import state_counts
from integrations.orders.selectors.time_left import Roads, RunningOperation, seconds_left
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
    operations = list(BulkOperation.objects.filter(shop_id=shop_id, stage__in=BulkOperation.ACTIVE_STAGES))
    if operations:  # lines still running in Shopify: their own pace, beside the calls'
        eta = seconds_left(_roads(shop_id=shop_id, operations=operations, remaining=remaining, counts=counts,
                                  window_start=window_start, window=window, now=now))  # fmt: skip
    active = counts[State.PUSHING] > 0 or _recently_active(shop_id=shop_id, since=now - RECENT)
    return PushProgress(remaining, counts[State.PAUSED], pushed + stopped, per_second * 60, eta, started, active)


def _roads(*, shop_id: int, operations: list, remaining: int, counts: dict, window_start: datetime,
           window: float, now: datetime) -> Roads:  # fmt: skip
    shop = Shop.objects.get(id=shop_id)
    held = PushRecord.objects.filter(bulk_operation__in=operations, state=State.PUSHING).count()
    calls_done = (
        PushAttempt.objects.filter(record__shop_id=shop_id, finished_at__gte=window_start, outcome__in=FINAL_OUTCOMES)
        .exclude(record__road=PushRecord.Road.BULK)
        .count()
    )
    bucket = CostBucket(shop.domain).restore_rate() / DEFAULT_ORDER_CREATE_COST
    lanes_busy = counts[State.PUSHING] > held
    calls = min(calls_done / window, bucket) if calls_done else (bucket if lanes_busy else 0.0)
    running = []
    for operation in operations:
        lines = operation.lines or PushRecord.objects.filter(bulk_operation=operation, state=State.PUSHING).count()
        seen, observed, start_left = operation.running_seen_at, None, 0.0
        if seen is not None and operation.lines_done:
            observed = operation.lines_done / max((now - seen).total_seconds(), 0.5)
        if seen is None:
            since = (now - (operation.run_sent_at or operation.created_at)).total_seconds()
            start_left = max((shop.bulk_start_seconds or 0.0) - since, 0.0)
        running.append(RunningOperation(max(lines - operation.lines_done, 0), start_left, observed))
    return Roads(
        queue=max(remaining - held, 0), calls_per_second=calls, operations=tuple(running),
        bulk_lines_per_second=shop.bulk_lines_per_second, bulk_start_seconds=shop.bulk_start_seconds,
        road_open=shop.push_road != Shop.PushRoad.CALLS and not shop.bulk_refused_reason,
    )  # fmt: skip


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
