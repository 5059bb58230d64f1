"""The reconciliation: Shopify does not guarantee webhook delivery, so on a schedule each shop's
orders updated since the last run are read (``orders(query: "updated_at:>...")``, oldest change
first, paged), and every fulfilment (or cancellation) of a pushed order whose version the outbox has
not recorded is recorded now (services/shipments.py), to be sent like a webhook's.

Cheap by design: the scan reads only ids, statuses and ``updatedAt`` (FULFILMENTS_UPDATED_SINCE);
the details (tracking, line items) are read only for orders with a version the webhooks missed, one
order a call with the shared reader's document (integrations/shopify/fulfilment_state.py). Each call
first takes its cost from the shop's shared bucket mirror while leaving
``1 - FULFILMENT_RECONCILE_BUCKET_SHARE`` of the bucket to the push (integrations/shopify/rate_limit.py):
the reconciliation waits, pushes are never starved by it. A run that meets a throttle, an outage or
its time budget stops where it is; its place (``FulfilmentSync.synced_until``) is the last order it
finished, so the next run goes on from there.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.orders.documents import FULFILMENTS_UPDATED_SINCE
from integrations.orders.fulfilments import Cancellation, UnreadableFulfilment, from_state, gid
from integrations.orders.models import FulfilmentSync, PushRecord, ShipmentEvent
from integrations.orders.services.shipments import record_cancellation, record_fulfilment
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyError, ShopifyThrottled
from integrations.shopify.fulfilment_state import ORDER_FULFILMENT_STATE, parse_order
from integrations.shopify.rate_limit import CostBucket
from integrations.shopify.redis_client import shared_redis
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

Kind = ShipmentEvent.Kind
SCAN_PAGE = 50
# Shopify's search index lags writes by seconds: each run looks this far before its place again.
OVERLAP = timedelta(minutes=2)
FIRST_RUN_LOOKBACK = timedelta(days=1)


@dataclass
class RunResult:
    orders_read: int = 0
    found: int = 0  # versions recorded now: what the webhooks missed
    points: float = 0.0
    pages: int = 0
    stopped: str = ""  # why the run ended early ("" when it read everything)
    synced_until: datetime | None = None
    skipped: bool = False  # another run of this shop holds its place
    errors: list[str] = field(default_factory=list)


def shops_to_reconcile() -> list[int]:
    """Connected shops with at least one pushed order."""
    return list(
        Shop.objects.filter(status=Shop.Status.CONNECTED, push_records__state=PushRecord.State.PUSHED)
        .values_list("id", flat=True)
        .distinct()
    )


def _since(sync: FulfilmentSync, shop_id: int) -> datetime:
    """Where this run starts: a little before the last one's place; the first run, a little before
    the shop's first push (nothing of ours changed earlier)."""
    if sync.synced_until is not None:
        return sync.synced_until - OVERLAP
    first = (
        PushRecord.objects.filter(shop_id=shop_id).exclude(pushed_at=None).order_by("pushed_at")
        .values_list("pushed_at", flat=True).first()
    )  # fmt: skip
    return (first or timezone.now() - FIRST_RUN_LOOKBACK) - OVERLAP


def _query(since: datetime) -> str:
    return f"updated_at:>'{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _run_lock(shop_id: int, seconds: float):
    """One run per shop at a time, across workers (Redis; with no Redis, the one local worker)."""
    client = shared_redis()
    key = f"orders:reconcile:{shop_id}"
    if client is None:
        return True, lambda: None
    taken = bool(client.set(key, "1", nx=True, ex=int(seconds) + 60))
    return taken, (lambda: client.delete(key)) if taken else (lambda: None)


class _Caller:
    """One shop's calls, each paid from its bucket within the reconciliation's share."""

    def __init__(self, *, client: AdminClient, shop: str, deadline: float, result: RunResult):
        self.client, self.bucket, self.deadline, self.result = client, CostBucket(shop), deadline, result
        self.leave = max(0.0, min(1.0, 1.0 - settings.FULFILMENT_RECONCILE_BUCKET_SHARE))
        self.expected = {FULFILMENTS_UPDATED_SINCE: 120.0, ORDER_FULFILMENT_STATE: 340.0}

    def call(self, document: str, variables: dict) -> dict | None:
        taken = self.expected[document]
        wait = self.bucket.wait_and_take(taken, max_wait=max(0.0, self.deadline - time.monotonic()), leave=self.leave)
        if wait > 0:
            self.result.stopped = "time budget spent waiting for the bucket's share"
            return None
        try:
            response = self.client.execute(document, variables)
        except ShopifyThrottled as exc:
            self.bucket.drain(exc.retry_after)
            self.result.stopped = "throttled by Shopify"
            return None
        self.bucket.observe(response.cost, taken=taken)
        if response.cost is not None:
            self.expected[document] = float(response.cost.requested)
            self.result.points += float(response.cost.actual if response.cost.actual is not None
                                        else response.cost.requested)  # fmt: skip
        return response.data


