"""Pushing claimed records to Shopify, one ``orderCreate`` each, exactly once.

Order of things for one record:
1. A previous send whose answer never came (``last_sent_at`` set) is looked up by
   ``source_identifier`` first; not found yet is trusted only after Shopify's search lag.
2. The validated order is mapped (pure) with the shop's settings and the batch's variants.
3. The shared cost bucket is asked for the call's cost (waits instead of being throttled).
4. ``last_sent_at`` is stamped under the lane's claim, then the order is sent.
5. The answer decides: pushed, needs attention (userErrors, mapping), retry later (throttled,
   transient), look up later (ambiguous), paused (token refused and not refreshable).
"""

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.utils import timezone

from integrations.backerkit.orders import InvalidOrder, validate_order
from integrations.orders.documents import ORDER_BY_SOURCE_IDENTIFIER, ORDER_CREATE, source_identifier_query
from integrations.orders.mapping import MappedOrder, NeedsAttention, ShopSettings, Variant, map_order
from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import claims
from integrations.orders.services.variants import forget_variants
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyInvalid,
    ShopifyThrottled,
    ShopifyTransient,
    ShopifyUnauthorized,
)
from integrations.shopify.rate_limit import CostBucket

logger = logging.getLogger(__name__)

State = PushRecord.State
Outcome = PushAttempt.Outcome

# What one orderCreate is expected to cost before Shopify has told us (mutation 10 + selection).
DEFAULT_ORDER_CREATE_COST = 10.0
# The longest a lane waits in the bucket before handing the record back.
MAX_BUCKET_WAIT_SECONDS = 20.0


class Result(Enum):
    DONE = "done"  # the record reached an outcome (pushed, attention, failed, retry later)
    YIELD = "yield"  # the bucket is short for longer than the lane's budget: give the worker back


class NeedsNewClient(Exception):
    """The access token was replaced (refreshed): send again with a fresh client."""


