"""Everything one simulator process holds, in memory, behind one lock.

One simulator serves many app processes and Celery workers at once (each request is a thread), so
every read-modify-write of this state happens under ``state.lock``; nothing slow (latency sleeps,
held connections, webhook deliveries) ever runs while holding it. No Django ORM: the simulator must
never touch the app's database.
"""

import itertools
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from integrations.shopify.simulator.bucket import LeakyBucket
from integrations.shopify.simulator.bulk_models import BulkRegistry
from integrations.shopify.simulator.latency import Latency
from integrations.shopify.simulator.models import (
    AccessToken,
    AuthorizationCode,
    Faults,
    RefreshToken,
    Shop,
    Variant,
)
from integrations.shopify.simulator.plans import plan_named
from integrations.shopify.simulator.versions import DEPRECATED_VERSIONS, SUPPORTED_VERSIONS

# https://github.com/Shopify/shopify_python_api/blob/main/shopify/utils/shop_url.py
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com$")

SHOP_SETTINGS = (
    "name",
    "currency",
    "plan",
    "email",
    "accept_non_expiring",
    "search_index_delay_seconds",
    "latency_ms",
    "access_token_ttl_seconds",
    "refresh_token_ttl_seconds",
    "throttle_status_code",
)

# Faults given as lists of strings (source identifiers, SKUs, a userError's field path).
_LIST_FAULTS = (
    "user_errors_for",
    "user_error_field",
    "invalid_variables_for",
    "replace_variants_after_lookup",
    "lose_answer_after",
)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mask(secret: str) -> str:
    return f"{secret[:10]}…" if secret else ""


@dataclass
class AppConfig:
    """The one app the simulated stores know (its client id and secret, where its webhooks go)."""

    api_key: str
    api_secret: str
    app_url: str
    webhook_path: str = "/webhooks"
    latency: Latency | None = None
    webhook_api_version: str = "2026-07"
    supported_versions: tuple[str, ...] = SUPPORTED_VERSIONS
    # The scopes the app declares (shopify.app.toml): what a managed install grants.
    default_scopes: tuple[str, ...] = (
        "read_fulfillments",
        "read_orders",
        "read_products",
        "write_merchant_managed_fulfillment_orders",
        "write_orders",
    )
    # The event topics the app subscribes to in shopify.app.toml (webhooks.EVENT_TOPIC_SCOPES).
    webhook_topics: tuple[str, ...] = ("fulfillments/create", "fulfillments/update", "orders/cancelled")
    # Products every new shop starts with (see catalog.py); None: shops start empty.
    catalog: list[dict[str, Any]] | None = None
    deprecated_versions: frozenset[str] = field(default_factory=lambda: DEPRECATED_VERSIONS)

    @property
    def webhook_url(self) -> str:
        return f"{self.app_url.rstrip('/')}{self.webhook_path}"


