"""Pushing claimed records to Shopify, one ``orderCreate`` each, exactly once.

Order of things for one record:
1. A previous send whose answer never came (``last_sent_at`` set) is looked up by
   ``source_identifier`` first; not found yet is trusted only after Shopify's search lag.
2. The validated order is mapped (pure) with the shop's settings and the batch's variants.
3. The shared cost bucket is asked for the call's cost (waits instead of being throttled).
4. ``last_sent_at`` is stamped under the lane's claim, then the order is sent. A lane's stamp
   carries its previous order's pushed outcome (``PushContext.behind``: one statement for both).
5. The answer decides: pushed, needs attention (userErrors, mapping), retry later (throttled,
   transient), look up later (ambiguous), paused (token refused and not refreshable, shop frozen or
   locked: raised to the lane, which pauses the shop).

The order arrives validated by the lane (``read_order``: once per record, the same validated order
whose SKUs the lane resolved). ``push_guarded`` is the per-record boundary: an unexpected error fails
that record with a short error id (the traceback is logged under it) and the lane goes on; errors
about the shop (``SHOP_LEVEL``) go up to the lane.
"""

import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from redis.exceptions import RedisError

from integrations.backerkit.orders import (
    CONTRACT_VERSION,
    BackerKitOrder,
    InvalidOrder,
    rebuild_validated_order,
    validate_order,
)
from integrations.orders.changes import fingerprint, parse_updated_at, sent_view, status_of
from integrations.orders.documents import ORDER_BY_SOURCE_IDENTIFIER, ORDER_CREATE, source_identifier_query
from integrations.orders.mapping import MappedOrder, NeedsAttention, ShopSettings, Variant, map_order
from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import claims
from integrations.orders.services.claims import OutcomeWriter, after
from integrations.orders.services.variants import forget_variants
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyInvalid,
    ShopifyShopUnavailable,
    ShopifyThrottled,
    ShopifyTransient,
    ShopifyUnauthorized,
)
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.tokens.access import ShopDisconnected

logger = logging.getLogger(__name__)

State = PushRecord.State
Outcome = PushAttempt.Outcome

# What one orderCreate is expected to cost before Shopify has told us (mutation 10 + selection).
DEFAULT_ORDER_CREATE_COST = 10.0
# The longest a lane waits in the bucket before handing the record back.
MAX_BUCKET_WAIT_SECONDS = 20.0

# About the shop, not one order: the lane hands the batch back and deals with the shop. The
# database or Redis failing is not the order's fault either (its outcome could not be written).
SHOP_LEVEL = (
    ShopifyUnauthorized,
    ShopifyAccessDenied,
    ShopifyShopUnavailable,
    ShopDisconnected,
    OperationalError,
    InterfaceError,
    RedisError,
)

# What a record's order is for the push: the validated order, or why it could not be read.
ReadOrder = BackerKitOrder | InvalidOrder | Exception


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
    # The batch's records pushed held for their wave (services/wave_holds.py), or None.
    holder: Any = None
    order_create_cost: float = DEFAULT_ORDER_CREATE_COST
    stats: dict[str, int] = field(default_factory=dict)
    # The lane's pushed outcome kept for its next stamp (claims.WriteBehind), or None: written at once.
    behind: claims.WriteBehind | None = None

    def count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: 1, 2, 4 ... 300 s."""
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(2 ** max(attempts - 1, 0), 300))


def read_order(record: PushRecord) -> ReadOrder:
    """The record's stored order, validated once for the whole try (its SKUs, its mapping): an order
    stored after passing validation under today's contract is rebuilt without validating it again."""
    try:
        if record.order_data and record.validated_contract == CONTRACT_VERSION and not record.invalid_input:
            return rebuild_validated_order(record.order_data)
        return validate_order(record.order_data or {})
    except Exception as exc:  # noqa: BLE001 - kept for push_guarded: this record's problem, not the batch's
        return exc


def new_error_id() -> str:
    return secrets.token_hex(4)


