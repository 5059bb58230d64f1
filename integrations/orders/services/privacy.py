"""Customers' personal data in the push records: export, erase, expire.

Shopify's protected customer data rules (level 2: name, email, address): keep only what pushing
needs, for as long as it needs it. Personal fields (``order_data``, ``sent_input``) are encrypted
at rest and erased ``PERSONAL_DATA_RETENTION_DAYS`` after the record's last activity: after its
order became final (pushed, failed, needing attention) or went stale (pending or paused with
nothing happening to it). What the merchant needs for support and accounting stays: ids, states,
amounts, currency, the Shopify order name, the reason an order was not pushed.

A record is found for a customer by its email digest (``digests``, every listed key) or by the
Shopify order the app created for it (``orders_to_redact`` / ``orders_requested`` carry numeric
Shopify order ids; a record holds the order's GID, ``gid://shopify/Order/<id>``). Shopify customer
ids are not recorded: the app creates a Shopify customer only through an order it pushes, and
that order is listed by id.

Erasing also scrubs the texts that may quote personal values (error texts and attempt details
written before messages stopped quoting them, and Shopify's own userErrors). A waiting (pending or
paused) record whose data is erased can no longer be pushed: it ends failed with a reason, and only
a re-import from BackerKit brings it back.
"""

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from integrations.backerkit.orders import quantum
from integrations.orders.models import OrderChange, PushAttempt, PushRecord
from integrations.orders.services.digests import matching_digests

logger = logging.getLogger(__name__)

State = PushRecord.State
BATCH = 500
ERASED_MARK = "[erased]"
WAITING = (State.PENDING, State.PAUSED)
# Address fields that identify no one (kept in messages, never scrubbed).
_SENT_ADDRESS_NOT_PERSONAL = frozenset({"countryCode", "provinceCode"})
_ORDER_ADDRESS_NOT_PERSONAL = frozenset({"country_code"})


def order_gids(shopify_order_ids: Iterable[Any]) -> list[str]:
    """Shopify order GIDs from the numeric ids of a compliance payload (GIDs are taken as they are)."""
    gids = []
    for value in shopify_order_ids:
        text = str(value).strip()
        if text.isdigit():
            gids.append(f"gid://shopify/Order/{text}")
        elif text.startswith("gid://shopify/Order/"):
            gids.append(text)
    return gids


def _customer_records(*, shop_id: int, email: str, shopify_order_ids: Iterable[Any]) -> QuerySet[PushRecord]:
    digests = matching_digests(email)
    gids = order_gids(shopify_order_ids)
    match = Q(pk__in=[])
    if digests:
        match |= Q(customer_digest__in=digests)
    if gids:
        match |= Q(shopify_order_id__in=gids)
    return PushRecord.objects.filter(match, shop_id=shop_id)


def _amount(value, currency: str) -> str | None:
    if value is None:
        return None
    return str(value.quantize(quantum(currency))) if currency else str(value.normalize())


def customer_data(*, shop_id: int, email: str, shopify_order_ids: Iterable[Any] = ()) -> dict:
    """Everything we hold on this customer for this shop (customers/data_request)."""
    records = _customer_records(shop_id=shop_id, email=email, shopify_order_ids=shopify_order_ids)
    return {
        "orders": [
            {
                "backerkit_order_id": r.backerkit_order_id,
                "backer_id": r.backer_id,
                "state": r.state,
                "shopify_order_id": r.shopify_order_id,
                "shopify_order_name": r.shopify_order_name,
                "amount_paid": _amount(r.amount_paid, r.currency),
                "shopify_total": _amount(r.shopify_total, r.currency),
                "currency": r.currency,
                "order_data": r.order_data,
                "sent_to_shopify": r.sent_input,
                "last_error": r.last_error,
                "pushed_at": r.pushed_at.isoformat() if r.pushed_at else None,
                "personal_data_erased_at": (
                    r.personal_data_purged_at.isoformat() if r.personal_data_purged_at else None
                ),
            }
            for r in records.order_by("id")
        ]
    }


def redact_customer(*, shop_id: int, email: str, shopify_order_ids: Iterable[Any] = ()) -> int:
    """Erase this customer's personal data (customers/redact): the order data, what was sent to
    Shopify, the digest and backer id, and every quote of them in error texts and attempt details.
    The accounting trail stays (ids, states, amounts)."""
    ids = list(
        _customer_records(shop_id=shop_id, email=email, shopify_order_ids=shopify_order_ids).values_list(
            "id", flat=True
        )
    )
    reason = "The customer's personal data was erased at their request (customers/redact)."
    erased = 0
    for start in range(0, len(ids), BATCH):
        erased += _erase_each(record_ids=ids[start : start + BATCH], reason=reason, forget_customer=True)
    logger.info("privacy.customer_redacted", extra={"shop_id": shop_id, "records": erased})
    return erased


