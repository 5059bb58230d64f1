"""Reads for the merchant's pages and the Success reps' console: every one scoped to one shop.

The orders list must answer well under 200 ms with 100k records in a shop: it never loads the
encrypted personal fields, filters on indexed columns only (``state``, ``financial_status``, exact
ids) and pages by offset over ``-id`` with one COUNT. See benchmarks/orders_page.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone

from integrations.orders.models import BackerKitConnection, PushAttempt, PushRecord
from integrations.orders.selectors import financial_status_counts, state_counts

State = PushRecord.State

PAGE_SIZE = 50
RETRYABLE_STATES = (State.FAILED, State.NEEDS_ATTENTION)
WAITING_STATES = (State.PENDING, State.PAUSED)
FINANCIAL_STATUSES = {"PAID": "Paid", "PARTIALLY_PAID": "Partially paid", "PENDING": "Payment pending"}
# The list never loads order_data / sent_input (encrypted, personal, large).
LIST_FIELDS = (
    "id",
    "backerkit_order_id",
    "backer_id",
    "state",
    "currency",
    "amount_paid",
    "shopify_total",
    "shopify_order_id",
    "shopify_order_name",
    "financial_status",
    "last_error",
    "invalid_input",
    "attempts",
    "updated_at",
    "pushed_at",
    "connection_id",
)


@dataclass(frozen=True)
class OrderFilters:
    state: str = ""
    financial_status: str = ""
    query: str = ""

    @classmethod
    def clean(cls, *, state: str = "", financial_status: str = "", query: str = "") -> "OrderFilters":
        """Unknown values are ignored rather than refused: a stale bookmark still shows orders."""
        state = state if state in State.values else ""
        financial_status = financial_status if financial_status in FINANCIAL_STATUSES else ""
        return cls(state=state, financial_status=financial_status, query=query.strip()[:255])

    @property
    def active(self) -> bool:
        return bool(self.state or self.financial_status or self.query)

    def as_query(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("state", self.state), ("financial_status", self.financial_status), ("q", self.query))
            if v
        }


@dataclass(frozen=True)
class OrderPage:
    rows: list[PushRecord]
    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.rows else (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def _filtered(*, shop_id: int, filters: OrderFilters):
    records = PushRecord.objects.filter(shop_id=shop_id)
    if filters.state:
        records = records.filter(state=filters.state)
    if filters.financial_status:
        records = records.filter(financial_status=filters.financial_status)
    if filters.query:
        q = filters.query
        name = q if q.startswith("#") else f"#{q}"
        # Exact matches only: each is an indexed equality (a LIKE '%x%' would scan 100k rows).
        records = records.filter(Q(backer_id=q) | Q(backerkit_order_id=q) | Q(shopify_order_name=name))
    return records


def order_page(
    *,
    shop_id: int,
    filters: OrderFilters,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    counts: dict[str, int] | None = None,
) -> OrderPage:
    """One page of the shop's records, newest first. ``counts`` (``state_counts``, already on the
    page) spares the COUNT when the filter is none or a state alone."""
    records = _filtered(shop_id=shop_id, filters=filters)
    if counts is not None and not (filters.financial_status or filters.query):
        total = counts[filters.state] if filters.state else sum(counts.values())
    else:
        total = records.count()
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    offset = (number - 1) * per_page
    rows = list(records.only(*LIST_FIELDS).order_by("-id")[offset : offset + per_page])
    return OrderPage(rows=rows, number=number, total=total, per_page=per_page)


def order_detail(*, shop_id: int, record_id: int) -> PushRecord | None:
    """One record of this shop with its connection and every attempt (None: not this shop's)."""
    return (
        PushRecord.objects.filter(shop_id=shop_id, id=record_id)
        .select_related("connection")
        .prefetch_related("push_attempts")
        .first()
    )


def retryable_count(*, shop_id: int) -> int:
    return PushRecord.objects.filter(shop_id=shop_id, state__in=RETRYABLE_STATES, invalid_input=False).count()


# --- the push's progress -------------------------------------------------------------------------


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

    def as_json(self) -> dict:
        return {
            "running": self.running,
            "remaining": self.remaining,
            "paused": self.paused,
            "finished": self.finished,
            "total": self.total,
            "percent": self.percent,
            "per_minute": round(self.per_minute, 1),
            "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds),
            "eta_text": eta_text(self.eta_seconds, running=self.running),
        }


RATE_WINDOW = timedelta(seconds=60)
Outcome = PushAttempt.Outcome
STOP_OUTCOMES = (Outcome.NEEDS_ATTENTION, Outcome.USER_ERRORS, Outcome.INVALID)
FINAL_OUTCOMES = (Outcome.CREATED, Outcome.FOUND_EXISTING, *STOP_OUTCOMES)
MAX_PUSH_AGE = timedelta(hours=24)


def push_progress(*, shop_id: int, counts: dict[str, int] | None = None) -> PushProgress:
    """The current push: what is left, what finished since it started, and the rate over the last
    minute, from which the ETA follows. Three indexed queries (counts may be passed in)."""
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


def eta_text(seconds: float | None, *, running: bool) -> str:
    if not running:
        return ""
    if seconds is None:
        return "Estimating time left…"
    if seconds < 60:
        return "Less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"About {minutes} minute{'s' if minutes != 1 else ''} left"
    hours, minutes = divmod(minutes, 60)
    return f"About {hours} h {minutes:02d} min left"


# --- home --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeMetrics:
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


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    text: str
    done: bool
    action_label: str
    action_url_name: str


@dataclass
class SetupGuide:
    steps: list[SetupStep] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((step for step in self.steps if not step.done), None)


def home_metrics(*, shop_id: int) -> HomeMetrics:
    counts = state_counts(shop_id=shop_id)
    last = PushRecord.objects.filter(shop_id=shop_id, state=State.PUSHED).aggregate(at=Max("pushed_at"))["at"]
    return HomeMetrics(
        counts=counts,
        financial=financial_status_counts(shop_id=shop_id),
        last_pushed_at=last,
        connections=connections_of(shop_id=shop_id),
        progress=push_progress(shop_id=shop_id, counts=counts),
    )


def setup_guide(*, metrics: HomeMetrics) -> SetupGuide:
    has_connection = any(c.status == BackerKitConnection.Status.ACTIVE for c in metrics.connections)
    return SetupGuide(
        steps=[
            SetupStep(
                "connect",
                "Connect your BackerKit project",
                "Add the project's API key. We check it with BackerKit before saving it.",
                has_connection or bool(metrics.connections),
                "Connect BackerKit",
                "pages:connection",
            ),
            SetupStep(
                "preview",
                "Preview your orders",
                "See what each backer's order will become in Shopify (Paid or Partially paid) before anything is sent.",
                metrics.total > 0 and (metrics.counts[State.PUSHED] > 0 or metrics.attention > 0),
                "Preview orders",
                "pages:preview",
            ),
            SetupStep(
                "push",
                "Push your first orders",
                "Send the waiting orders to Shopify. You can follow every order's progress on the Orders page.",
                metrics.counts[State.PUSHED] > 0,
                "Go to orders",
                "pages:orders",
            ),
        ]
    )


def connections_of(*, shop_id: int) -> list[BackerKitConnection]:
    return list(BackerKitConnection.objects.filter(shop_id=shop_id).order_by("store_name"))


def connection_of(*, shop_id: int, connection_id: int) -> BackerKitConnection | None:
    return BackerKitConnection.objects.filter(shop_id=shop_id, id=connection_id).first()


# --- preview -------------------------------------------------------------------------------------


def waiting_records(*, shop_id: int, limit: int) -> list[PushRecord]:
    """The orders a push would send next (oldest first), with their connection."""
    return list(
        PushRecord.objects.filter(shop_id=shop_id, state__in=WAITING_STATES, invalid_input=False)
        .select_related("connection")
        .only("id", "backerkit_order_id", "backer_id", "order_data", "connection", "state")
        .order_by("id")[:limit]
    )


def waiting_count(*, shop_id: int) -> int:
    return PushRecord.objects.filter(shop_id=shop_id, state__in=WAITING_STATES, invalid_input=False).count()


def record_ids_by_order_id(*, shop_id: int, order_ids: Iterable[str]) -> dict[str, int]:
    return dict(
        PushRecord.objects.filter(shop_id=shop_id, backerkit_order_id__in=list(order_ids)).values_list(
            "backerkit_order_id", "id"
        )
    )


def money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.2f} {currency}".strip()