def push_guarded(*, record: PushRecord, order: ReadOrder, ctx: PushContext) -> Result:
    """The per-record boundary: an unexpected error fails this record alone, under an error id a
    merchant can give to support, and the lane goes on with the next record."""
    started = timezone.now()
    try:
        return push_record(record=record, order=order, ctx=ctx, started=started)
    except SHOP_LEVEL:
        raise
    except Exception:
        error_id = new_error_id()
        logger.exception(
            "push.record_crashed", extra={"error_id": error_id, "shop_id": ctx.shop_id, "record_id": record.id}
        )
        # The send may have reached Shopify before the error: keep last_sent_at, so that a retry
        # looks the order up before sending it again.
        OutcomeWriter(record=record, token=ctx.token, started_at=started, behind=ctx.behind).failed(
            Outcome.UNEXPECTED, unexpected_error_text(error_id), keep_sent=True
        )
        ctx.count("unexpected")
        return Result.DONE


def unexpected_error_text(error_id: str) -> str:
    return (
        f"Unexpected error {error_id}; pushing this order stopped (it is never created twice). "
        f"Retry it, or give BackerKit support the error id {error_id}."
    )


def push_record(*, record: PushRecord, order: ReadOrder, ctx: PushContext, started: datetime | None = None) -> Result:
    outcome = OutcomeWriter(record=record, token=ctx.token, started_at=started or timezone.now(), behind=ctx.behind)
    if record.shopify_order_id:
        # Shopify has it already (its wave's hold was still to come): never create it again.
        order = {"id": record.shopify_order_id, "name": record.shopify_order_name,
                 "displayFinancialStatus": record.financial_status}  # fmt: skip
        _pushed(record=record, order=order, kind=Outcome.FOUND_EXISTING, ctx=ctx, outcome=outcome)
        return Result.DONE
    if record.last_sent_at is not None:
        found = _look_up(record=record, ctx=ctx, outcome=outcome)
        if found is not None:
            return found
    if isinstance(order, InvalidOrder):
        outcome.failed(Outcome.INVALID, str(order))
        return Result.DONE
    if isinstance(order, Exception):
        raise order  # validation itself broke: the boundary gives it an error id

    mapped = map_order(order, settings=ctx.settings_for[record.connection_id], variants=ctx.variants)
    if isinstance(mapped, NeedsAttention):
        outcome.needs_attention(Outcome.NEEDS_ATTENTION, "\n".join(mapped.reasons))
        ctx.count("needs_attention")
        return Result.DONE
    return _send(record=record, mapped=mapped, ctx=ctx, outcome=outcome, synced=_synced(record, order, mapped, ctx))


def _synced(record: PushRecord, order: BackerKitOrder, mapped: MappedOrder, ctx: PushContext) -> dict:
    """What this send makes Shopify hold, for the changes that may follow (services/change_intake.py):
    the fingerprint of the view read from the mapped input (one mapping per order), the same as
    ``changes.version_of`` gives for the order."""
    stored = record.order_data or {}
    view = sent_view(order, mapped.order_input, status=status_of(stored))
    return {"synced_fingerprint": fingerprint(view), "synced_updated_at": parse_updated_at(stored.get("updated_at")),
            "synced_store_name": ctx.settings_for[record.connection_id].connected_store_name}  # fmt: skip


def _variant_prices(mapped: MappedOrder, variants: dict[str, Variant]) -> dict[str, str]:
    """The Shopify prices this send was made at, by SKU (the order detail compares them per item)."""
    sent = {line["variantId"] for line in mapped.order_input["lineItems"] if "variantId" in line}
    return {v.sku: str(v.price) for v in variants.values() if v.id in sent}


