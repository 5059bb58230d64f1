"""Pacing calls to one shop so that every worker, on every machine, stays inside its cost bucket.

Shopify meters the Admin GraphQL API with a leaky bucket per app and store (calculated query cost,
``extensions.cost.throttleStatus``). We keep a mirror of that bucket in Redis, shared by all
workers: a call first takes its expected cost from the mirror (waiting when it is short), and each
answer corrects the mirror with what Shopify reports and what it charged. Throttled answers are then
rare, and when one comes it is waited out, never counted as a failure.

The mirror keeps a reserve (``SHOPIFY_BUCKET_RESERVE_SECONDS`` of restore, at most a tenth of the
bucket): calls taken in order reach Shopify out of order and in clumps (100-300 ms each), so an
empty-to-the-point mirror meets a Shopify bucket a few calls short. The reserve costs no throughput
(the bucket still restores at its full rate), only its own size once, at the start.

A lane's answers ride on its next take (``observe(..., defer=True)``, then one script call for
both): one Redis round trip per send instead of two. The answer is aged to the moment it is
written (Shopify's figure plus the restore since), so it corrects the mirror exactly as it would
have when it came; the lane writes what is left with ``flush()`` when it stops, and any other use
of the same ``CostBucket`` writes it first. An answer lost with its process only leaves the mirror
uncorrected once: the next answer corrects it (and a throttled answer drains it).
https://shopify.dev/docs/api/usage/rate-limits
"""

import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

from integrations.shopify.client import QueryCost
from integrations.shopify.redis_client import shared_redis

# A patience no wait reaches: _RESERVE books whatever the wait (take_ahead).
_ALWAYS = 1e12
# Until Shopify has told us the shop's figures: the Standard plan's.
DEFAULT_MAXIMUM = 2000.0
DEFAULT_RESTORE_RATE = 100.0

# The scripts share how the mirror is read and written. KEYS[1]: the bucket hash. ARGV[1..3]:
# now, the default maximum and restore rate (until Shopify has reported them); ARGV[4..]: the
# script's own. ``stored`` is nil when there is no mirror yet (new, expired, Redis restarted).
_READ = """
local b = redis.call('HMGET', KEYS[1], 'available', 'max', 'rate', 'ts', 'drains')
local now = tonumber(ARGV[1])
local max = tonumber(b[2]) or tonumber(ARGV[2])
local rate = tonumber(b[3]) or tonumber(ARGV[3])
local stored = tonumber(b[1])
local elapsed = math.max(0, now - (tonumber(b[4]) or now))
local drains = b[5] or '0'
"""
_WRITE = """
redis.call('HSET', KEYS[1], 'available', tostring(available), 'max', tostring(max),
  'rate', tostring(rate), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
"""

# ARGV[4..6]: cost, reserve seconds, share of the bucket left to others (0: none; a background
# reader with 0.75 only ever spends the top quarter). Returns the seconds to wait (0: taken).
_ACQUIRE = (
    _READ
    + """
local cost = tonumber(ARGV[4])
local available = math.min(max, (stored or max) + elapsed * rate)
local reserve = math.max(0, math.min(rate * tonumber(ARGV[5]), max / 10, max - cost))
reserve = math.max(reserve, math.min(max * (tonumber(ARGV[6]) or 0), max - cost))
local wait = 0
if available - cost >= reserve then
  available = available - cost
else
  wait = (cost + reserve - available) / rate
end
"""
    + _WRITE
    + "return tostring(wait)"
)

# ARGV[4..6]: cost, reserve seconds, the longest the caller will wait. As _ACQUIRE, but a call that
# must wait books its cost now, for when the mirror will have it (the mirror may go below zero: the
# calls booked ahead), so the caller sleeps once and sends, instead of asking again and again with
# every other waiting lane. Returns {booked (0/1), seconds to wait, the mirror's drain count}: not
# booked when the wait is longer than the caller's patience (nothing taken).
_RESERVE = (
    _READ
    + """
local cost = tonumber(ARGV[4])
local available = math.min(max, (stored or max) + elapsed * rate)
local reserve = math.max(0, math.min(rate * tonumber(ARGV[5]), max / 10, max - cost))
local wait = 0
if available - cost < reserve then
  wait = (cost + reserve - available) / rate
end
local booked = 0
if wait <= tonumber(ARGV[6]) then
  available = available - cost
  booked = 1
end
"""
    + _WRITE
    + "return {booked, tostring(wait), drains}"
)

# ARGV[4]: the drain count a booking was made under. Whether no throttled answer drained the mirror
# since (then the booked call may go; else it books again, behind the drain).
_STILL_BOOKED = """
return (redis.call('HGET', KEYS[1], 'drains') or '0') == ARGV[4] and 1 or 0
"""


