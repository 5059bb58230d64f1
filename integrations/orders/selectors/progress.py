"""The current push of a store: what is left, what finished since it started, and the rate over
the last minute, from which the time left follows (the pages word it: shopapp/pages/wording.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.selectors import state_counts

State = PushRecord.State
Outcome = PushAttempt.Outcome

RATE_WINDOW = timedelta(seconds=60)
STOP_OUTCOMES = (Outcome.NEEDS_ATTENTION, Outcome.USER_ERRORS, Outcome.INVALID)
FINAL_OUTCOMES = (Outcome.CREATED, Outcome.FOUND_EXISTING, *STOP_OUTCOMES)
MAX_PUSH_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class PushProgress:
    remaining: int  # pending + pushing: what the current push still has to do
    paused: int
    finished: int  # reached a final state since the current push started
    per_minute: float  # orders finished in the last minute
    eta_seconds: float | None
    started_at: datetime | None

    @property
    def running(self) -> bool:
        return self.remaining > 0

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
    last_minute = PushAttempt.objects.filter(
        record__shop_id=shop_id, finished_at__gte=window_start, outcome__in=FINAL_OUTCOMES
    ).count()
    window = max((now - window_start).total_seconds(), 1.0)
    per_second = last_minute / window
    eta = remaining / per_second if per_second > 0 else None
    return PushProgress(remaining, counts[State.PAUSED], pushed + stopped, per_second * 60, eta, started)
