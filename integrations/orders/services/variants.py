"""SKU -> Shopify variant, fetched in pages and cached per shop, so the bucket is spent on orders.

A campaign has tens of SKUs and thousands of orders: each SKU is looked up once per cache period
(one query for many SKUs, ``first`` = as many as asked, so it costs about one point per SKU), not
once per order. SKUs Shopify does not have are cached too (as missing), so an unknown SKU costs
nothing more either.

A push's lanes start together and all find the cache empty: one lane looks its SKUs up while the
others wait for its answer in the cache (a Redis key per shop, ``_LookupTurn``), then look up only
what is still missing, side by side. Twenty lanes asked for the same SKUs at once before (twenty
queries, each slower for the others, before the first order could go). A lane waits at most
``LOOKUP_WAIT_SECONDS``: a lane that died holding the turn delays the others that long, once.
"""

import json
import threading
import time
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from redis.exceptions import LockError

from integrations.orders.documents import VARIANTS_BY_SKU, skus_query
from integrations.orders.mapping import Variant
from integrations.shopify.client import AdminClient
from integrations.shopify.redis_client import shared_redis

_MISSING = ""
_CHUNK = 50
# The longest a lane waits for another lane's lookup of the shop's SKUs, and how often it looks.
LOOKUP_WAIT_SECONDS = 3.0
_LOOKUP_POLL_SECONDS = 0.05
# The turn expires by itself (a lane that died with it): longer than a lookup of a few pages.
_LOOKUP_TURN_SECONDS = 10

_local_cache: dict[str, tuple[float, dict[str, str]]] = {}
_local_lock = threading.Lock()


def _cache_key(shop: str) -> str:
    return f"shopify:variants:{shop}"


def _read_cache(shop: str, skus: list[str]) -> dict[str, str | None]:
    redis = shared_redis()
    if redis is None:
        with _local_lock:
            expires, cached = _local_cache.get(shop, (0.0, {}))
            if expires < time.time():
                return dict.fromkeys(skus)
            return {sku: cached.get(sku) for sku in skus}
    values = redis.hmget(_cache_key(shop), skus)
    return {sku: (v.decode() if v is not None else None) for sku, v in zip(skus, values, strict=True)}


def _write_cache(shop: str, found: dict[str, str]) -> None:
    if not found:
        return
    redis = shared_redis()
    if redis is None:
        with _local_lock:
            expires, cached = _local_cache.get(shop, (0.0, {}))
            if expires < time.time():
                expires, cached = time.time() + settings.VARIANT_CACHE_SECONDS, {}
            cached.update(found)
            _local_cache[shop] = (expires, cached)
        return
    pipe = redis.pipeline()
    pipe.hset(_cache_key(shop), mapping=found)
    pipe.expire(_cache_key(shop), settings.VARIANT_CACHE_SECONDS, nx=True)
    pipe.execute()


def forget_variants(*, shop: str) -> None:
    """After the merchant adds products (retry): look every SKU up again."""
    redis = shared_redis()
    if redis is None:
        with _local_lock:
            _local_cache.pop(shop, None)
        return
    redis.delete(_cache_key(shop))


class _LookupTurn:
    """One lane at a time looks a shop's SKUs up; the others wait for its answer in the cache. The
    turn is a redis-py ``Lock`` (a token of its own, expiring by itself, released only by its holder),
    the same kind of lock as the shop's token lock (shops/tokens/locks.py)."""

    def __init__(self, shop: str):
        self.redis = shared_redis()
        self.lock = None
        if self.redis is not None:
            self.lock = self.redis.lock(f"shopify:variants:lookup:{shop}", timeout=_LOOKUP_TURN_SECONDS,
                                        thread_local=False)  # fmt: skip
        self.held = False

    def take_or_wait(self) -> bool:
        """Take the turn (True), or wait until the lane holding it is done, at most
        ``LOOKUP_WAIT_SECONDS`` (False: read the cache again). Without Redis: always True."""
        if self.lock is None:
            return True
        self.held = self.lock.acquire(blocking=False)
        if self.held:
            return True
        deadline = time.monotonic() + LOOKUP_WAIT_SECONDS
        while time.monotonic() < deadline and self.lock.locked():
            time.sleep(_LOOKUP_POLL_SECONDS)
        return False

    def release(self) -> None:
        """Give the turn back if it is still this lane's (a turn that expired and was taken by
        another lane meanwhile stays theirs)."""
        if self.held:
            try:
                self.lock.release()
            except LockError:
                pass  # expired while held: the next holder owns it now
        self.held = False


def resolve_variants(*, client: AdminClient, skus: Iterable[str], on_cost=None) -> dict[str, Variant]:
    """The Shopify variants of these SKUs (SKUs not in the store are absent from the result)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    cached = _read_cache(client.shop, wanted)
    missing = [sku for sku, value in cached.items() if value is None]
    fetched: dict[str, str] = {}
    if missing:  # a push's every later batch finds its SKUs cached: no turn, nothing more
        turn = _LookupTurn(client.shop)
        if not turn.take_or_wait():  # another lane's lookup answered: what is left is ours
            cached = _read_cache(client.shop, wanted)
            missing = [sku for sku, value in cached.items() if value is None]
        try:
            for start in range(0, len(missing), _CHUNK):
                chunk = missing[start : start + _CHUNK]
                fetched.update(_fetch(client, chunk, on_cost=on_cost))
            _write_cache(client.shop, fetched)
        finally:
            turn.release()
    merged = {**{k: v for k, v in cached.items() if v is not None}, **fetched}
    result = {}
    for sku, value in merged.items():
        if value and value != _MISSING:
            data = json.loads(value)
            result[sku] = Variant(id=data["id"], sku=sku, price=Decimal(data["price"]))
    return result


def _fetch(client: AdminClient, skus: list[str], *, on_cost=None) -> dict[str, str]:
    found: dict[str, str] = dict.fromkeys(skus, _MISSING)
    after = None
    while True:
        response = client.execute(
            VARIANTS_BY_SKU, {"first": min(len(skus) * 2, 250), "after": after, "query": skus_query(skus)}
        )
        if on_cost is not None:
            on_cost(response.cost)
        connection = response.data["productVariants"]
        for node in connection["nodes"]:
            sku = node.get("sku")
            # Shopify's search matches loosely: keep exact SKU matches, the first variant per SKU.
            if sku in found and found[sku] == _MISSING:
                found[sku] = json.dumps({"id": node["id"], "price": str(node["price"])})
        page = connection["pageInfo"]
        if not page["hasNextPage"]:
            return found
        after = page["endCursor"]