# ARGV[4..7]: reported available, max and rate; refund (what the call took from the mirror minus
# what Shopify charged; negative for a call that took nothing beforehand). Never raises the mirror
# above what Shopify reports: in-flight calls Shopify has charged but not yet answered would
# otherwise be forgotten. Without a mirror, Shopify's figure is it (it already counts this call).
def _observe_step(first: int) -> str:
    """The answer's correction, its four arguments from ARGV[first]; leaves ``stored`` corrected."""
    return f"""
local reported = tonumber(ARGV[{first}])
max = tonumber(ARGV[{first + 1}])
rate = math.max(tonumber(ARGV[{first + 2}]), 0.001)
local observed = reported
if stored then
  observed = math.min(max, stored + elapsed * rate + tonumber(ARGV[{first + 3}]), reported)
end
stored = observed
elapsed = 0
"""


_OBSERVE = _READ + _observe_step(4) + "local available = stored\n" + _WRITE + "return 1"

# ARGV[4..6] as _RESERVE's, ARGV[7..10] as _OBSERVE's: a lane's previous answer, then its booking,
# in one call (the answer first: the booking sees the mirror it corrected).
_OBSERVE_AND_RESERVE = _READ + _observe_step(7) + _RESERVE.removeprefix(_READ)

# ARGV[4]: seconds Shopify said to wait. Only ever lowers the mirror: the calls already taken and
# still in flight stay counted.
_DRAIN = (
    _READ
    + """
local available = math.min(max, (stored or max) + elapsed * rate, -tonumber(ARGV[4]) * rate)
redis.call('HINCRBY', KEYS[1], 'drains', 1)
"""
    + _WRITE
    + "return 1"
)


@dataclass
class _LocalBucket:
    """The mirror without Redis (the embedded default: one process, tasks in-process)."""

    available: float = DEFAULT_MAXIMUM
    maximum: float = DEFAULT_MAXIMUM
    rate: float = DEFAULT_RESTORE_RATE
    ts: float = 0.0

    def restore(self, now: float) -> None:
        self.available = min(self.maximum, self.available + max(0.0, now - self.ts) * self.rate)
        self.ts = now


