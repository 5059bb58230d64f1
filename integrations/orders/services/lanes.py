"""Push lanes: the units of concurrency of one shop's push.

A lane claims a batch of the shop's pending records (its share of a few seconds of what the shop's
cost bucket lets through: lane_sizing.py), validates each record's order once, resolves
the batch's SKUs in one query, pushes the records one by one through the shared cost bucket (each
inside the per-record boundary, ``push.push_guarded``), and repeats until nothing is pending or
its time budget is spent; then it hands its worker slot back (another shop's lanes get their turn)
and, if work remains, is queued again. At most ``PUSH_LANES_PER_SHOP`` lanes run per shop (a Redis
semaphore; fewer on a slow bucket, lane_sizing.py), so one shop's 50k-order campaign holds a
bounded share of the workers and the queue.

What stops a batch is about the shop, never one order: a refused token (refresh once, else
disconnect), a store Shopify froze or locked (held until the periodic check sees it open), a
throttled or failing variant query (the batch waits), or anything unexpected (a lane crash: the
shop backs off, and is held for a rep after too many in a row; ``holds.py``).
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from integrations.backerkit.orders import BackerKitOrder
from integrations.orders.documents import SHOP_INFO
from integrations.orders.mapping import ShopSettings, variant_skus
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services import claims, holds, lane_sizing, wave_holds, waves
from integrations.orders.services.claims import pause_pending
from integrations.orders.services.push import (
    DEFAULT_ORDER_CREATE_COST,
    PushContext,
    Result,
    new_error_id,
    push_guarded,
    read_order,
)
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyShopUnavailable,
    ShopifyThrottled,
    ShopifyTransient,
    ShopifyUnauthorized,
)
from integrations.shopify.rate_limit import CostBucket
from integrations.shopify.redis_client import shared_redis
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for, recover_from_unauthorized
from integrations.shops.tokens.connection import disconnect_shop

logger = logging.getLogger(__name__)

State = PushRecord.State

__all__ = [
    "LaneReport",
    "active_lanes",
    "claim_lane_batch",
    "has_pending",
    "lane_limit",
    "next_due_in",
    "pause_pending",
    "run_lane",
]

# In-process (no broker, no countdown): the longest a lane sleeps for deferred work itself.
MAX_IN_PROCESS_WAIT_SECONDS = 120.0


@dataclass
class LaneReport:
    more_pending: bool = False
    stopped: str = ""
    stats: dict[str, int] = field(default_factory=dict)


class _Next(Enum):
    GO_ON = "go on"  # claim the next batch
    WAIT = "wait"  # leave the loop: pending work waits (its not_before)
    STOP = "stop"  # return the report as it is


def mapping_settings(*, shop: Shop, connection: BackerKitConnection) -> ShopSettings:
    return ShopSettings(
        include_transaction_data=shop.include_transaction_data,
        tax_mode=shop.tax_mode,
        inventory_behaviour=shop.inventory_behaviour,
        send_receipt=shop.send_receipt,
        send_fulfillment_receipt=shop.send_fulfillment_receipt,
        shop_currency=shop.currency,
        connected_store_name=connection.store_name,
    )


def _settings_for(shop: Shop) -> dict[int, ShopSettings]:
    return {c.id: mapping_settings(shop=shop, connection=c) for c in BackerKitConnection.objects.filter(shop=shop)}


class _LaneSlot:
    """Redis semaphore: a lane runs only while it holds one of the shop's ``limit`` slots."""

    def __init__(self, shop_id: int, token: str, *, limit: int | None = None):
        self.key = f"push:lanes:{shop_id}"
        self.token = token
        self.limit = settings.PUSH_LANES_PER_SHOP if limit is None else limit
        self.redis = shared_redis()
        self.rank: int | None = None

    def acquire(self) -> bool:
        if self.redis is None:
            return True
        now = time.time()
        lease = settings.PUSH_LANE_BUDGET_SECONDS + settings.PUSH_CLAIM_LEASE_SECONDS
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(self.key, 0, now)
        pipe.zadd(self.key, {self.token: now + lease})
        pipe.zrank(self.key, self.token)
        _, _, self.rank = pipe.execute()
        if self.rank is not None and self.rank < self.limit:
            return True
        self.redis.zrem(self.key, self.token)
        return False

    def within(self, limit: int) -> bool:
        """Whether the slot taken is one of the shop's first ``limit`` (always, without Redis)."""
        return self.redis is None or (self.rank is not None and self.rank < limit)

    def release(self) -> None:
        if self.redis is not None:
            self.redis.zrem(self.key, self.token)


