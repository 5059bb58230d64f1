"""The words of the changes that follow a push: the preview's sentence, field labels, old -> new."""

from typing import Any

from integrations.orders.models import OrderChange
from integrations.orders.selectors.changes import PendingChanges
from integrations.orders.services.change_decisions import ChangeNotPossible

FIELD_LABELS = {
    "address.email": "Email",
    "address.firstName": "First name",
    "address.lastName": "Last name",
    "address.company": "Company",
    "address.address1": "Address",
    "address.address2": "Apartment, suite",
    "address.city": "City",
    "address.zip": "Postal code",
    "address.countryCode": "Country",
    "address.provinceCode": "State or province",
    "address.phone": "Phone",
    "tags.tags": "Tags",
    "tags.attributes": "Attributes",
    "items.shipping_amount": "Shipping",
    "items.total_tax": "Taxes",
    "money.amount_paid": "Backer paid",
    "status": "Status in BackerKit",
}

# "212 address changes, 9 item changes, 3 cancellations"
_KIND_NOUNS = {
    "address": ("address change", "address changes"),
    "tags": ("tag change", "tag changes"),
    "items": ("item change", "item changes"),
    "money": ("payment change", "payment changes"),
    "cancel": ("cancellation", "cancellations"),
}

CHANGE_REFUSALS = {
    ChangeNotPossible.NOT_FOUND: "That change is not one of this store's.",
    ChangeNotPossible.NOT_OPEN: "That change is already being applied or settled.",
}


def field_label(name: str) -> str:
    if name.startswith("items.") and name not in FIELD_LABELS:
        return f"Quantity of {name.removeprefix('items.')}"
    return FIELD_LABELS.get(name, name)


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) if all(isinstance(v, str) for v in value) else str(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {text}" for key, text in value.items()) or "—"
    if value in ("", None):
        return "—"
    return str(value)


def diff_rows(change: OrderChange) -> list[dict[str, str]]:
    """Old -> new of each changed field, for the merchant's eyes only (never logged)."""
    return [
        {"label": field_label(row["field"]), "old": value_text(row["old"]), "new": value_text(row["new"])}
        for row in change.diff or []
    ]


def conflict_rows(change: OrderChange) -> list[dict[str, str]]:
    return [
        {"label": field_label(row["field"]), "ours": value_text(row["ours"]), "shopify": value_text(row["shopify"])}
        for row in change.conflict or []
    ]


def pending_sentence(pending: PendingChanges) -> str:
    """ "212 address changes, 9 item changes, 3 cancellations; 4 cannot be applied: already with the warehouse" """
    parts = []
    for kind, (one, many) in _KIND_NOUNS.items():
        count = pending.by_kind.get(kind, 0)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    sentence = ", ".join(parts) or "No change"
    if pending.cannot_apply:
        causes = ", ".join(cause for cause, _ in pending.reasons.most_common())
        sentence += f"; {pending.cannot_apply} cannot be applied: {causes}"
    if pending.conflicts:
        sentence += f"; {pending.conflicts} edited in Shopify since"
    return sentence


def kinds_text(kinds: list[str]) -> str:
    words = {"address": "Address and contact", "tags": "Tags", "items": "Items", "money": "Payment",
             "cancel": "Cancellation"}  # fmt: skip
    return ", ".join(words.get(kind, kind) for kind in kinds)
