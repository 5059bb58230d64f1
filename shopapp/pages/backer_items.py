"""What the backer ordered, for an order that was not sent (it needs attention): each item with its
campaign price, and which SKUs Shopify does not have, with what to do about each. Pure."""

import re
from dataclasses import dataclass

# The mapping's reason for a missing SKU (integrations/orders/mapping.py), one per line of last_error.
MISSING_SKU = re.compile(r"^SKU (?P<sku>.+) is not in your Shopify store\.$")


@dataclass(frozen=True)
class BackerItem:
    name: str
    sku: str
    quantity: str
    campaign_price: str
    missing: bool


def missing_skus(last_error: str) -> list[str]:
    found = (MISSING_SKU.match(line.strip()) for line in (last_error or "").splitlines())
    return [match["sku"] for match in found if match]


def backer_items(order_data: dict | None, *, last_error: str) -> list[BackerItem]:
    missing = set(missing_skus(last_error))
    currency = (order_data or {}).get("currency", "")
    items = []
    for item in (order_data or {}).get("items") or []:
        if not isinstance(item, dict):
            continue
        price = item.get("campaign_price")
        items.append(
            BackerItem(
                name=str(item.get("name") or "Product"),
                sku=str(item.get("sku") or ""),
                quantity=str(item.get("quantity", "")),
                campaign_price=f"{price} {currency}".strip() if price not in (None, "") else "—",
                missing=str(item.get("sku") or "") in missing,
            )
        )
    return items


def what_to_do(last_error: str) -> list[str]:
    """One step per cause the merchant can fix, in their words."""
    steps = [f"Add SKU {sku} to a product in Shopify, then press Retry." for sku in missing_skus(last_error)]
    others = [
        line.strip() for line in (last_error or "").splitlines() if line.strip() and not MISSING_SKU.match(line.strip())
    ]
    if any("region" in line or "address" in line or "country" in line.lower() for line in others):
        steps.append("Correct the backer's address in BackerKit: it comes in with the next fetch. Then press Retry.")
    return steps
