"""Recording a delivery once by its webhook id: Shopify retries with the same id, so a repeat is a
harmless no-op."""

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from shopapp.models import WebhookDelivery

logger = logging.getLogger(__name__)


def _triggered_at(value: str) -> datetime | None:
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def record_delivery(
    *, webhook_id: str, topic: str, shop_domain: str, api_version: str, triggered_at: str, payload: Any
) -> WebhookDelivery | None:
    """The new delivery, or None when this webhook id was already received."""
    if WebhookDelivery.objects.filter(webhook_id=webhook_id).exists():
        return None
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                webhook_id=webhook_id,
                topic=topic,
                shop_domain=shop_domain,
                api_version=api_version[:16],
                triggered_at=_triggered_at(triggered_at),
                payload=payload,
            )
    except IntegrityError:
        return None  # the same delivery arrived twice at once