@dataclass
class PushContext:
    """What a lane shares across the records of one batch."""

    shop_id: int
    client: AdminClient
    settings_for: dict[int, ShopSettings]  # connection id -> mapping settings
    variants: dict[str, Variant]
    bucket: CostBucket
    token: str
    deadline: float | None = None  # time.monotonic() when the lane must hand its worker back
    order_create_cost: float = DEFAULT_ORDER_CREATE_COST
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: 1, 2, 4 ... 300 s."""
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(2 ** max(attempts - 1, 0), 300))


def push_record(*, record: PushRecord, ctx: PushContext) -> Result:
    started = timezone.now()
    if record.last_sent_at is not None:
        found = _look_up(record=record, ctx=ctx, started=started)
        if found is not None:
            return found
    try:
        order = validate_order(record.order_data or {})
    except InvalidOrder as exc:
        claims.finish(record=record, token=ctx.token, state=State.FAILED, outcome=Outcome.INVALID,
                      started_at=started, error=str(exc))  # fmt: skip
        return Result.DONE

    mapped = map_order(order, settings=ctx.settings_for[record.connection_id], variants=ctx.variants)
    if isinstance(mapped, NeedsAttention):
        claims.finish(record=record, token=ctx.token, state=State.NEEDS_ATTENTION, outcome=Outcome.NEEDS_ATTENTION,
                      started_at=started, error="\n".join(mapped.reasons))  # fmt: skip
        ctx.count("needs_attention")
        return Result.DONE
    return _send(record=record, mapped=mapped, ctx=ctx, started=started)


def _variant_prices(mapped: MappedOrder, variants: dict[str, Variant]) -> dict[str, str]:
    sent = {line["variantId"] for line in mapped.order_input["lineItems"] if "variantId" in line}
    return {v.sku: str(v.price) for v in variants.values() if v.id in sent}


def _send(*, record: PushRecord, mapped: MappedOrder, ctx: PushContext, started) -> Result:
    max_wait = MAX_BUCKET_WAIT_SECONDS
    if ctx.deadline is not None:
        max_wait = max(min(max_wait, ctx.deadline - time.monotonic()), 0.0)
    taken = ctx.order_create_cost
    wait = ctx.bucket.wait_and_take(taken, max_wait=max_wait)
    if wait > 0:
        claims.release(record_ids=[record.id], token=ctx.token, not_before=timezone.now() + timedelta(seconds=wait))
        ctx.count("bucket_waits")
        return Result.YIELD
    variables = {"order": mapped.order_input, "options": mapped.options}
    # What this send expects, recorded with it: an order found later by lookup (its answer lost)
    # shows the same figures as one whose answer came.
    money = {
        "shopify_total": mapped.shopify_total,
        "amount_paid": mapped.amount_paid,
        "expected_financial_status": mapped.expected_financial_status,
        "explanation": mapped.explanation,
        # The Shopify prices this send was made at (the order detail compares them per item).
        "variant_prices": _variant_prices(mapped, ctx.variants),
    }
    if not claims.mark_sending(record=record, token=ctx.token, sent_input=variables, extra=money):
        return Result.DONE  # the sweeper took it back: another lane owns it now
    try:
        response = ctx.client.execute(ORDER_CREATE, variables)
    except ShopifyThrottled as exc:
        ctx.bucket.drain(exc.retry_after)
        ctx.count("throttled")
        claims.finish(record=record, token=ctx.token, state=State.PENDING, outcome=Outcome.THROTTLED,
                      started_at=started, error="", extra={"attempts": record.attempts - 1},
                      not_before=timezone.now() + timedelta(seconds=exc.retry_after))  # fmt: skip
        return Result.DONE
    except ShopifyTransient as exc:
        return _transient(record=record, ctx=ctx, started=started, exc=exc)
    except (ShopifyUnauthorized, ShopifyAccessDenied):
        # Shopify refused the call itself: nothing was created. Hand the record back untouched.
        claims.finish(record=record, token=ctx.token, state=State.PENDING, outcome=Outcome.UNAUTHORIZED,
                      started_at=started, error="", extra={"attempts": record.attempts - 1})  # fmt: skip
        raise
    except ShopifyInvalid as exc:
        claims.finish(record=record, token=ctx.token, state=State.FAILED, outcome=Outcome.INVALID,
                      started_at=started, error=f"Shopify refused the request: {exc.message}")  # fmt: skip
        ctx.count("failed")
        return Result.DONE

    ctx.bucket.observe(response.cost, taken=taken)
    if response.cost is not None:
        ctx.order_create_cost = response.cost.requested
    payload = response.data["orderCreate"]
    errors = payload.get("userErrors") or []
    if errors and record.attempts <= 1 and any("variantId" in (e.get("field") or []) for e in errors):
        # A variant the cache knew is gone (product deleted or re-created): look the SKUs up
        # again and try once more before asking the merchant.
        forget_variants(shop=ctx.client.shop)
        claims.finish(record=record, token=ctx.token, state=State.PENDING, outcome=Outcome.USER_ERRORS,
                      started_at=started, error="; ".join(_user_error_text(e) for e in errors))  # fmt: skip
        return Result.DONE
    if errors or not payload.get("order"):
        message = "; ".join(_user_error_text(e) for e in errors) or "Shopify created no order and gave no reason."
        claims.finish(record=record, token=ctx.token, state=State.NEEDS_ATTENTION, outcome=Outcome.USER_ERRORS,
                      started_at=started, error=f"Shopify refused the order: {message}")  # fmt: skip
        ctx.count("needs_attention")
        return Result.DONE
    order = payload["order"]
    claims.mark_pushed(record=record, shopify_order_id=order["id"], shopify_order_name=order["name"],
                       financial_status=order.get("displayFinancialStatus") or "", outcome=Outcome.CREATED,
                       started_at=started)  # fmt: skip
    ctx.count("pushed")
    return Result.DONE


def _transient(*, record: PushRecord, ctx: PushContext, started, exc: ShopifyTransient) -> Result:
    ctx.count("transient")
    if record.attempts >= settings.PUSH_MAX_ATTEMPTS and not exc.ambiguous:
        claims.finish(record=record, token=ctx.token, state=State.FAILED, outcome=Outcome.TRANSIENT,
                      started_at=started,
                      error=f"Shopify kept failing after {record.attempts} attempts: {exc.message}")  # fmt: skip
        return Result.DONE
    outcome = Outcome.AMBIGUOUS if exc.ambiguous else Outcome.TRANSIENT
    claims.finish(record=record, token=ctx.token, state=State.PENDING, outcome=outcome, started_at=started,
                  error=exc.message, not_before=timezone.now() + backoff(record.attempts),
                  clear_sent=not exc.ambiguous)  # fmt: skip
    return Result.DONE


def _look_up(*, record: PushRecord, ctx: PushContext, started) -> Result | None:
    """Resolve an ambiguous earlier send. None: not in Shopify, safe to send now."""
    try:
        response = ctx.client.execute(
            ORDER_BY_SOURCE_IDENTIFIER, {"query": source_identifier_query(record.backerkit_order_id)}
        )
    except ShopifyThrottled as exc:
        ctx.bucket.drain(exc.retry_after)
        claims.release(record_ids=[record.id], token=ctx.token,
                       not_before=timezone.now() + timedelta(seconds=exc.retry_after))  # fmt: skip
        return Result.DONE
    except ShopifyTransient as exc:
        claims.finish(record=record, token=ctx.token, state=State.PENDING, outcome=Outcome.TRANSIENT,
                      started_at=started, error=exc.message, not_before=timezone.now() + backoff(record.attempts),
                      clear_sent=False)  # fmt: skip
        return Result.DONE
    ctx.bucket.observe(response.cost)
    ctx.count("lookups")
    nodes = response.data["orders"]["nodes"]
    match = next((n for n in nodes if n.get("sourceIdentifier") == record.backerkit_order_id), None)
    if match:
        claims.mark_pushed(record=record, shopify_order_id=match["id"], shopify_order_name=match["name"],
                           financial_status=match.get("displayFinancialStatus") or "",
                           outcome=Outcome.FOUND_EXISTING, started_at=started,
                           detail="The earlier send had reached Shopify; found by source identifier.")  # fmt: skip
        ctx.count("found_existing")
        return Result.DONE
    trusted_after = record.last_sent_at + timedelta(seconds=settings.PUSH_SEARCH_GRACE_SECONDS)
    if timezone.now() < trusted_after:
        # Not found may only mean Shopify's search index has not caught up yet: wait, then look again.
        claims.release(record_ids=[record.id], token=ctx.token, not_before=trusted_after)
        ctx.count("waiting_for_search")
        return Result.DONE
    return None


def _user_error_text(error: dict) -> str:
    path = ".".join(str(p) for p in (error.get("field") or []))
    return f"{error.get('message')} ({path})" if path else str(error.get("message"))