def _send(*, record: PushRecord, mapped: MappedOrder, ctx: PushContext, outcome: OutcomeWriter, synced: dict) -> Result:
    taken = ctx.order_create_cost
    wait = ctx.bucket.wait_and_take(taken, max_wait=_bucket_patience(ctx))
    if wait > 0:
        outcome.hand_back(until=after(wait))
        ctx.count("bucket_waits")
        return Result.YIELD
    variables = {"order": mapped.order_input, "options": mapped.options}
    sent = {**_expected_money(mapped), "variant_prices": _variant_prices(mapped, ctx.variants), **synced}
    if not claims.mark_sending(record=record, token=ctx.token, sent_input=variables, extra=sent, after=ctx.behind):
        return Result.DONE  # the sweeper took it back: another lane owns it now
    try:
        response = ctx.client.execute(ORDER_CREATE, variables)
    except ShopifyThrottled as exc:
        ctx.bucket.drain(exc.retry_after)
        ctx.count("throttled")
        outcome.retry_later(Outcome.THROTTLED, until=after(exc.retry_after), uncounted=True)
        return Result.DONE
    except ShopifyTransient as exc:
        return _transient(record=record, ctx=ctx, outcome=outcome, exc=exc)
    except (ShopifyUnauthorized, ShopifyAccessDenied, ShopifyShopUnavailable) as exc:
        # Shopify refused the call itself: nothing was created. Hand the record back, the lane
        # deals with the shop (refresh, disconnect, or pause while it is frozen or locked).
        closed = isinstance(exc, ShopifyShopUnavailable)
        outcome.retry_later(Outcome.SHOP_UNAVAILABLE if closed else Outcome.UNAUTHORIZED, uncounted=True)
        raise
    except ShopifyInvalid as exc:
        outcome.failed(Outcome.INVALID, f"Shopify refused the request: {exc.message}")
        ctx.count("failed")
        return Result.DONE
    ctx.bucket.observe(response.cost, taken=taken, defer=True)  # written with the lane's next take
    if response.cost is not None:
        ctx.order_create_cost = response.cost.requested
    return _created_or_refused(record=record, payload=response.data["orderCreate"], ctx=ctx, outcome=outcome)


def _created_or_refused(*, record: PushRecord, payload: dict, ctx: PushContext, outcome: OutcomeWriter) -> Result:
    errors = payload.get("userErrors") or []
    message = "; ".join(_user_error_text(e) for e in errors)
    if errors and record.attempts <= 1 and any("variantId" in (e.get("field") or []) for e in errors):
        # A variant the cache knew is gone (product deleted or re-created): look the SKUs up
        # again and try once more before asking the merchant.
        forget_variants(shop=ctx.client.shop)
        outcome.retry_later(Outcome.USER_ERRORS, message)
        return Result.DONE
    if errors or not payload.get("order"):
        outcome.needs_attention(
            Outcome.USER_ERRORS,
            f"Shopify refused the order: {message or 'Shopify created no order and gave no reason.'}",
        )
        ctx.count("needs_attention")
        return Result.DONE
    _pushed(record=record, order=payload["order"], kind=Outcome.CREATED, ctx=ctx, outcome=outcome)
    ctx.count("pushed")
    return Result.DONE


def _pushed(*, record: PushRecord, order: dict, kind: str, ctx: PushContext, outcome: OutcomeWriter,
            detail: str = "") -> None:  # fmt: skip
    """Shopify has the order: pushed, or first held for its wave when the shop pushes held."""
    if ctx.holder is not None and ctx.holder.wants(record.id):
        ctx.holder.created(record=record, order=order, kind=kind, outcome=outcome, detail=detail)
    else:
        outcome.pushed(order=order, outcome=kind, detail=detail)


def _bucket_patience(ctx: PushContext) -> float:
    """How long this send may wait in the bucket: not past the lane's budget."""
    if ctx.deadline is None:
        return MAX_BUCKET_WAIT_SECONDS
    return max(min(MAX_BUCKET_WAIT_SECONDS, ctx.deadline - time.monotonic()), 0.0)


def _expected_money(mapped: MappedOrder) -> dict:
    """What this send expects, recorded with it: an order found later by lookup (its answer lost)
    shows the same figures as one whose answer came."""
    return {
        "shopify_total": mapped.shopify_total,
        "amount_paid": mapped.amount_paid,
        "expected_financial_status": mapped.expected_financial_status,
        "explanation": mapped.explanation,
    }