class CostBucket:
    """The shared mirror of one shop's Shopify cost bucket."""

    _local: dict[str, _LocalBucket] = {}
    _local_lock = threading.Lock()

    def __init__(self, shop: str):
        self.shop = shop
        self.key = f"shopify:bucket:{shop}"
        self._redis = shared_redis()
        # An answer not written yet (observe(defer=True)): its script arguments and when it came.
        self._deferred: tuple[float, float, float, float, float] | None = None

    def restore_rate(self) -> float:
        """Points a second the shop's bucket restores (Shopify's figure once reported)."""
        if self._redis is None:
            return self._local.get(self.shop, _LocalBucket()).rate
        if self._deferred is not None:  # Shopify's figure in the answer not written yet: what the mirror will hold
            return max(self._deferred[3], 0.001)
        stored = self._redis.hget(self.key, "rate")
        return float(stored) if stored else DEFAULT_RESTORE_RATE

    def take(self, cost: float, *, leave: float = 0.0) -> float:
        """Take ``cost`` points, or return the seconds to wait before asking again. ``leave``: the
        share of the bucket (0..1) that must stay for others after this call (a background reader
        bounded to the top of the bucket, so pushes are never starved by it)."""
        now = time.time()
        if self._redis is None:
            return self._take_local(cost, now, leave=leave)
        self.flush()
        return float(self._script(_ACQUIRE, now, cost, settings.SHOPIFY_BUCKET_RESERVE_SECONDS, leave))

    def wait_and_take(self, cost: float, *, max_wait: float, leave: float = 0.0) -> float:
        """Block until ``cost`` is taken (returns 0), or give up when that would take longer than
        ``max_wait`` seconds (returns how long the caller should wait before asking again).

        With Redis the cost is booked ahead (``_RESERVE``): one sleep, then one check that no
        throttled answer drained the mirror meanwhile (if one did, the call books again). A caller
        that leaves a share to others (``leave``) never books: a booking would spend that share."""
        deadline = time.monotonic() + max_wait
        if self._redis is not None and not leave:
            return self._book_and_wait(cost, deadline=deadline)
        while True:
            wait = self.take(cost, leave=leave)
            if wait <= 0:
                return 0.0
            if time.monotonic() + wait > deadline:
                return wait
            time.sleep(wait)

    def take_ahead(self, cost: float) -> None:
        """Take ``cost`` now, ahead of the calls booked and sleeping on their turns: for a rare call
        worth many of theirs (a bulk operation's control call starts hundreds of orders), which
        must not wait seconds behind every lane's booking. It spends the reserve the mirror keeps
        at Shopify (``SHOPIFY_BUCKET_RESERVE_SECONDS``); the calls booked keep their turns, and the
        mirror (further below zero) makes every later booking wait for it."""
        now = time.time()
        if self._redis is None:
            with self._local_lock:
                bucket = self._local.setdefault(self.shop, _LocalBucket(ts=now))
                bucket.restore(now)
                bucket.available -= cost
            return
        self._script(_RESERVE, now, cost, settings.SHOPIFY_BUCKET_RESERVE_SECONDS, _ALWAYS)

    def _book_and_wait(self, cost: float, *, deadline: float) -> float:
        while True:
            patience = max(deadline - time.monotonic(), 0.0)
            now = time.time()
            args = (now, cost, settings.SHOPIFY_BUCKET_RESERVE_SECONDS, patience)
            answer = self._take_deferred(now)
            if answer is None:
                booked, wait, drains = self._script(_RESERVE, *args)
            else:
                booked, wait, drains = self._script(_OBSERVE_AND_RESERVE, *args, *answer)
            wait = float(wait)
            if not int(booked):
                return wait
            if wait <= 0:
                return 0.0
            time.sleep(wait)
            if int(self._script(_STILL_BOOKED, time.time(), drains)):
                return 0.0

    def observe(self, cost: QueryCost | None, *, taken: float = 0.0, defer: bool = False) -> None:
        """Correct the mirror with an answer's cost: ``taken`` is what the call took beforehand (0
        for calls that are only charged afterwards), Shopify's ``actualQueryCost`` what it spent.
        ``defer``: written with this bucket's next take (one Redis call for both), or by ``flush``."""
        if cost is None or cost.throttle_status is None:
            return
        status = cost.throttle_status
        charged = cost.actual if cost.actual is not None else cost.requested
        refund = taken - charged
        now = time.time()
        if self._redis is None:
            with self._local_lock:
                bucket = self._local.setdefault(self.shop, _LocalBucket(ts=now))
                bucket.maximum, bucket.rate = status.maximum_available, status.restore_rate
                bucket.available = min(bucket.available + refund, status.currently_available)
                bucket.ts = now
            return
        self.flush()
        self._deferred = (now, status.currently_available, status.maximum_available, status.restore_rate, refund)
        if not defer:
            self.flush()

    def flush(self) -> None:
        """Write the answer ``observe(defer=True)`` kept, if any (a lane does when it stops)."""
        now = time.time()
        answer = self._take_deferred(now)
        if answer is not None:
            self._script(_OBSERVE, now, *answer)

    def _take_deferred(self, now: float) -> tuple[float, float, float, float] | None:
        """The kept answer's script arguments, aged to ``now``: Shopify's figure plus what its bucket
        restored since it answered (the same correction as written when it came); None if none."""
        if self._deferred is None:
            return None
        at, available, maximum, rate, refund = self._deferred
        self._deferred = None
        return min(maximum, available + max(0.0, now - at) * rate), maximum, rate, refund

    def drain(self, seconds: float) -> None:
        """After a throttled answer: nobody sends for ``seconds`` (the bucket is empty at Shopify)."""
        now = time.time()
        if self._redis is None:
            with self._local_lock:
                bucket = self._local.setdefault(self.shop, _LocalBucket(ts=now))
                bucket.restore(now)
                bucket.available = min(bucket.available, -seconds * bucket.rate)
            return
        self.flush()
        self._script(_DRAIN, now, seconds)

    def _script(self, script: str, now: float, *args: float):
        """Run one of the scripts above (by its SHA once Redis knows it) on this shop's mirror."""
        return _scripts(self._redis, script)(keys=[self.key], args=[now, DEFAULT_MAXIMUM, DEFAULT_RESTORE_RATE, *args])

    def _take_local(self, cost: float, now: float, *, leave: float = 0.0) -> float:
        with self._local_lock:
            bucket = self._local.setdefault(self.shop, _LocalBucket(ts=now))
            bucket.restore(now)
            kept = max(0.0, min(bucket.maximum * leave, bucket.maximum - cost))
            if bucket.available - cost >= kept:
                bucket.available -= cost
                return 0.0
            return (cost + kept - bucket.available) / bucket.rate


_registered: dict[tuple[int, str], Any] = {}


def _scripts(client: redis.Redis, script: str):
    """``client.register_script(script)``, once per client: EVALSHA instead of sending the text."""
    key = (id(client), script)
    if key not in _registered:
        _registered[key] = client.register_script(script)
    return _registered[key]
