"""`GET /healthz`: the state of the database and the broker, for load balancers and on-call."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from integrations.shopify.redis_client import shared_redis
from shopapp.heartbeat import last_heartbeat_age_seconds

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any driver error means "down"; the reason goes to the log
        logger.warning("healthz.database_down", extra={"error": type(exc).__name__})
        return "down"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        shared_redis(socket_timeout=1, connect_timeout=1).ping()
        return "ok"
    except redis.RedisError as exc:
        logger.warning("healthz.broker_down", extra={"error": type(exc).__name__})
        return "down"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = "down" not in checks.values()
    body = {"status": "ok" if healthy else "down", **checks}
    if checks["database"] == "ok":
        # Informational: a stale heartbeat means no worker is consuming (beat enqueues one a minute).
        body["worker_heartbeat_age_seconds"] = last_heartbeat_age_seconds()
    return JsonResponse(body, status=200 if healthy else 503)
