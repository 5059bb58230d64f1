"""The one Redis client factory of the project: the rate-limit mirror, the lanes' semaphore, the
variant cache, the token locks and the health check all take their client here.

Lowest floor that needs Redis (the cost bucket mirror lives on floor 4), so every floor above may
use it. ``None`` when ``REDIS_URL`` is empty: the embedded default runs without Redis and each
caller has its in-process stand-in. One client (one connection pool) per URL and timeouts, shared
by the threads of a process.
"""

import threading

import redis
from django.conf import settings

_lock = threading.Lock()
_clients: dict[tuple[str, float, float], redis.Redis] = {}


def shared_redis(*, socket_timeout: float = 5.0, connect_timeout: float = 3.0) -> redis.Redis | None:
    """The process's client of ``settings.REDIS_URL`` with these timeouts (a blocking lock wait
    needs a longer read timeout than a bucket script; a health check a shorter one)."""
    url = settings.REDIS_URL
    if not url:
        return None
    key = (url, socket_timeout, connect_timeout)
    with _lock:
        if key not in _clients:
            _clients[key] = redis.Redis.from_url(
                url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout
            )
        return _clients[key]