def purge_expired_personal_data(*, now: datetime | None = None) -> int:
    """Erase the personal data of every record past the retention period after its last activity.

    Last activity: the latest of the record's last save, its push and its last attempt (the lane
    writes with ``update()``, which leaves ``updated_at`` alone). A record being pushed right now is
    never purged. Records are erased in batches; one that cannot be (a value that no longer
    decrypts) is logged under an error id and the purge goes on."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    reason = f"Personal data erased after {days} days; re-import the order from BackerKit to push it."
    last_attempt = PushAttempt.objects.filter(record=OuterRef("pk")).order_by("-finished_at").values("finished_at")[:1]
    expired = (
        PushRecord.objects.exclude(state=State.PUSHING)
        .annotate(
            last_activity=Greatest(
                "updated_at",
                Coalesce("pushed_at", "updated_at"),
                Coalesce(Subquery(last_attempt), "updated_at"),
            )
        )
        .filter(
            Q(personal_data_purged_at__isnull=True, last_activity__lt=cutoff)
            # Erased while a lane was sending it: the lane wrote what it sent after the erasure.
            | Q(personal_data_purged_at__isnull=False) & (Q(order_data__isnull=False) | Q(sent_input__isnull=False))
        )
        .order_by("id")
    )
    purged = 0
    last_id = 0
    while batch := list(expired.filter(id__gt=last_id).values_list("id", flat=True)[:BATCH]):
        last_id = batch[-1]
        purged += _erase_each(record_ids=batch, reason=reason, forget_customer=False, cutoff=cutoff)
    if purged:
        logger.info("privacy.purged", extra={"records": purged, "retention_days": days})
    return purged


def _erase_each(*, record_ids: list[int], reason: str, forget_customer: bool, cutoff: datetime | None = None) -> int:
    """Erase a batch in one transaction; if that fails, each record on its own, so that one bad record
    (a value that no longer decrypts) is logged under an error id and the others are still erased."""
    try:
        return _erase(record_ids=record_ids, reason=reason, forget_customer=forget_customer, cutoff=cutoff)
    except Exception:
        logger.warning("privacy.erase_batch_failed", extra={"records": len(record_ids)})  # each one retried below
    erased = 0
    for record_id in record_ids:
        try:
            erased += _erase(record_ids=[record_id], reason=reason, forget_customer=forget_customer, cutoff=cutoff)
        except Exception:  # the per-record boundary
            error_id = uuid.uuid4().hex[:12]
            logger.exception("privacy.erase_failed", extra={"record_id": record_id, "error_id": error_id})
    return erased


_RECORD_FIELDS = ["order_data", "sent_input", "personal_data_purged_at", "last_error", "customer_digest", "backer_id",
                  "state", "invalid_input", "not_before"]  # fmt: skip


def _erase(*, record_ids: list[int], reason: str, forget_customer: bool, cutoff: datetime | None) -> int:
    """Erase the records' personal data under their row locks; how many were erased. A record that
    changed meanwhile (claimed by a lane, re-imported, pushed) and is no longer due is left alone."""
    last_attempt = PushAttempt.objects.filter(record=OuterRef("pk")).order_by("-finished_at").values("finished_at")[:1]
    now = timezone.now()
    with transaction.atomic():
        records = list(
            PushRecord.objects.select_for_update(of=("self",))
            .filter(id__in=record_ids)
            .annotate(last_attempt_at=Subquery(last_attempt))
            .order_by("id")
        )
        if not forget_customer:
            records = [r for r in records if r.state != State.PUSHING and _due(r, cutoff)]
        if not records:
            return 0
        details: dict[int, list[PushAttempt]] = {}
        attempts = PushAttempt.objects.filter(record_id__in=[r.id for r in records]).only("id", "record_id", "detail")
        for attempt in attempts:
            details.setdefault(attempt.record_id, []).append(attempt)
        scrubbed_attempts = []
        for record in records:
            values = personal_values(record.order_data, record.sent_input)
            ids = (record.backerkit_order_id, record.shopify_order_name)
            for attempt in details.get(record.id, []):
                cleaned = scrub(attempt.detail, values, keep=ids)
                if cleaned != attempt.detail:
                    attempt.detail = cleaned
                    scrubbed_attempts.append(attempt)
            _erase_fields(record, values=values, ids=ids, reason=reason, forget_customer=forget_customer, now=now)
        # Most records end alike (a pushed order: data gone, nothing else changes): one UPDATE per
        # distinct outcome, not a CASE per row.
        outcomes: dict[tuple, list[int]] = {}
        for record in records:
            outcomes.setdefault(tuple(getattr(record, name) for name in _RECORD_FIELDS), []).append(record.id)
        for values, ids in outcomes.items():
            PushRecord.objects.filter(id__in=ids).update(**dict(zip(_RECORD_FIELDS, values, strict=True)))
        for attempt in scrubbed_attempts:
            PushAttempt.objects.filter(id=attempt.id).update(detail=attempt.detail)
        _erase_changes(record_ids=[r.id for r in records], reason=reason)
    return len(records)


def _erase_changes(*, record_ids: list[int], reason: str) -> None:
    """The changes of erased records lose their personal data too (the newer versions, old -> new,
    conflicts); those still open can never be applied without it: dismissed, with the reason."""
    changes = OrderChange.objects.filter(record_id__in=record_ids)
    changes.filter(state__in=OrderChange.OPEN_STATES).update(
        state=OrderChange.State.DISMISSED, resolution=reason[:255], claim_token=""
    )
    changes.update(order_data=None, diff=None, conflict=None)


def _erase_fields(record: PushRecord, *, values: list[str], ids: tuple[str, ...], reason: str,
                  forget_customer: bool, now: datetime) -> None:  # fmt: skip
    record.order_data = None
    record.sent_input = None
    record.personal_data_purged_at = now
    record.last_error = scrub(record.last_error, values, keep=ids)
    if forget_customer:
        record.customer_digest = ""
        record.backer_id = ""
    if record.state in WAITING:
        # Without its address the order can never be pushed: it ends failed, for a re-import.
        record.state, record.invalid_input, record.not_before, record.last_error = State.FAILED, True, None, reason
    elif record.state in (State.FAILED, State.NEEDS_ATTENTION):
        # A retry would push an order without its data: only a re-import can bring it back.
        record.invalid_input = True
        if reason not in record.last_error:  # erased again (a purge, then a redact): said once
            record.last_error = "\n".join(text for text in (record.last_error, reason) if text)


def _due(record: PushRecord, cutoff: datetime | None) -> bool:
    """Still to be purged, now that the record is locked: past the retention period and not erased,
    or erased and holding data again (a lane that was sending it wrote what it sent afterwards)."""
    if record.personal_data_purged_at is not None:
        return record.order_data is not None or record.sent_input is not None
    return cutoff is None or _last_activity(record) < cutoff


def _last_activity(record: PushRecord) -> datetime:
    moments = [record.updated_at, record.pushed_at, record.last_attempt_at]
    return max(moment for moment in moments if moment is not None)


def personal_values(order_data: Any, sent_input: Any) -> list[str]:
    """The customer's personal values in a record's stored order and in what was sent to Shopify."""
    values: list[str] = []
    if isinstance(order_data, dict):
        values.append(order_data.get("email"))
        address = order_data.get("shipping_address")
        if isinstance(address, dict):
            values.extend(v for k, v in address.items() if k not in _ORDER_ADDRESS_NOT_PERSONAL)
    order = sent_input.get("order") if isinstance(sent_input, dict) else None
    if isinstance(order, dict):
        values.append(order.get("email"))
        for name in ("shippingAddress", "billingAddress"):
            address = order.get(name)
            if isinstance(address, dict):
                values.extend(v for k, v in address.items() if k not in _SENT_ADDRESS_NOT_PERSONAL)
        customer = (order.get("customer") or {}).get("toUpsert") if isinstance(order.get("customer"), dict) else None
        if isinstance(customer, dict):
            values.extend(customer.values())
    texts = {v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 2}
    return sorted(texts, key=len, reverse=True)  # longest first: "Ada Lovelace" before "Ada"


# A value is replaced where it stands alone: not inside an id such as "bk-ada-1", an email or a path.
_BEFORE = r"(?<![\w\-./@])"
_AFTER = r"(?![\w\-/@]|\.\w)"


def scrub(text: str, values: list[str], *, keep: tuple[str, ...] = ()) -> str:
    """``text`` with every standalone occurrence of ``values`` replaced by ``[erased]``; the ``keep``
    texts (the record's own ids) are never touched."""
    if not text or not values:
        return text
    kept = {f"\x00{index}\x00": value for index, value in enumerate(v for v in keep if v)}
    for placeholder, value in kept.items():
        text = text.replace(value, placeholder)
    for value in values:
        text = re.sub(_BEFORE + re.escape(value) + _AFTER, ERASED_MARK, text, flags=re.IGNORECASE)
    for placeholder, value in kept.items():
        text = text.replace(placeholder, value)
    return text