def run_lane(*, shop_id: int, budget_seconds: float | None) -> LaneReport:
    """Push the shop's pending records until none is left or the budget is spent."""
    token = claims.new_claim_token()
    slot = _LaneSlot(shop_id, token)  # at most PUSH_LANES_PER_SHOP; the shop's own limit once it is read
    if not slot.acquire():
        return LaneReport(stopped="enough lanes already")
    try:
        return _run(shop_id=shop_id, token=token, budget_seconds=budget_seconds, slot=slot)
    finally:
        slot.release()


def lane_limit(*, shop_id: int) -> int:
    """How many lanes the shop runs at once: as many as keep its bucket busy (lane_sizing.py), at
    most ``PUSH_LANES_PER_SHOP``; until Shopify reported the bucket, a Standard store's."""
    domain = Shop.objects.values_list("domain", flat=True).get(id=shop_id)
    return _lanes_for(CostBucket(domain).restore_rate())


def _lanes_for(restore_rate: float) -> int:
    return lane_sizing.lane_count(restore_rate=restore_rate, order_create_cost=DEFAULT_ORDER_CREATE_COST,
                                  largest=settings.PUSH_LANES_PER_SHOP)  # fmt: skip


def claim_lane_batch(*, shop_id: int, token: str, bucket: CostBucket) -> list[PushRecord]:
    """A lane's next batch: its share of a few seconds of what the shop's bucket lets through
    (lane_sizing.py), so that on a slow bucket the lanes leave the rest of the queue to the bulk road."""
    restore_rate = bucket.restore_rate()
    limit = lane_sizing.batch_size(restore_rate=restore_rate, order_create_cost=DEFAULT_ORDER_CREATE_COST,
                                   lanes=_lanes_for(restore_rate), largest=settings.PUSH_BATCH_SIZE)  # fmt: skip
    return claims.claim_batch(shop_id=shop_id, limit=limit, token=token)


def active_lanes(*, shop_id: int) -> int:
    redis = shared_redis()
    if redis is None:
        return 0
    key = f"push:lanes:{shop_id}"
    redis.zremrangebyscore(key, 0, time.time())
    return int(redis.zcard(key))


def _run(*, shop_id: int, token: str, budget_seconds: float | None, slot: _LaneSlot) -> LaneReport:
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    shop = Shop.objects.get(id=shop_id)
    if not slot.within(_lanes_for(CostBucket(shop.domain).restore_rate())):  # the row just read: no query more
        return LaneReport(stopped="enough lanes already")
    if not shop.is_connected or shop.pushes_paused or shop.push_hold:
        pause_pending(shop_id=shop_id)
        return LaneReport(stopped="shop not pushable")
    return _Lane(shop=shop, token=token, deadline=deadline).run()


