"""``POST /webhooks``: one endpoint for every topic (shopify.app.toml). The HMAC is checked on the
raw body before anything is parsed (401 when wrong); the delivery is recorded by its id and
processed in a task, so Shopify gets its 200 within its 5 seconds and a repeat changes nothing."""

import json
import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.shopify.domains import sanitize_shop_domain
from shopapp.tasks import process_webhook
from shopapp.webhooks.deliveries import record_delivery
from shopapp.webhooks.handlers import HANDLERS
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
    if topic not in HANDLERS:
        logger.info("webhook.ignored", extra={"topic": topic, "shop": shop_domain})
        return HttpResponse(status=200)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    delivery = record_delivery(
        webhook_id=webhook_id,
        topic=topic,
        shop_domain=shop_domain,
        api_version=request.headers.get("X-Shopify-API-Version", ""),
        triggered_at=request.headers.get("X-Shopify-Triggered-At", ""),
        payload=payload,
    )
    if delivery is None:
        logger.info("webhook.repeat", extra={"topic": topic, "shop": shop_domain, "webhook_id": webhook_id})
        return HttpResponse(status=200)
    delivery_id = delivery.id
    transaction.on_commit(lambda: process_webhook.delay(delivery_id))
    logger.info("webhook.received", extra={"topic": topic, "shop": shop_domain, "webhook_id": webhook_id})
    return HttpResponse(status=200)
