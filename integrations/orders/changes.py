"""Pure: what changed between the version of a BackerKit order Shopify has and a newer one.

No I/O and no ORM, like the mapping (whose rules it reuses: an address is compared as the push sends
it, so "New South Wales" and "NSW" are one region). An order is reduced to its *synced view*: the
parts this app owns in Shopify, section by section, as mapped:

- ``address``: address and contact (the mapped shipping address, its phone, the email) -> orderUpdate;
- ``tags``: tags and custom attributes (backer id, store name, Stripe charges, pledge id) -> orderUpdate;
- ``items``: SKU -> quantity, and the shipping and tax amounts -> order editing;
- ``money``: what the backer paid -> a manual payment or a refund;
- ``status``: locked, canceled or refunded -> orderCancel.

Notes and survey answers are not in the view (``BackerKitOrder`` does not even carry them), so a
change to them is no change. The view's fingerprint (sha256 of its canonical JSON) is what a push
record keeps of what was sent; every fingerprint ever seen of an order is how an old version is
recognised when it has no ``updated_at``.

Versions: a newer ``updated_at`` wins; an older or equal one never overwrites; without dates, a
content already seen is old (re-importing an old file changes nothing) and an unseen one is new.
"""

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from integrations.backerkit.orders import BackerKitOrder
from integrations.orders.mapping import TOTAL_PAID_ATTRIBUTE, mapped_shipping_address, mapped_tags_and_attributes

ADDRESS, TAGS, ITEMS, MONEY, CANCEL = "address", "tags", "items", "money", "cancel"
KINDS = (ADDRESS, TAGS, ITEMS, MONEY, CANCEL)
LOCKED, CANCELED, REFUNDED = "locked", "canceled", "refunded"
STATUSES = (LOCKED, CANCELED, REFUNDED)
# Section of the view -> the kind of change it makes.
_SECTION_KIND = {"address": ADDRESS, "tags": TAGS, "items": ITEMS, "money": MONEY, "status": CANCEL}

Verdict = Literal["same", "older", "changed"]


@dataclass(frozen=True)
class Version:
    """One version of an order: its synced view, the view's fingerprint, BackerKit's ``updated_at``."""

    view: dict[str, Any]
    fingerprint: str
    updated_at: datetime | None


@dataclass(frozen=True)
class FieldChange:
    field: str  # e.g. "shipping_address.city", "items.DICE-METAL", "amount_paid", "status"
    old: Any
    new: Any


@dataclass(frozen=True)
class Classification:
    verdict: Verdict
    kinds: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()

    @property
    def fields(self) -> list[str]:
        """The changed fields' names, never their values (safe for logs)."""
        return [change.field for change in self.changes]

    def diff(self) -> list[dict[str, Any]]:
        return [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes]


def synced_view(order: BackerKitOrder, *, status: str = LOCKED, store_name: str) -> dict[str, Any]:
    """The parts of ``order`` this app owns in Shopify, as the push maps them."""
    tags, attributes = mapped_tags_and_attributes(order, store_name)
    return _view(order, address=mapped_shipping_address(order.shipping_address), tags=tags,
                 attributes=attributes, status=status)  # fmt: skip


def sent_view(order: BackerKitOrder, order_input: Mapping[str, Any], *, status: str = LOCKED) -> dict[str, Any]:
    """The same view as ``synced_view``, read from the ``OrderCreateOrderInput`` the push mapped for
    ``order`` (its address, tags and attributes as sent) instead of mapping them a second time. The
    "Total Paid by Backer" attribute (transaction data) is money, not tags: left out, as there."""
    attributes = [a for a in order_input.get("customAttributes", ()) if a["key"] != TOTAL_PAID_ATTRIBUTE]
    return _view(order, address=order_input["shippingAddress"], tags=order_input["tags"],
                 attributes=attributes, status=status)  # fmt: skip


