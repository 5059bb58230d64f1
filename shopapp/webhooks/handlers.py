"""What each webhook topic does, dispatched through ``HANDLERS``. Run by the ``shopapp.process_webhook``
task, once per delivery; every handler is safe to run again. The fulfilment topics are handled with
their delivery instead (``WITH_DELIVERY``: the outbox event is recorded in the delivery's own
transaction, deliveries.py), and send their work to a task themselves."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from integrations.orders.bulk_tasks import bulk_follow_operation
from integrations.orders.fulfilments import UnreadableFulfilment, cancellation_from_webhook, from_webhook
from integrations.orders.models import ShipmentEvent
from integrations.orders.services.bulk_follow import by_shopify_id
from integrations.orders.services.shipments import record_cancellation, record_fulfilment
from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop, mark_connected, mark_uninstalled
from integrations.shops.tokens.scopes import missing_scopes, scopes_reduced_reason
from shopapp.models import WebhookDelivery
from shopapp.webhooks import privacy

logger = logging.getLogger(__name__)


def _shop(delivery: WebhookDelivery) -> Shop | None:
    return Shop.objects.filter(domain=delivery.shop_domain).first()


def app_uninstalled(delivery: WebhookDelivery) -> str:
    shop = _shop(delivery)
    if shop is None:
        return "unknown shop"
    # A late delivery must not undo a reinstall that happened after it was triggered.
    if delivery.triggered_at and shop.installed_at and shop.installed_at > delivery.triggered_at:
        return "ignored: reinstalled since"
    mark_uninstalled(shop_id=shop.id)
    return "uninstalled"


def app_scopes_update(delivery: WebhookDelivery) -> str:
    shop = _shop(delivery)
    if shop is None:
        return "unknown shop"
    current = [str(s) for s in (delivery.payload or {}).get("current") or []]
    Shop.objects.filter(id=shop.id).update(scopes=",".join(current), updated_at=timezone.now())
    missing = missing_scopes(current)
    if missing:
        reason = scopes_reduced_reason(missing)
        disconnect_shop(shop_id=shop.id, reason=reason, cause=Shop.DisconnectCause.SCOPES_REDUCED)
        return f"disconnected: missing {','.join(missing)}"
    if shop.status == Shop.Status.DISCONNECTED and shop.disconnect_cause == Shop.DisconnectCause.SCOPES_REDUCED:
        mark_connected(shop_id=shop.id)
        return "reconnected: scopes granted again"
    return "scopes recorded"


def customers_data_request(delivery: WebhookDelivery) -> str:
    shop = _shop(delivery)
    if shop is None:
        return "unknown shop: nothing held"
    request = privacy.record_data_request(shop=shop, payload=delivery.payload or {})
    return f"data request {request.id} recorded"


def customers_redact(delivery: WebhookDelivery) -> str:
    shop = _shop(delivery)
    if shop is None:
        return "unknown shop: nothing held"
    erased = privacy.redact_customer(shop=shop, payload=delivery.payload or {})
    return f"redacted {erased} records"


def shop_redact(delivery: WebhookDelivery) -> str:
    return privacy.redact_shop(shop_domain=delivery.shop_domain, keep_delivery_id=delivery.id)


def bulk_operations_finish(delivery: WebhookDelivery) -> str:
    """One of our bulk operations ended: follow it now (the tick would poll it soon anyway)."""
    payload = delivery.payload or {}
    operation_id = by_shopify_id(shop_domain=delivery.shop_domain, shopify_id=str(payload["admin_graphql_api_id"]))
    if operation_id is None:
        return "not one of our bulk operations"
    transaction.on_commit(lambda: bulk_follow_operation.delay(operation_id))
    return f"following bulk operation {operation_id} ({payload.get('status')})"


HANDLERS: dict[str, Callable[[WebhookDelivery], str]] = {
    "bulk_operations/finish": bulk_operations_finish,
    "app/uninstalled": app_uninstalled,
    "app/scopes_update": app_scopes_update,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
}


def _shop_id(shop_domain: str) -> int | None:
    return Shop.objects.filter(domain=shop_domain).values_list("id", flat=True).first()


def fulfilment_changed(shop_domain: str, payload: dict) -> str:
    """``fulfillments/create`` and ``fulfillments/update``: a pushed order's shipment, for BackerKit.
    The payload names no shop: it is bound to the header's by the order, looked up in that shop only."""
    shop_id = _shop_id(shop_domain)
    if shop_id is None:
        return "unknown shop"
    try:
        fulfilment = from_webhook(payload)
    except (UnreadableFulfilment, TypeError, ValueError) as exc:
        logger.warning("webhook.unreadable_fulfilment", extra={"shop": shop_domain, "problem": str(exc)[:120]})
        return f"unreadable: {exc}"
    return record_fulfilment(shop_id=shop_id, fulfilment=fulfilment, source=ShipmentEvent.Source.WEBHOOK).outcome


def order_cancelled(shop_domain: str, payload: dict) -> str:
    """``orders/cancelled``: the merchant cancelled a pushed order in Shopify; BackerKit is told."""
    shop_id = _shop_id(shop_domain)
    if shop_id is None:
        return "unknown shop"
    try:
        cancellation = cancellation_from_webhook(payload)
    except (UnreadableFulfilment, TypeError, ValueError) as exc:
        return f"unreadable: {exc}"
    return record_cancellation(shop_id=shop_id, cancellation=cancellation, source=ShipmentEvent.Source.WEBHOOK).outcome


WITH_DELIVERY: dict[str, Callable[[str, dict], str]] = {
    "fulfillments/create": fulfilment_changed,
    "fulfillments/update": fulfilment_changed,
    "orders/cancelled": order_cancelled,
}


def process_delivery(*, delivery_id: int) -> None:
    """Run the delivery's handler once; its payload (possibly a customer's email) is then erased."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(id=delivery_id).first()
        if delivery is None or delivery.processed_at is not None:
            return
        outcome = HANDLERS[delivery.topic](delivery)
        WebhookDelivery.objects.filter(id=delivery_id).update(
            processed_at=timezone.now(), outcome=outcome[:255], payload=None
        )
    logger.info("webhook.processed", extra={"topic": delivery.topic, "shop": delivery.shop_domain, "outcome": outcome})