class _Lane:
    """One run of a lane: batches until the budget is spent, nothing is due, or the shop stops it."""

    def __init__(self, *, shop: Shop, token: str, deadline: float | None):
        self.shop, self.token, self.deadline = shop, token, deadline
        self.report = LaneReport()
        self.settings_for = _settings_for(shop)
        self.bucket = CostBucket(shop.domain)
        self.client: AdminClient | None = None
        self.refreshed = False  # the token is refreshed once per run; refused again, the shop disconnects
        self.backoff_until: datetime | None = shop.push_backoff_until
        self.crashes_to_reset = shop.push_crashes > 0
        # The row read a moment ago to start the run: the first batch's client is made from it; later
        # batches read the shop again (a token refreshed meanwhile, by this lane or another).
        self.shop_just_read: Shop | None = shop

    def run(self) -> LaneReport:
        report = self._batches()
        self.bucket.flush()  # the last send's answer (each one rides on the lane's next take)
        return report

    def _batches(self) -> LaneReport:
        while self.deadline is None or time.monotonic() < self.deadline:
            if self.backoff_until is not None and timezone.now() < self.backoff_until:
                if self.deadline is not None or not _sleep_until(self.backoff_until):
                    self.report.more_pending = True  # the task comes back when the backoff ends
                    return self.report
            batch = claim_lane_batch(shop_id=self.shop.id, token=self.token, bucket=self.bucket)
            if not batch:
                if self.deadline is None and _wait_for_deferred(shop_id=self.shop.id):
                    continue  # in-process (no broker): wait here for what a countdown would wait for
                break
            step = self._push_batch_or_stop(batch)
            if step is _Next.STOP:
                return self.report
            if step is _Next.WAIT:
                break
        self.report.more_pending = has_pending(shop_id=self.shop.id)
        return self.report

    def _push_batch(self, batch: list[PushRecord]) -> _Next:
        self.client = admin_client_for(shop_id=self.shop.id, just_read=self.shop_just_read)
        self.shop_just_read = None
        if not self.shop.currency:
            self.settings_for = _learn_shop_currency(shop=self.shop, client=self.client)
        orders = {record.id: read_order(record) for record in batch}
        skus = variant_skus(order for order in orders.values() if isinstance(order, BackerKitOrder))
        variants = resolve_variants(client=self.client, skus=skus, on_cost=self.bucket.observe)
        ctx = PushContext(shop_id=self.shop.id, client=self.client, settings_for=self.settings_for,
                          variants=variants, bucket=self.bucket, token=self.token, stats=self.report.stats,
                          deadline=self.deadline, holder=self._holder(batch), behind=claims.WriteBehind())  # fmt: skip
        try:
            for position, record in enumerate(batch):
                if push_guarded(record=record, order=orders[record.id], ctx=ctx) is Result.YIELD:
                    claims.release(record_ids=[r.id for r in batch[position + 1 :]], token=self.token)
                    if self.deadline is not None:
                        self.report.more_pending = True
                        return _Next.STOP
                    return _Next.GO_ON  # in-process: the loop waits for the bucket
        finally:
            # The last pushed outcome kept for a next stamp, before anything hands the batch back:
            # an order Shopify created is never handed back as pending.
            ctx.behind.flush()
        if self.crashes_to_reset:
            holds.reset_crashes(shop_id=self.shop.id)
            self.crashes_to_reset = False
        return _Next.GO_ON

    def _holder(self, batch: list[PushRecord]) -> wave_holds.Holder | None:
        """Late pledges join their wave; those of waves not released are pushed held."""
        ids = [record.id for record in batch]
        waves.assign_members(shop=self.shop, record_ids=ids)
        members = wave_holds.plan(shop=self.shop, record_ids=ids)
        if not members:
            return None
        return wave_holds.Holder(client=self.client, bucket=self.bucket, token=self.token, members=members)

    def _push_batch_or_stop(self, batch: list[PushRecord]) -> _Next:
        """Push the batch; when something about the shop stops it, hand the batch back and decide."""
        ids = [record.id for record in batch]
        try:
            return self._push_batch(batch)
        except ShopDisconnected as exc:
            claims.release(record_ids=ids, token=self.token, state=State.PAUSED)
            return self._stop(reason=str(exc))
        except (ShopifyUnauthorized, ShopifyAccessDenied) as exc:
            claims.release(record_ids=ids, token=self.token)
            return self._token_refused(exc)
        except ShopifyShopUnavailable as exc:
            claims.release(record_ids=ids, token=self.token, state=State.PAUSED)
            holds.hold_unavailable(shop_id=self.shop.id, error=exc)
            self.report.stopped = exc.message
            return _Next.STOP
        except (ShopifyThrottled, ShopifyTransient) as exc:
            # The variant lookup failed: nothing was sent for this batch. Hand it back for later.
            wait = exc.retry_after if isinstance(exc, ShopifyThrottled) else 5.0
            claims.release(record_ids=ids, token=self.token, not_before=claims.after(wait))
            self.report.stopped = exc.message
            return _Next.WAIT
        except Exception:
            return self._crashed(ids)

    def _token_refused(self, exc: ShopifyUnauthorized | ShopifyAccessDenied) -> _Next:
        failed_token = getattr(self.client, "_access_token", "")
        if isinstance(exc, ShopifyUnauthorized) and not self.refreshed:
            if recover_from_unauthorized(shop_id=self.shop.id, failed_token=failed_token):
                self.refreshed = True
                return _Next.GO_ON
        if isinstance(exc, ShopifyAccessDenied):
            disconnect_shop(shop_id=self.shop.id, reason=f"The app no longer has the access it needs: {exc.message}")
        return self._stop(reason=exc.message)

    def _crashed(self, ids: list[int]) -> _Next:
        """An error about the shop, not one order: log it under an id, back the shop off (or hold
        it after too many in a row), hand the batch back. If the database is down, the writes here
        fail too and the task's retry policy takes over."""
        error_id = new_error_id()
        logger.exception(
            "push.lane_crashed", extra={"error_id": error_id, "shop_id": self.shop.id, "records": len(ids)}
        )
        crash = holds.record_lane_crash(shop_id=self.shop.id, error_id=error_id)
        state = State.PAUSED if crash.held else State.PENDING
        claims.release(record_ids=ids, token=self.token, state=state, not_before=crash.retry_at)
        self.report.stopped = f"unexpected error {error_id}"
        if crash.held:
            return _Next.STOP
        self.backoff_until = crash.retry_at
        self.crashes_to_reset = True
        return _Next.GO_ON  # the loop waits out the backoff (in-process) or hands the worker back

    def _stop(self, *, reason: str) -> _Next:
        pause_pending(shop_id=self.shop.id)
        self.report.stopped = reason
        return _Next.STOP


