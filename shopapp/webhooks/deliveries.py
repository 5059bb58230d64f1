"""Recording a delivery once by its webhook id: Shopify retries with the same id, so a repeat is a
harmless no-op. A topic handled with its delivery (``handle``: the fulfilment topics) records its
work in the same transaction, so the delivery is never acknowledged without it; its payload (a
fulfilment carries the backer's address) is not kept."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shopapp.models import WebhookDelivery

logger = logging.getLogger(__name__)


def _triggered_at(value: str) -> datetime | None:
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def record_delivery(
    *,
    webhook_id: str,
    topic: str,
    shop_domain: str,
    api_version: str,
    triggered_at: str,
    payload: Any,
    handle: Callable[[str, Any], str] | None = None,
) -> WebhookDelivery | None:
    """The new delivery, or None when this webhook id was already received. With ``handle``
    (shop domain, payload -> outcome) the delivery is handled in the same transaction and recorded
    as processed, without its payload."""
    if WebhookDelivery.objects.filter(webhook_id=webhook_id).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook_id=webhook_id,
                    topic=topic,
                    shop_domain=shop_domain,
                    api_version=api_version[:16],
                    triggered_at=_triggered_at(triggered_at),
                    payload=None if handle is not None else payload,
                )
        except IntegrityError:
            return None  # the same delivery arrived twice at once
        if handle is not None:
            delivery.outcome = handle(shop_domain, payload)[:255]
            delivery.processed_at = timezone.now()
            delivery.save(update_fields=["outcome", "processed_at"])
        return delivery