def _view(order: BackerKitOrder, *, address: Mapping[str, str], tags: list[str], attributes: list[dict[str, str]],
          status: str) -> dict[str, Any]:  # fmt: skip
    quantities: dict[str, int] = {}
    for item in order.items:
        quantities[item.sku] = quantities.get(item.sku, 0) + item.quantity
    return {
        "address": {"email": order.email, **address},
        "tags": {"tags": sorted(tags), "attributes": sorted((a["key"], a["value"]) for a in attributes)},
        "items": {
            "skus": dict(sorted(quantities.items())),
            "shipping_amount": str(order.shipping_amount),
            "total_tax": str(order.total_tax),
        },
        "money": {"amount_paid": str(order.amount_paid), "currency": order.currency},
        "status": status if status in STATUSES else LOCKED,
    }


def fingerprint(view: Mapping[str, Any]) -> str:
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_of(order: BackerKitOrder, *, status: str, updated_at: datetime | None, store_name: str) -> Version:
    view = synced_view(order, status=status, store_name=store_name)
    return Version(view=view, fingerprint=fingerprint(view), updated_at=updated_at)


def classify(*, current: Version, incoming: Version, seen: Collection[str] = ()) -> Classification:
    """How ``incoming`` relates to ``current`` (what Shopify has, as this app wrote it)."""
    if incoming.fingerprint == current.fingerprint:
        return Classification("same")
    if incoming.updated_at is not None and current.updated_at is not None:
        if incoming.updated_at <= current.updated_at:
            return Classification("older")
    elif incoming.fingerprint in seen:
        return Classification("older")  # no dates to compare: a content seen before is an old one
    changes = tuple(_field_changes(current.view, incoming.view))
    if not changes:
        return Classification("same")
    kinds = {_SECTION_KIND[change.field.split(".", 1)[0]] for change in changes}
    if CANCEL in kinds and incoming.view["status"] != LOCKED:
        # Canceled or refunded: the rest of the order no longer matters.
        return Classification("changed", (CANCEL,), tuple(c for c in changes if c.field == "status"))
    return Classification("changed", tuple(k for k in KINDS if k in kinds), changes)


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    old_address, new_address = old["address"], new["address"]
    for key in sorted(set(old_address) | set(new_address)):
        if old_address.get(key, "") != new_address.get(key, ""):
            changes.append(FieldChange(f"address.{key}", old_address.get(key, ""), new_address.get(key, "")))
    if old["tags"]["tags"] != new["tags"]["tags"]:
        changes.append(FieldChange("tags.tags", old["tags"]["tags"], new["tags"]["tags"]))
    if [list(a) for a in old["tags"]["attributes"]] != [list(a) for a in new["tags"]["attributes"]]:
        changes.append(FieldChange("tags.attributes", _pairs(old["tags"]["attributes"]),
                                   _pairs(new["tags"]["attributes"])))  # fmt: skip
    old_skus, new_skus = old["items"]["skus"], new["items"]["skus"]
    for sku in sorted(set(old_skus) | set(new_skus)):
        if old_skus.get(sku, 0) != new_skus.get(sku, 0):
            changes.append(FieldChange(f"items.{sku}", old_skus.get(sku, 0), new_skus.get(sku, 0)))
    for key in ("shipping_amount", "total_tax"):
        if old["items"][key] != new["items"][key]:
            changes.append(FieldChange(f"items.{key}", old["items"][key], new["items"][key]))
    if old["money"] != new["money"]:
        changes.append(FieldChange("money.amount_paid", old["money"]["amount_paid"], new["money"]["amount_paid"]))
    if old["status"] != new["status"]:
        changes.append(FieldChange("status", old["status"], new["status"]))
    return changes


def _pairs(attributes: list) -> dict[str, str]:
    return {key: value for key, value in attributes}


def sku_changes(classification: Classification) -> dict[str, tuple[int, int]]:
    """SKU -> (old quantity, new quantity) of an items change."""
    charges = ("items.shipping_amount", "items.total_tax")
    return {
        c.field.removeprefix("items."): (c.old, c.new)
        for c in classification.changes
        if c.field.startswith("items.") and c.field not in charges
    }


def parse_updated_at(value: Any) -> datetime | None:
    """BackerKit's ``updated_at`` (RFC 3339), or None when absent or unreadable (v1 files have none)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def status_of(raw: Mapping[str, Any]) -> str:
    """BackerKit's ``status`` of a raw or stored order (``locked`` when absent)."""
    value = raw.get("status")
    return value if isinstance(value, str) and value in STATUSES else LOCKED