def _learn_shop_currency(*, shop: Shop, client) -> dict[int, ShopSettings]:
    """The store's currency decides whether orders can be pushed: ask Shopify when not known yet."""
    data = client.execute(SHOP_INFO).data["shop"]
    Shop.objects.filter(id=shop.id).update(currency=data["currencyCode"], name=shop.name or data["name"])
    shop.currency = data["currencyCode"]
    return _settings_for(shop)


def next_due_in(*, shop_id: int) -> float | None:
    """Seconds until the shop's next pending record may be claimed (None: nothing pending); not
    before the shop's backoff after a lane crash ends."""
    # One statement: other lanes claim records meanwhile, and separate queries could see "pending"
    # and then no date at all (a lane crashed on exactly that when the queue drained).
    figures = PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).aggregate(
        pending=Count("id"), undated=Count("id", filter=Q(not_before__isnull=True)), earliest=Min("not_before")
    )
    if not figures["pending"]:
        return None
    if figures["undated"]:
        due = 0.0
    else:
        due = max((figures["earliest"] - timezone.now()).total_seconds(), 0.0)
    return max(due, holds.backoff_remaining(shop_id=shop_id))


def _wait_for_deferred(*, shop_id: int) -> bool:
    due = next_due_in(shop_id=shop_id)
    if due is None or due > MAX_IN_PROCESS_WAIT_SECONDS:
        return False
    time.sleep(due + 0.01)
    return True


def _sleep_until(moment: datetime) -> bool:
    """In-process: sleep until ``moment`` if it is near enough; False when it is too far."""
    wait = (moment - timezone.now()).total_seconds()
    if wait > MAX_IN_PROCESS_WAIT_SECONDS:
        return False
    time.sleep(max(wait, 0.0) + 0.01)
    return True


def has_pending(*, shop_id: int) -> bool:
    return PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).exists()