class SimulatorState:
    def __init__(self, config: AppConfig):
        self.config = config
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.base_url = ""  # where the server listens (set by the server): upload targets, results files
        self.in_latency = 0  # requests sleeping their simulated latency right now (not reset: in flight)
        self.reset()

    def reset(self) -> None:
        """Forget every shop, token, order and delivery (the config stays)."""
        with self.lock:
            self.shops: dict[str, Shop] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.buckets: dict[tuple[str, str], LeakyBucket] = {}
            self.deliveries: list[dict[str, Any]] = []
            self.counters: Counter[str] = Counter()
            self.cost_spent: float = 0.0
            self.bulk = BulkRegistry()  # staged uploads and bulk operations (bulk_*.py)

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    # --- shops ------------------------------------------------------------------------------------
    def get_shop(self, domain: str) -> Shop | None:
        with self.lock:
            return self.shops.get(domain)

    def upsert_shop(self, domain: str, **settings: Any) -> Shop:
        """Create ``domain`` or change its settings (only the ones given)."""
        if not SHOP_DOMAIN.fullmatch(domain):
            raise ValueError(f"{domain!r} is not a NAME.myshopify.com domain")
        unknown = set(settings) - set(SHOP_SETTINGS)
        if unknown:
            raise ValueError(f"unknown shop settings: {', '.join(sorted(unknown))}")
        if "plan" in settings:
            plan_named(settings["plan"])
        if "latency_ms" in settings:
            settings["latency"] = Latency.parse(settings.pop("latency_ms"))
        with self.lock:
            shop = self.shops.get(domain)
            if shop is None:
                handle = domain.removesuffix(".myshopify.com")
                shop = Shop(
                    domain=domain,
                    id=self.next_id(),
                    name=handle.replace("-", " ").title(),
                    email=f"owner@{handle}.example",
                    created_at=now_iso(),
                )
                self.shops[domain] = shop
                if self.config.catalog:
                    self.seed_products(domain, self.config.catalog)
            for key, value in settings.items():
                if key in ("search_index_delay_seconds", "access_token_ttl_seconds", "refresh_token_ttl_seconds"):
                    value = float(value)
                if key == "throttle_status_code" and int(value) not in (200, 429):
                    raise ValueError("throttle_status_code must be 200 or 429")
                setattr(shop, key, value)
            self._resize_buckets(shop)
            return shop

    def _resize_buckets(self, shop: Shop) -> None:
        plan = plan_named(shop.plan)
        for (_client, domain), bucket in self.buckets.items():
            if domain == shop.domain:
                bucket.resize(size=plan.bucket_size, restore_rate=plan.restore_rate)

    def bucket(self, client_id: str, shop: Shop) -> LeakyBucket:
        """The rate-limit bucket of one app on one shop (callers hold the lock)."""
        key = (client_id, shop.domain)
        bucket = self.buckets.get(key)
        if bucket is None:
            plan = plan_named(shop.plan)
            bucket = self.buckets[key] = LeakyBucket(size=plan.bucket_size, restore_rate=plan.restore_rate)
        return bucket

    def set_faults(self, domain: str, **faults: Any) -> Faults:
        with self.lock:
            shop = self.require_shop(domain)
            for key, value in faults.items():
                if not hasattr(shop.faults, key):
                    raise ValueError(f"unknown fault {key!r}")
                if key in _LIST_FAULTS:
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise ValueError(f"{key} must be a list of strings")
                    value = list(value)
                setattr(shop.faults, key, value)
            if shop.faults.drop_when not in ("before", "after"):
                raise ValueError("drop_when must be 'before' or 'after'")
            shop.faults.cancel_job_seconds = float(shop.faults.cancel_job_seconds)
            if shop.faults.lose_answer_as not in ("http_5xx", "drop"):
                raise ValueError("lose_answer_as must be 'http_5xx' or 'drop'")
            if shop.faults.http_5xx_status not in (500, 502, 503, 504):
                raise ValueError("http_5xx_status must be 500, 502, 503 or 504")
            return shop.faults

    def require_shop(self, domain: str) -> Shop:
        shop = self.get_shop(domain)
        if shop is None:
            raise LookupError(f"no shop {domain}")
        return shop

    # --- catalog ----------------------------------------------------------------------------------
    def seed_products(self, domain: str, products: list[dict[str, Any]]) -> list[Variant]:
        """Add products; each is ``{"title", "variants": [{"sku", "price", "title"?, "inventory_policy"?}]}``
        or a bare variant ``{"sku", "price", ...}`` (a one-variant product titled after it)."""
        created: list[Variant] = []
        with self.lock:
            shop = self.require_shop(domain)
            for product in products:
                variants = product.get("variants") or [product]
                product_id = self.next_id()
                product_title = product.get("title") or variants[0].get("title") or variants[0]["sku"]
                for spec in variants:
                    policy = str(spec.get("inventory_policy", "DENY")).upper()
                    if policy not in ("DENY", "CONTINUE"):
                        raise ValueError("inventory_policy must be DENY or CONTINUE")
                    variant = Variant(
                        id=self.next_id(),
                        product_id=product_id,
                        product_title=product_title,
                        title=spec.get("variant_title") or spec.get("title") or "Default Title",
                        sku=str(spec["sku"]),
                        price=Decimal(str(spec["price"])),
                        inventory_policy=policy,
                        inventory_quantity=int(spec.get("inventory_quantity", 0)),
                        taxable=bool(spec.get("taxable", True)),
                    )
                    shop.variants[variant.id] = variant
                    created.append(variant)
        return created

    def count(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.counters[name] += amount

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()