def reconcile_shop(*, shop_id: int, budget_seconds: float | None = None) -> RunResult:
    """One run for one shop (the task's). Runs of one shop never overlap: a second one skips. No
    transaction spans the run: what it records is committed (and sent) as it goes."""
    result = RunResult()
    started = timezone.now()
    budget = budget_seconds if budget_seconds is not None else settings.FULFILMENT_RECONCILE_BUDGET_SECONDS
    taken, release = _run_lock(shop_id, budget)
    if not taken:
        result.skipped = True
        return result
    try:
        sync, _ = FulfilmentSync.objects.get_or_create(shop_id=shop_id)
        try:
            client = admin_client_for(shop_id=shop_id)
        except ShopDisconnected as exc:
            result.stopped = f"store disconnected ({exc})"
            return result
        caller = _Caller(client=client, shop=client.shop, deadline=time.monotonic() + budget, result=result)
        since, cursor, reached = _since(sync, shop_id), None, sync.synced_until
        try:
            while True:
                variables = {"first": SCAN_PAGE, "after": cursor, "query": _query(since)}
                data = caller.call(FULFILMENTS_UPDATED_SINCE, variables)
                if data is None:
                    break
                page = data["orders"]
                result.pages += 1
                last = _take_page(shop_id=shop_id, orders=page["nodes"], caller=caller, result=result)
                if result.stopped:
                    break
                reached = last or reached
                if not page["pageInfo"]["hasNextPage"]:
                    reached = started  # everything updated before the run began was read
                    break
                cursor = page["pageInfo"]["endCursor"]
        except ShopifyError as exc:
            result.stopped = f"Shopify: {type(exc).__name__}: {exc}"[:300]
        sync.synced_until = max(filter(None, [reached, sync.synced_until]), default=None)
        sync.last_run_at, sync.last_error = timezone.now(), result.stopped
        sync.orders_read, sync.points_spent, sync.found = result.orders_read, round(result.points), result.found
        sync.save()
    finally:
        release()
    result.synced_until = sync.synced_until
    logger.info(
        "reconciliation.done",
        extra={"shop_id": shop_id, "orders_read": result.orders_read, "found": result.found, "pages": result.pages,
               "points": round(result.points, 1), "stopped": result.stopped},
    )  # fmt: skip
    return result


def _take_page(*, shop_id: int, orders: list[dict], caller: _Caller, result: RunResult) -> datetime | None:
    """Record what the webhooks missed on one page; the ``updatedAt`` of the last order finished."""
    ours = dict(
        PushRecord.objects.filter(shop_id=shop_id, shopify_order_id__in=[o["id"] for o in orders]).values_list(
            "shopify_order_id", "id"
        )
    )
    result.orders_read += len(orders)
    wanted = [o for o in orders if o["id"] in ours]
    fulfilment_ids = [f["id"] for o in wanted for f in o.get("fulfillments") or []]
    recorded = dict(
        ShipmentEvent.objects.filter(
            shop_id=shop_id, kind=Kind.SHIPMENT, fulfillment_id__in=fulfilment_ids, is_latest=True
        ).values_list("fulfillment_id", "version")  # fmt: skip
    )
    cancelled = set(
        ShipmentEvent.objects.filter(shop_id=shop_id, kind=Kind.CANCELLATION, record_id__in=ours.values()).values_list(
            "record_id", flat=True
        )
    )
    missing: dict[str, set[str]] = {}  # order id -> the fulfilment ids whose version is missing
    for order in wanted:
        for f in order.get("fulfillments") or []:
            version = parse_datetime(f.get("updatedAt") or "")
            if str(f.get("status", "")).lower() not in ("success", "cancelled") or version is None:
                continue
            if f["id"] not in recorded or recorded[f["id"]].replace(microsecond=0) < version:
                missing.setdefault(order["id"], set()).add(f["id"])
        if order.get("cancelledAt") and ours[order["id"]] not in cancelled:
            when = parse_datetime(order["cancelledAt"])
            if when is not None:
                cancellation = Cancellation(order_id=gid("Order", order["id"]), cancelled_at=when,
                                            reason=(order.get("cancelReason") or "").lower() or None)  # fmt: skip
                if record_cancellation(shop_id=shop_id, cancellation=cancellation,
                                       source=ShipmentEvent.Source.RECONCILIATION).event:  # fmt: skip
                    result.found += 1
    for order_id, fulfilment_ids in missing.items():
        data = caller.call(ORDER_FULFILMENT_STATE, {"id": order_id})
        if data is None:
            return None  # stopped inside the page: the page is read again next time
        if data.get("order") is None:
            continue  # deleted meanwhile
        try:
            state = parse_order(data["order"], shop=caller.client.shop)
        except ShopifyError as exc:
            result.errors.append(str(exc))
            continue
        for shopify_fulfilment in state.fulfillments:
            if shopify_fulfilment.id not in fulfilment_ids:
                continue
            try:
                fulfilment = from_state(shopify_fulfilment, order_id=order_id)
            except UnreadableFulfilment as exc:
                result.errors.append(f"{shopify_fulfilment.id}: {exc}")
                continue
            if record_fulfilment(shop_id=shop_id, fulfilment=fulfilment,
                                 source=ShipmentEvent.Source.RECONCILIATION).event:  # fmt: skip
                result.found += 1
    last = parse_datetime(orders[-1]["updatedAt"]) if orders else None
    return last
