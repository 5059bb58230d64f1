"""Push lanes: the units of concurrency of one shop's push.

A lane claims a batch of the shop's pending records, resolves their SKUs in one query, pushes
them one by one through the shared cost bucket, and repeats until nothing is pending or its time
budget is spent; then it hands its worker slot back (another shop's lanes get their turn) and, if
work remains, is queued again. At most ``PUSH_LANES_PER_SHOP`` lanes run per shop (a Redis
semaphore), so one shop's 50k-order campaign holds a bounded share of the workers and the queue.
"""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from integrations.orders.documents import SHOP_INFO
from integrations.orders.mapping import ShopSettings
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services import claims
from integrations.orders.services.push import PushContext, Result, push_record
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyThrottled,
    ShopifyTransient,
    ShopifyUnauthorized,
)
from integrations.shopify.rate_limit import CostBucket, _redis_client
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for, recover_from_unauthorized
from integrations.shops.tokens.connection import disconnect_shop

logger = logging.getLogger(__name__)

State = PushRecord.State


@dataclass
class LaneReport:
    more_pending: bool = False
    stopped: str = ""
    stats: dict[str, int] = field(default_factory=dict)


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


class _LaneSlot:
    """Redis semaphore: a lane runs only while it holds one of the shop's slots."""

    def __init__(self, shop_id: int, token: str):
        self.key = f"push:lanes:{shop_id}"
        self.token = token
        self.redis = _redis_client()

    def acquire(self) -> bool:
        if self.redis is None:
            return True
        now = time.time()
        lease = settings.PUSH_LANE_BUDGET_SECONDS + settings.PUSH_CLAIM_LEASE_SECONDS
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(self.key, 0, now)
        pipe.zadd(self.key, {self.token: now + lease})
        pipe.zrank(self.key, self.token)
        _, _, rank = pipe.execute()
        if rank is not None and rank < settings.PUSH_LANES_PER_SHOP:
            return True
        self.redis.zrem(self.key, self.token)
        return False

    def release(self) -> None:
        if self.redis is not None:
            self.redis.zrem(self.key, self.token)


def run_lane(*, shop_id: int, budget_seconds: float | None) -> LaneReport:
    """Push the shop's pending records until none is left or the budget is spent."""
    token = claims.new_claim_token()
    slot = _LaneSlot(shop_id, token)
    if not slot.acquire():
        return LaneReport(stopped="enough lanes already")
    try:
        return _run(shop_id=shop_id, token=token, budget_seconds=budget_seconds)
    finally:
        slot.release()


def active_lanes(*, shop_id: int) -> int:
    redis = _redis_client()
    if redis is None:
        return 0
    key = f"push:lanes:{shop_id}"
    redis.zremrangebyscore(key, 0, time.time())
    return int(redis.zcard(key))


def _run(*, shop_id: int, token: str, budget_seconds: float | None) -> LaneReport:
    report = LaneReport()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected or shop.pushes_paused:
        pause_pending(shop_id=shop_id)
        report.stopped = "shop not pushable"
        return report
    settings_for = {
        c.id: mapping_settings(shop=shop, connection=c) for c in BackerKitConnection.objects.filter(shop_id=shop_id)
    }
    bucket = CostBucket(shop.domain)
    refreshed = False
    while deadline is None or time.monotonic() < deadline:
        batch = claims.claim_batch(shop_id=shop_id, limit=settings.PUSH_BATCH_SIZE, token=token)
        if not batch:
            if deadline is None and _wait_for_deferred(shop_id=shop_id):
                continue  # in-process (no broker): wait here for what a countdown would wait for
            break
        try:
            client = admin_client_for(shop_id=shop_id)
            if not shop.currency:
                settings_for = _learn_shop_currency(shop=shop, client=client)
            skus = {item["sku"] for r in batch for item in (r.order_data or {}).get("items", []) if item.get("sku")}
            variants = resolve_variants(client=client, skus=skus, on_cost=bucket.observe)
            ctx = PushContext(shop_id=shop_id, client=client, settings_for=settings_for, variants=variants,
                              bucket=bucket, token=token, stats=report.stats, deadline=deadline)  # fmt: skip
            for position, record in enumerate(batch):
                if push_record(record=record, ctx=ctx) is Result.YIELD:
                    claims.release(record_ids=[r.id for r in batch[position + 1 :]], token=token)
                    if deadline is not None:
                        report.more_pending = True
                        return report
                    break  # in-process: the loop waits for the bucket below
        except ShopDisconnected as exc:
            claims.release(record_ids=[r.id for r in batch], token=token, state=State.PAUSED)
            pause_pending(shop_id=shop_id)
            report.stopped = str(exc)
            return report
        except (ShopifyUnauthorized, ShopifyAccessDenied) as exc:
            claims.release(record_ids=[r.id for r in batch], token=token)
            failed_token = client._access_token if "client" in locals() else ""
            if (
                isinstance(exc, ShopifyUnauthorized)
                and not refreshed
                and recover_from_unauthorized(shop_id=shop_id, failed_token=failed_token)
            ):
                refreshed = True  # refresh once; a second refusal disconnects
                continue
            if isinstance(exc, ShopifyAccessDenied):
                disconnect_shop(shop_id=shop_id, reason=f"The app no longer has the access it needs: {exc.message}")
            pause_pending(shop_id=shop_id)
            report.stopped = exc.message
            return report
        except (ShopifyThrottled, ShopifyTransient) as exc:
            # Variant lookup failed: nothing was sent for this batch. Hand it back for later.
            wait = exc.retry_after if isinstance(exc, ShopifyThrottled) else 5.0
            claims.release(record_ids=[r.id for r in batch], token=token,
                           not_before=timezone.now() + timezone.timedelta(seconds=wait))  # fmt: skip
            report.stopped = exc.message
            break
    report.more_pending = has_pending(shop_id=shop_id)
    return report


def _learn_shop_currency(*, shop: Shop, client) -> dict[int, ShopSettings]:
    """The store's currency decides whether orders can be pushed: ask Shopify when not known yet."""
    data = client.execute(SHOP_INFO).data["shop"]
    Shop.objects.filter(id=shop.id).update(currency=data["currencyCode"], name=shop.name or data["name"])
    shop.currency = data["currencyCode"]
    return {c.id: mapping_settings(shop=shop, connection=c) for c in BackerKitConnection.objects.filter(shop=shop)}


def next_due_in(*, shop_id: int) -> float | None:
    """Seconds until the shop's next pending record may be claimed (None: nothing pending)."""
    pending = PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING)
    if not pending.exists():
        return None
    if pending.filter(not_before__isnull=True).exists():
        return 0.0
    earliest = pending.order_by("not_before").values_list("not_before", flat=True).first()
    return max((earliest - timezone.now()).total_seconds(), 0.0)


def _wait_for_deferred(*, shop_id: int, max_wait: float = 120.0) -> bool:
    due = next_due_in(shop_id=shop_id)
    if due is None or due > max_wait:
        return False
    time.sleep(due + 0.01)
    return True


def has_pending(*, shop_id: int) -> bool:
    return PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).exists()


def pause_pending(*, shop_id: int) -> int:
    return PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).update(state=State.PAUSED)
