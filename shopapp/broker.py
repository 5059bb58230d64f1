"""The Redis broker transport of Celery, with one fix: a worker survives losing Redis while it
holds unacknowledged messages (``acks_late`` tasks running, ``push_lane`` countdowns waiting).

kombu 5.7's Redis channel, closed while a BRPOP is in flight on the dead connection, raises from
reading that BRPOP and stays open. Celery 5.7 then detaches the transport (``collect()``) and
closes the connection; the channel tries again to give its unacknowledged messages back, finds
no broker address, and ``AttributeError: 'NoneType' object has no attribute 'hostname'`` is an
"Unrecoverable error": the worker exits instead of reconnecting (every time, on every Redis
restart or failover; scripts/drills redis-restart). Here the missing address is reported as the
connection error it is, which closing a channel ignores, and the worker reconnects as it does
for any broker outage. Nothing is lost by not giving the messages back: Redis redelivers
unacknowledged messages after the visibility timeout, and the push sweeper finds its work in the
database anyway.

Selected by ``CELERY_BROKER_TRANSPORT`` (shopapp/settings.py); the URL only gives the address.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:  # the connection was closed under this channel
            raise RedisConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
