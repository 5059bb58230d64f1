"""The mandatory compliance topics: a customer's data request and erasure, and the shop's erasure.
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance

The push domain holds the customers' data (BackerKit orders): its export and erasure services are
imported directly, so a moved or renamed service fails loudly at start-up, never erases nothing quietly.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.orders.services import privacy as customer_privacy
from integrations.shops.models import Shop
from shopapp.models import DataRequest, WebhookDelivery

logger = logging.getLogger(__name__)


def _customer(payload: dict[str, Any]) -> tuple[str, str]:
    customer = payload.get("customer") or {}
    return str(customer.get("id") or ""), str(customer.get("email") or "")


def _order_ids(payload: dict[str, Any], key: str) -> list[Any]:
    ids = payload.get(key)
    return [value for value in ids if isinstance(value, int | str)] if isinstance(ids, list) else []


def record_data_request(*, shop: Shop, payload: dict[str, Any]) -> DataRequest:
    """Record the request and what we hold on the customer, for the merchant to hand over. The
    customer's records are found by email and by the Shopify orders the request names."""
    customer_id, email = _customer(payload)
    orders_requested = _order_ids(payload, "orders_requested")
    export: dict[str, Any] = {
        "store": shop.domain,
        "customer": {"id": customer_id, "email": email},
        "orders_requested": orders_requested,
        "orders": customer_privacy.customer_data(shop_id=shop.id, email=email, shopify_order_ids=orders_requested)[
            "orders"
        ],
    }
    request = DataRequest.objects.create(
        shop=shop,
        shopify_request_id=str((payload.get("data_request") or {}).get("id") or ""),
        customer_id=customer_id,
        customer_email=email,
        export=export,
        completed_at=timezone.now(),
    )
    logger.info("privacy.data_request", extra={"shop_id": shop.id, "data_request_id": request.id})
    return request


def redact_customer(*, shop: Shop, payload: dict[str, Any]) -> int:
    """Erase the customer's personal data: the push records (through the push domain), found by email
    and by the Shopify orders in ``orders_to_redact``, and the data requests we kept for them."""
    customer_id, email = _customer(payload)
    erased = customer_privacy.redact_customer(
        shop_id=shop.id, email=email, shopify_order_ids=_order_ids(payload, "orders_to_redact")
    )
    for request in DataRequest.objects.filter(shop=shop):
        same_email = email and request.customer_email.strip().lower() == email.strip().lower()
        if same_email or (customer_id and request.customer_id == customer_id):
            request.delete()
    logger.info("privacy.customer_redacted", extra={"shop_id": shop.id, "records": erased})
    return erased


def expire_data_request_exports(*, now: datetime | None = None) -> int:
    """Erase the data-request exports older than ``DATA_REQUEST_EXPORT_DAYS`` (the merchant had
    them to hand over; kept longer they would be one more copy of the customer's data)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DATA_REQUEST_EXPORT_DAYS)
    count, _ = DataRequest.objects.filter(received_at__lt=cutoff).delete()
    if count:
        logger.info("privacy.data_requests_expired", extra={"data_requests": count})
    return count


def redact_shop(*, shop_domain: str, keep_delivery_id: int) -> str:
    """Erase everything about the shop: the Shop row and, by cascade, its settings, orders, push
    records and data requests; other webhook deliveries of the shop too. Returns the outcome.

    Shopify sends ``shop/redact`` 48 hours after an uninstall. A shop that is installed now has
    reinstalled since (or never uninstalled: a forged or replayed delivery): its data is the
    merchant's current work and is kept, and the outcome says so."""
    shop = Shop.objects.filter(domain=shop_domain).first()
    if shop is not None and shop.status != Shop.Status.UNINSTALLED:
        logger.warning(
            "privacy.shop_redact_skipped", extra={"shop": shop_domain, "shop_id": shop.id, "status": shop.status}
        )
        return "nothing erased: the shop is installed (reinstalled since the uninstall)"
    Shop.objects.filter(domain=shop_domain).delete()
    WebhookDelivery.objects.filter(shop_domain=shop_domain).exclude(id=keep_delivery_id).delete()
    logger.info("privacy.shop_redacted", extra={"shop": shop_domain})
    return "shop erased"
