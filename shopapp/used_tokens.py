"""Id tokens that travelled in a URL open one page, once.

A page load carries its id token in the query (the admin adds it to the app's first load; App
Bridge and static/shopapp/session.js to the reloads and links): browsers' histories, proxies and
Referers may keep that address. So a token read from a URL is remembered by its ``jti`` until it
expires, and refused the second time. With Redis (production) each ``jti`` is a key with the
token's remaining lifetime as TTL; without Redis (the embedded default), or while Redis cannot be
reached, a row of ``UsedIdToken``, deleted after its expiry. Tokens in an ``Authorization`` header
or a form body are not remembered: App Bridge may hand the same token to several fetches.
"""

import hashlib
import logging
import time
from datetime import UTC, datetime
from functools import lru_cache

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopapp.models import UsedIdToken

logger = logging.getLogger(__name__)

# Past ``exp`` a token is refused anyway; the decoder allows this much clock leeway (ShopifyAPI: 10 s).
EXPIRY_LEEWAY_SECONDS = 10


@lru_cache(maxsize=2)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def _digest(jti: str) -> str:
    return hashlib.sha256(jti.encode()).hexdigest()


def _first_use_in_database(digest: str, expires_at: float) -> bool:
    UsedIdToken.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedIdToken.objects.create(jti_digest=digest, expires_at=datetime.fromtimestamp(expires_at, UTC))
    except IntegrityError:
        return False
    return True


def first_use(*, jti: str, expires_at: float) -> bool:
    """True the first time the token ``jti`` (valid until ``expires_at``, a Unix time) is used in a URL."""
    digest = _digest(jti)
    remembered_until = expires_at + EXPIRY_LEEWAY_SECONDS
    if settings.REDIS_URL:
        ttl = max(1, int(remembered_until - time.time()) + 1)
        try:
            return bool(_redis(settings.REDIS_URL).set(f"shopapp:used-id-token:{digest}", 1, nx=True, ex=ttl))
        except redis.RedisError as exc:
            logger.warning("session_token.replay_store_unavailable", extra={"error": type(exc).__name__})
    return _first_use_in_database(digest, remembered_until)
