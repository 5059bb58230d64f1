"""Tasks of the app shell. Thin: each one calls a service.

Retry policies: token work retries a grant Shopify could not answer as well (``_RETRY_TOKEN_WORK``);
webhook processing is database work made idempotent by its delivery row, like the push's tasks, so
it shares their one policy (integrations/orders/task_policy.py).
"""

from celery import shared_task
from django.db import DatabaseError
from redis.exceptions import RedisError

from integrations.orders.task_policy import RETRY_TRANSIENT
from integrations.shops.tokens import refresh as token_refresh
from integrations.shops.tokens.grants import GrantUnavailable
from integrations.shops.tokens.migrate import legacy_shop_ids, migrate_legacy_token
from integrations.shops.tokens.refresh import shops_to_refresh
from shopapp.heartbeat import record_heartbeat
from shopapp.webhooks import privacy
from shopapp.webhooks.handlers import process_delivery


@shared_task(name="shopapp.record_worker_heartbeat", ignore_result=True)
def record_worker_heartbeat() -> None:
    record_heartbeat(hostname=record_worker_heartbeat.request.hostname or "")


# --- Tokens: refresh before expiry, migration of non-expiring tokens ------------------------------
_RETRY_TOKEN_WORK = {
    "autoretry_for": (GrantUnavailable, DatabaseError, RedisError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


@shared_task(name="shopapp.refresh_expiring_tokens", ignore_result=True)
def refresh_expiring_tokens() -> None:
    """Beat: every shop whose token expires within the look-ahead gets its own refresh task."""
    for shop_id in shops_to_refresh(within=token_refresh.beat_lookahead()):
        refresh_shop_token.delay(shop_id)


@shared_task(name="shopapp.refresh_shop_token", ignore_result=True, **_RETRY_TOKEN_WORK)
def refresh_shop_token(shop_id: int) -> None:
    token_refresh.refresh_shop_token(shop_id=shop_id, margin=token_refresh.beat_lookahead())


@shared_task(name="shopapp.migrate_legacy_tokens", ignore_result=True)
def migrate_legacy_tokens() -> None:
    for shop_id in legacy_shop_ids():
        migrate_shop_token.delay(shop_id)


@shared_task(name="shopapp.migrate_shop_token", ignore_result=True, acks_late=True)
def migrate_shop_token(shop_id: int) -> None:
    migrate_legacy_token(shop_id=shop_id)


# --- Webhooks ------------------------------------------------------------------------------------
@shared_task(name="shopapp.process_webhook", ignore_result=True, **RETRY_TRANSIENT)
def process_webhook(delivery_id: int) -> None:
    process_delivery(delivery_id=delivery_id)


# --- Customers' personal data --------------------------------------------------------------------
@shared_task(name="shopapp.expire_data_request_exports", ignore_result=True, autoretry_for=(DatabaseError,),
             retry_backoff=True, retry_jitter=True, max_retries=6)  # fmt: skip
def expire_data_request_exports() -> None:
    privacy.expire_data_request_exports()
