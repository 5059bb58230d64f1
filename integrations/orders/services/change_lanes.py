"""Change lanes: apply a shop's pending OrderChanges, through the same cost bucket as its pushes.

Like a push lane (services/lanes.py): claim a batch, apply each change inside its boundary
(``change_apply.apply_guarded``), until nothing is pending or the time budget is spent. At most
``CHANGE_LANES_PER_SHOP`` lanes run per shop (a Redis semaphore); while the shop still has orders
waiting to be pushed, only one change lane runs, so a campaign-wide clean-up never starves the push
of new orders (both draw on the one bucket; pushes hold most of the lanes).
"""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings

from integrations.orders.models import BackerKitConnection, OrderChange
from integrations.orders.services import change_claims, claims
from integrations.orders.services.change_apply import ChangeContext, apply_guarded
from integrations.orders.services.lanes import has_pending, mapping_settings
from integrations.shopify.errors import ShopifyAccessDenied, ShopifyShopUnavailable, ShopifyUnauthorized
from integrations.shopify.rate_limit import CostBucket
from integrations.shopify.redis_client import shared_redis
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for, recover_from_unauthorized

logger = logging.getLogger(__name__)

BATCH = 10


@dataclass
class ChangeLaneReport:
    more_pending: bool = False
    stopped: str = ""
    stats: dict[str, int] = field(default_factory=dict)


def _slot_limit(shop_id: int) -> int:
    return 1 if has_pending(shop_id=shop_id) else settings.CHANGE_LANES_PER_SHOP


class _Slot:
    def __init__(self, shop_id: int, token: str):
        self.key, self.token, self.redis = f"changes:lanes:{shop_id}", token, shared_redis()
        self.shop_id = shop_id

    def acquire(self) -> bool:
        if self.redis is None:
            return True
        now = time.time()
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(self.key, 0, now)
        pipe.zadd(self.key, {self.token: now + settings.PUSH_LANE_BUDGET_SECONDS + settings.PUSH_CLAIM_LEASE_SECONDS})
        pipe.zrank(self.key, self.token)
        rank = pipe.execute()[2]
        if rank is not None and rank < _slot_limit(self.shop_id):
            return True
        self.redis.zrem(self.key, self.token)
        return False

    def release(self) -> None:
        if self.redis is not None:
            self.redis.zrem(self.key, self.token)


def active_change_lanes(*, shop_id: int) -> int:
    redis = shared_redis()
    if redis is None:
        return 0
    key = f"changes:lanes:{shop_id}"
    redis.zremrangebyscore(key, 0, time.time())
    return int(redis.zcard(key))


def run_change_lane(*, shop_id: int, budget_seconds: float | None) -> ChangeLaneReport:
    token = claims.new_claim_token()
    slot = _Slot(shop_id, token)
    if not slot.acquire():
        return ChangeLaneReport(stopped="enough lanes already")
    try:
        return _run(shop_id=shop_id, token=token, budget_seconds=budget_seconds)
    finally:
        slot.release()


def _run(*, shop_id: int, token: str, budget_seconds: float | None) -> ChangeLaneReport:
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    report = ChangeLaneReport()
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected or shop.pushes_paused or shop.push_hold:
        report.stopped = "shop not pushable"
        return report
    bucket = CostBucket(shop.domain)
    refreshed = False
    while deadline is None or time.monotonic() < deadline:
        batch = change_claims.claim_changes(shop_id=shop_id, limit=BATCH, token=token)
        if not batch:
            if deadline is None and _wait_in_process(shop_id):
                continue
            break
        ids = [change.id for change in batch]
        client = None
        try:
            client = admin_client_for(shop_id=shop_id)
            ctx = ChangeContext(shop_id=shop_id, client=client, bucket=bucket, token=token,
                                settings_for=_settings_by_connection(shop), deadline=deadline, stats=report.stats,
                                scopes=frozenset(s.strip() for s in shop.scopes.split(",")))  # fmt: skip
            for position, change in enumerate(batch):
                if not apply_guarded(change=change, ctx=ctx):
                    change_claims.release(change_ids=ids[position + 1 :], token=token)
                    report.more_pending = True
                    return report
        except ShopDisconnected as exc:
            change_claims.release(change_ids=ids, token=token)
            report.stopped = str(exc)
            return report
        except ShopifyUnauthorized as exc:
            change_claims.release(change_ids=ids, token=token)
            # The token refused, as the push lane passes it: an empty one would always look "already
            # replaced by another worker", so a revoked shop would never be disconnected and its
            # changes retried forever instead of pausing for Reconnect.
            failed_token = getattr(client, "_access_token", "")
            if not refreshed and recover_from_unauthorized(shop_id=shop_id, failed_token=failed_token):
                refreshed = True
                continue
            report.stopped = exc.message
            return report
        except (ShopifyAccessDenied, ShopifyShopUnavailable) as exc:
            change_claims.release(change_ids=ids, token=token, not_before=claims.after(30))
            report.stopped = exc.message
            return report
    report.more_pending = change_claims.has_pending(shop_id=shop_id)
    return report


def _settings_by_connection(shop: Shop) -> dict:
    """The mapping settings of each of the shop's connections (the push's: services/lanes.py)."""
    return {c.id: mapping_settings(shop=shop, connection=c) for c in BackerKitConnection.objects.filter(shop=shop)}


def _wait_in_process(shop_id: int) -> bool:
    due = change_claims.next_due_in(shop_id=shop_id)
    if due is None or due > 120:
        return False
    time.sleep(due + 0.01)
    return True


def shops_with_due_changes() -> list[int]:
    """The sweeper's list: connected shops with a change that could be applied now."""
    return list(
        OrderChange.objects.filter(
            state=OrderChange.State.PENDING,
            shop__status=Shop.Status.CONNECTED,
            shop__pushes_paused=False,
            shop__push_hold="",
        )  # fmt: skip
        .order_by()
        .values_list("shop_id", flat=True)
        .distinct()
    )
