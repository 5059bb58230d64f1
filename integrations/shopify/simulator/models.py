"""The records a simulated store holds. Plain dataclasses: SimulatorState guards them with its lock."""

import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from integrations.shopify.simulator.latency import Latency

TOKEN_KINDS = ("expiring", "legacy", "custom_app")


@dataclass
class Variant:
    id: int
    product_id: int
    product_title: str
    title: str
    sku: str
    price: Decimal
    inventory_policy: str = "DENY"
    inventory_quantity: int = 0
    taxable: bool = True


@dataclass
class AccessToken:
    value: str
    shop: str
    client_id: str
    kind: str  # expiring | legacy (non-expiring public app token) | custom_app
    scopes: tuple[str, ...]
    issued_at: float  # time.monotonic()
    expires_at: float | None  # time.monotonic(); None never expires
    issued_wall: float = field(default_factory=time.time)
    revoked_reason: str | None = None
    used: bool = False
    # The refresh token whose use minted this one: it stops working once this token is first used.
    replaces_refresh: str | None = None


@dataclass
class RefreshToken:
    value: str
    shop: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    predecessor: str | None = None
    revoked_reason: str | None = None


@dataclass
class AuthorizationCode:
    value: str
    shop: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float


@dataclass
class Faults:
    """Faults armed on a shop by the control API; each counter is decremented as it fires."""

    http_5xx: int = 0
    http_5xx_status: int = 502
    timeout_after_create: int = 0
    hold_seconds: float = 5.0
    drop_connection: int = 0
    drop_when: str = "before"  # before | after (execution)
    revoke_after: int | None = None
    # Until disarmed (set back to false): every Admin API request answers 5xx (a long outage).
    http_5xx_permanent: bool = False
    # orderCreate of these source identifiers answers userErrors, every time (as Shopify refuses
    # the same input the same way); the field and message are Shopify's kind of validation error.
    user_errors_for: list[str] = field(default_factory=list)
    user_error_field: list[str] = field(default_factory=lambda: ["order", "shippingAddress", "zip"])
    user_error_message: str = "Shipping address zip is invalid"
    # orderCreate of these source identifiers is refused at the document level, as Shopify refuses
    # a variable the schema does not accept (top-level ``errors``, code INVALID_VARIABLE).
    invalid_variables_for: list[str] = field(default_factory=list)
    # The variants of these SKUs are deleted and re-created (new ids, same SKU and price) right
    # after a productVariants query returned them: the product was re-created between the app's
    # lookup and its orderCreate. Each SKU fires once.
    replace_variants_after_lookup: list[str] = field(default_factory=list)
    # Webhook deliveries to the app are lost (never sent, recorded as dropped): the next N, or
    # every one until disarmed. Shopify does not guarantee delivery; reconciliation must find them.
    drop_webhooks: int = 0
    drop_webhooks_permanent: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "http_5xx": self.http_5xx,
            "http_5xx_status": self.http_5xx_status,
            "timeout_after_create": self.timeout_after_create,
            "hold_seconds": self.hold_seconds,
            "drop_connection": self.drop_connection,
            "drop_when": self.drop_when,
            "revoke_after": self.revoke_after,
            "http_5xx_permanent": self.http_5xx_permanent,
            "user_errors_for": list(self.user_errors_for),
            "user_error_field": list(self.user_error_field),
            "user_error_message": self.user_error_message,
            "invalid_variables_for": list(self.invalid_variables_for),
            "replace_variants_after_lookup": list(self.replace_variants_after_lookup),
            "drop_webhooks": self.drop_webhooks,
            "drop_webhooks_permanent": self.drop_webhooks_permanent,
        }


@dataclass
class Money:
    amount: Decimal
    currency: str


@dataclass
class Order:
    id: int
    shop: str
    number: int
    created_monotonic: float
    created_at: str
    currency: str
    line_items: list[dict[str, Any]]
    shipping_lines: list[dict[str, Any]]
    tax_lines: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    subtotal: Decimal
    total_shipping: Decimal
    total_tax: Decimal
    total: Decimal
    received: Decimal
    display_financial_status: str
    taxes_included: bool
    tags: list[str]
    custom_attributes: list[dict[str, str]]
    source_identifier: str | None
    source_name: str | None
    email: str | None
    phone: str | None
    note: str | None
    po_number: str | None
    test: bool
    customer: dict[str, Any] | None
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    options: dict[str, Any]
    requested_by: str  # masked token that created it
    custom_name: str | None = None
    processed_at: str | None = None
    inventory_changes: list[dict[str, Any]] = field(default_factory=list)
    # --- after the push (order_lifecycle.py): updates, edits, payments, refunds, cancellation ---
    updated_at: str = ""  # "" until first modified: createdAt is then the last modification
    created_by_client: str = ""  # the app (client id) whose orderCreate made it: only it may edit it
    cancelled_at: str | None = None
    cancel_reason: str | None = None
    closed_at: str | None = None
    edited: bool = False
    # Set at creation when orderCreate was given ``financialStatus``: it stands until money moves.
    financial_status_given: bool = False
    refunds: list[dict[str, Any]] = field(default_factory=list)
    edit_sessions: dict[int, dict[str, Any]] = field(default_factory=dict)  # by CalculatedOrder id
    events: list[dict[str, Any]] = field(default_factory=list)  # what changed, by whom, when
    staff_notes: list[str] = field(default_factory=list)
    # Fulfilment (fulfillment_models.py): created with the order; updated_at moves on every change.
    fulfillment_orders: list[Any] = field(default_factory=list)
    fulfillments: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.custom_name or f"#{self.number}"

    @property
    def gid(self) -> str:
        return f"gid://shopify/Order/{self.id}"


@dataclass
class WebhookSubscription:
    id: int
    topic: str
    uri: str
    format: str
    created_at: str
    filter: str | None = None
    include_fields: list[str] = field(default_factory=list)


@dataclass
class Shop:
    domain: str
    id: int
    name: str
    currency: str = "USD"
    plan: str = "standard"
    email: str = ""
    accept_non_expiring: bool = True
    search_index_delay_seconds: float = 0.0
    latency: Latency | None = None
    access_token_ttl_seconds: float = 3600.0
    refresh_token_ttl_seconds: float = 90 * 24 * 3600.0
    throttle_status_code: int = 200
    installed: bool = False
    granted_scopes: tuple[str, ...] = ()
    next_order_number: int = 1001
    created_at: str = ""
    faults: Faults = field(default_factory=Faults)
    # open | frozen (402: unpaid bill) | locked (423): until cleared through the control API.
    availability: str = "open"
    order_create_times: deque = field(default_factory=deque)
    variants: dict[int, Variant] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower-cased email
    webhook_subscriptions: list[WebhookSubscription] = field(default_factory=list)

    @property
    def gid(self) -> str:
        return f"gid://shopify/Shop/{self.id}"

    @property
    def store_handle(self) -> str:
        return self.domain.removesuffix(".myshopify.com")