def _transient(*, record: PushRecord, ctx: PushContext, outcome: OutcomeWriter, exc: ShopifyTransient) -> Result:
    ctx.count("transient")
    if record.attempts >= settings.PUSH_MAX_ATTEMPTS:
        return _give_up(record=record, outcome=outcome, exc=exc, maybe_sent=exc.ambiguous)
    kind = Outcome.AMBIGUOUS if exc.ambiguous else Outcome.TRANSIENT
    outcome.retry_later(kind, exc.message, until=after(backoff(record.attempts)), keep_sent=exc.ambiguous)
    return Result.DONE


def _give_up(*, record: PushRecord, outcome: OutcomeWriter, exc: ShopifyTransient, maybe_sent: bool) -> Result:
    """Shopify kept failing for ``PUSH_MAX_ATTEMPTS`` tries: the order stops, failed, with the reason.
    A send that may have reached Shopify stays marked as sent, so Retry looks the order up before
    sending it again (an answer lost in an outage never becomes a second order)."""
    reason = f"Shopify kept failing after {record.attempts} attempts ({exc.message})."
    if maybe_sent:
        reason += " It may have received the order before failing: Retry looks it up first, never creating it twice."
    outcome.failed(Outcome.TRANSIENT, reason, keep_sent=maybe_sent)
    return Result.DONE


def _look_up(*, record: PushRecord, ctx: PushContext, outcome: OutcomeWriter) -> Result | None:
    """Resolve an ambiguous earlier send. None: not in Shopify, safe to send now."""
    try:
        response = ctx.client.execute(
            ORDER_BY_SOURCE_IDENTIFIER, {"query": source_identifier_query(record.backerkit_order_id)}
        )
    except ShopifyThrottled as exc:
        ctx.bucket.drain(exc.retry_after)
        outcome.hand_back(until=after(exc.retry_after))
        return Result.DONE
    except ShopifyTransient as exc:
        if record.attempts >= settings.PUSH_MAX_ATTEMPTS:
            return _give_up(record=record, outcome=outcome, exc=exc, maybe_sent=True)
        outcome.retry_later(Outcome.TRANSIENT, exc.message, until=after(backoff(record.attempts)), keep_sent=True)
        return Result.DONE
    except ShopifyInvalid as exc:
        # Shopify refused this order's search: without it a resend could double the order, so the
        # record stops here (still marked as sent: a retry looks it up again first).
        outcome.failed(Outcome.INVALID, f"Shopify refused to look the order up: {exc.message}", keep_sent=True)
        ctx.count("failed")
        return Result.DONE
    ctx.bucket.observe(response.cost)
    ctx.count("lookups")
    nodes = response.data["orders"]["nodes"]
    match = next((n for n in nodes if n.get("sourceIdentifier") == record.backerkit_order_id), None)
    if match:
        _pushed(record=record, order=match, kind=Outcome.FOUND_EXISTING, ctx=ctx, outcome=outcome,
                detail="The earlier send had reached Shopify; found by source identifier.")  # fmt: skip
        ctx.count("found_existing")
        return Result.DONE
    trusted_after = record.last_sent_at + timedelta(seconds=settings.PUSH_SEARCH_GRACE_SECONDS)
    if timezone.now() < trusted_after:
        # Not found may only mean Shopify's search index has not caught up yet: wait, then look again.
        outcome.hand_back(until=trusted_after)
        ctx.count("waiting_for_search")
        return Result.DONE
    return None


def _user_error_text(error: dict) -> str:
    path = ".".join(str(p) for p in (error.get("field") or []))
    return f"{error.get('message')} ({path})" if path else str(error.get("message"))


# --- for the bulk road (services/bulk_road.py, bulk_follow.py): the same mapping and the same
# reading of an orderCreate answer as a lane's send.


def sent_fields(mapped: MappedOrder, variants: dict[str, Variant]) -> dict:
    """What a send records besides its variables (the money it expects, the variant prices)."""
    return {**_expected_money(mapped), "variant_prices": _variant_prices(mapped, variants)}


def write_answer(*, record: PushRecord, payload: dict, ctx: PushContext, outcome: OutcomeWriter) -> Result:
    """An ``orderCreate`` payload written to its record exactly as a lane writes it."""
    return _created_or_refused(record=record, payload=payload, ctx=ctx, outcome=outcome)
