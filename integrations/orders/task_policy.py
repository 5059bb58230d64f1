"""How the push domain's tasks retry: one policy for all of them (and for the shell's webhook
processing, idempotent database work of the same kind: shopapp/tasks.py).

Every task is idempotent (records are claimed in the database), so ``acks_late`` with rejection
on worker loss is safe: a task redelivered after a SIGKILL finds its work by state, not by message.
Database and broker hiccups are retried with exponential backoff and jitter, up to a bound; nothing
else is retried by Celery (Shopify's and BackerKit's errors are handled by type in the services).
"""

from django.db import DatabaseError
from redis.exceptions import RedisError

RETRY_TRANSIENT = {
    "autoretry_for": (DatabaseError, RedisError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
}
