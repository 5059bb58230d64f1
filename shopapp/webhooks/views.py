"""``POST /webhooks``: one endpoint for every topic (shopify.app.toml). The HMAC is checked on the
raw body before anything is parsed (401 when wrong); the body must then be the named topic's, for
the named shop, triggered within Shopify's retry window (payloads.py: the headers are not signed);
the delivery is recorded by its id and processed in a task, so Shopify gets its 200 within its 5
seconds and a repeat changes nothing.

A refused delivery answers 400 and is logged as ``webhook.refused`` with its reason. Why a 4xx and
not a quiet 200: Shopify retries a non-2xx answer, but only 8 times over 4 hours, then gives up
(https://shopify.dev/docs/apps/build/webhooks/verify-deliveries), so nothing retries forever. A
replay or forgery gains nothing either way (it is never recorded or processed); a genuine delivery
refused by a mistake of ours stays visible (Shopify's delivery metrics, our log) and is delivered
again once fixed, instead of being acknowledged and lost."""

import json
import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.shopify.domains import sanitize_shop_domain
from shopapp.tasks import process_webhook
from shopapp.webhooks.deliveries import record_delivery
from shopapp.webhooks.handlers import HANDLERS, WITH_DELIVERY
from shopapp.webhooks.payloads import DeliveryRefused, check_payload, check_triggered_at
from shopapp.webhooks.signatures import signature_valid

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body
    if not signature_valid(body=body, signature=request.headers.get("X-Shopify-Hmac-Sha256", "")):
        logger.warning("webhook.bad_signature", extra={"topic": request.headers.get("X-Shopify-Topic", "")})
        return HttpResponse(status=401)
    topic = request.headers.get("X-Shopify-Topic", "")
    shop_domain = sanitize_shop_domain(request.headers.get("X-Shopify-Shop-Domain", ""))
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "")
    if not topic or not shop_domain or not webhook_id:
        return HttpResponse(status=400)
    if topic not in HANDLERS and topic not in WITH_DELIVERY:
        logger.info("webhook.ignored", extra={"topic": topic, "shop": shop_domain})
        return HttpResponse(status=200)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    try:
        check_payload(topic=topic, shop_domain=shop_domain, payload=payload)
        check_triggered_at(request.headers.get("X-Shopify-Triggered-At", ""))
    except DeliveryRefused as refused:
        logger.warning(
            "webhook.refused",
            extra={"topic": topic, "shop": shop_domain, "webhook_id": webhook_id[:64], "reason": refused.reason},
        )
        return HttpResponse(status=400)
    delivery = record_delivery(
        webhook_id=webhook_id,
        topic=topic,
        shop_domain=shop_domain,
        api_version=request.headers.get("X-Shopify-API-Version", ""),
        triggered_at=request.headers.get("X-Shopify-Triggered-At", ""),
        payload=payload,
        handle=WITH_DELIVERY.get(topic),
    )
    if delivery is None:
        logger.info("webhook.repeat", extra={"topic": topic, "shop": shop_domain, "webhook_id": webhook_id})
        return HttpResponse(status=200)
    if topic in HANDLERS:
        delivery_id = delivery.id
        transaction.on_commit(lambda: process_webhook.delay(delivery_id))
    logger.info("webhook.received", extra={"topic": topic, "shop": shop_domain, "webhook_id": webhook_id})
    return HttpResponse(status=200)
