"""Reads of a store's orders: the filterable list and one order with its attempts.

The list must answer well under 200 ms with 100k records in a shop: it never loads the encrypted
personal fields, filters on indexed columns only (``state``, ``financial_status``, exact ids) and
pages by offset over ``-id`` with one COUNT. See benchmarks/orders_page.py.
"""

from dataclasses import dataclass

from django.db.models import Q

from integrations.orders.models import PushRecord
from integrations.orders.selectors.paging import PagedRows, PageWindow
from integrations.orders.selectors.shipments import SHIPMENT_FILTERS, with_shipment_filter

State = PushRecord.State

PAGE_SIZE = 50
FINANCIAL_STATUSES = ("PAID", "PARTIALLY_PAID", "PENDING")
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
    shipment: str = ""  # shipped | not_shipped | not_sent (selectors/shipments.py)
    wave: int | None = None  # a wave's orders (the Waves page links here)

    @classmethod
    def clean(
        cls, *, state: str = "", financial_status: str = "", query: str = "", shipment: str = "", wave: str = ""
    ) -> "OrderFilters":
        """Unknown values are ignored rather than refused: a stale bookmark still shows orders."""
        state = state if state in State.values else ""
        financial_status = financial_status if financial_status in FINANCIAL_STATUSES else ""
        shipment = shipment if shipment in SHIPMENT_FILTERS else ""
        wave_id = int(wave) if wave.isdigit() else None
        return cls(
            state=state, financial_status=financial_status, query=query.strip()[:255], shipment=shipment, wave=wave_id
        )

    @property
    def active(self) -> bool:
        return bool(self.state or self.financial_status or self.query or self.shipment or self.wave)


@dataclass(frozen=True)
class OrderPage(PagedRows):
    rows: list[PushRecord]
    window: PageWindow


def _filtered(*, shop_id: int, filters: OrderFilters):
    records = PushRecord.objects.filter(shop_id=shop_id)
    if filters.state:
        records = records.filter(state=filters.state)
    if filters.financial_status:
        records = records.filter(financial_status=filters.financial_status)
    if filters.wave:
        records = records.filter(wave_members__wave_id=filters.wave)
    if filters.query:
        q = filters.query
        name = q if q.startswith("#") else f"#{q}"
        # Exact matches only: each is an indexed equality (a LIKE '%x%' would scan 100k rows).
        records = records.filter(Q(backer_id=q) | Q(backerkit_order_id=q) | Q(shopify_order_name=name))
    if filters.shipment:
        records = with_shipment_filter(records, filters.shipment)
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
    if counts is not None and not (filters.financial_status or filters.query or filters.shipment or filters.wave):
        total = counts[filters.state] if filters.state else sum(counts.values())
    else:
        total = records.count()
    window = PageWindow.clamp(page=page, total=total, per_page=per_page)
    rows = list(records.only(*LIST_FIELDS).order_by("-id")[window.offset : window.offset + per_page])
    return OrderPage(rows=rows, window=window)


def order_detail(*, shop_id: int, record_id: int) -> PushRecord | None:
    """One record of this shop with its connection and every attempt (None: not this shop's)."""
    return (
        PushRecord.objects.filter(shop_id=shop_id, id=record_id)
        .select_related("connection", "shop", "bulk_operation")
        .prefetch_related("push_attempts")
        .first()
    )


def retryable_ids(*, shop_id: int) -> list[int]:
    """The orders Retry all would queue (failed or needing attention, not invalid input)."""
    return list(
        PushRecord.objects.filter(
            shop_id=shop_id, state__in=[State.FAILED, State.NEEDS_ATTENTION], invalid_input=False
        ).values_list("id", flat=True)
    )


def states_of(*, shop_id: int, record_ids: list[int]) -> dict[str, int]:
    """How many of these orders are in each state now (a retry's outcome, when already known)."""
    counts = dict.fromkeys(State.values, 0)
    for state in PushRecord.objects.filter(shop_id=shop_id, id__in=record_ids).values_list("state", flat=True):
        counts[state] += 1
    return counts
