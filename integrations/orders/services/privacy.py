"""Customers' personal data in the push records: export, erase, expire.

Shopify's protected customer data rules (level 2: name, email, address): keep only what pushing
needs, for as long as it needs it. Personal fields (``order_data``, ``sent_input``) are encrypted
at rest and erased ``PERSONAL_DATA_RETENTION_DAYS`` after the order is pushed; what the merchant
needs for support and accounting stays: ids, states, amounts, Shopify order name.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.orders.models import PushRecord
from integrations.orders.services.imports import customer_digest

logger = logging.getLogger(__name__)

_ERASED = {"order_data": None, "sent_input": None, "customer_digest": "", "backer_id": ""}


def customer_data(*, shop_id: int, email: str) -> dict:
    """Everything we hold on this customer for this shop (customers/data_request)."""
    records = PushRecord.objects.filter(shop_id=shop_id, customer_digest=customer_digest(email))
    return {
        "orders": [
            {
                "backerkit_order_id": r.backerkit_order_id,
                "state": r.state,
                "shopify_order_name": r.shopify_order_name,
                "amount_paid": str(r.amount_paid) if r.amount_paid is not None else None,
                "currency": r.currency,
                "order_data": r.order_data,
                "pushed_at": r.pushed_at.isoformat() if r.pushed_at else None,
            }
            for r in records
        ]
    }


def redact_customer(*, shop_id: int, email: str) -> int:
    """Erase this customer's personal data (customers/redact); the accounting trail stays."""
    count = PushRecord.objects.filter(shop_id=shop_id, customer_digest=customer_digest(email)).update(
        **_ERASED, personal_data_purged_at=timezone.now()
    )
    logger.info("privacy.customer_redacted", extra={"shop_id": shop_id, "records": count})
    return count


def purge_expired_personal_data() -> int:
    cutoff = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    count = PushRecord.objects.filter(
        state=PushRecord.State.PUSHED, pushed_at__lt=cutoff, personal_data_purged_at__isnull=True
    ).update(order_data=None, sent_input=None, personal_data_purged_at=timezone.now())
    if count:
        logger.info("privacy.purged", extra={"records": count})
    return count
