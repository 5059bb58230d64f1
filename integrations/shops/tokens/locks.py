"""One token operation (refresh, migration, recovery) at a time per shop, across every process.

With Redis (production): a redis-py ``Lock`` per shop, with a timeout longer than a token request
can take, so a crashed holder never blocks the shop for long. Without Redis (the embedded default):
a row lock on the shop (``SELECT ... FOR UPDATE``) held for the operation.
Whoever waited re-reads the shop after acquiring it and finds the pair the holder stored.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django.db import transaction

from integrations.shopify.redis_client import shared_redis
from integrations.shops.models import Shop
from integrations.shops.tokens.grants import GrantUnavailable

# Longer than one token request may take (connect + read timeouts), so the lock outlives it.
LOCK_TIMEOUT_SECONDS = 60
LOCK_WAIT_SECONDS = 65


@contextmanager
def shop_token_lock(*, shop_id: int) -> Iterator[None]:
    if not settings.REDIS_URL:
        with transaction.atomic():
            Shop.objects.select_for_update().filter(id=shop_id).exists()
            yield
        return
    # The read timeout outlives the blocking wait for the lock.
    client = shared_redis(socket_timeout=LOCK_WAIT_SECONDS + 5, connect_timeout=2)
    lock = client.lock(
        f"shopapp:shop-token:{shop_id}", timeout=LOCK_TIMEOUT_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS
    )
    try:
        acquired = lock.acquire()
    except redis.RedisError as exc:
        raise GrantUnavailable(f"token lock unavailable ({type(exc).__name__})", code="lock") from exc
    if not acquired:
        raise GrantUnavailable("another process holds the shop's token lock", code="lock")
    try:
        yield
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            pass  # expired while held: the next holder already owns it
