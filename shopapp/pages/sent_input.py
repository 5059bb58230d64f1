"""How the exact ``orderCreate`` variables of an order are shown to the merchant: items, shipping,
taxes, payment, tags and attributes first; the raw JSON (with the customer's address) behind a
disclosure. Pure: a dict in, a display structure out."""

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentSummary:
    lines: list[dict[str, str]] = field(default_factory=list)
    shipping: list[dict[str, str]] = field(default_factory=list)
    taxes: list[dict[str, str]] = field(default_factory=list)
    transactions: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attributes: list[dict[str, str]] = field(default_factory=list)
    financial_status: str = ""
    destination: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    raw: str = ""

    @property
    def empty(self) -> bool:
        return not self.raw


def _amount(money: dict | None) -> str:
    shop_money = (money or {}).get("shopMoney") or {}
    amount, currency = shop_money.get("amount"), shop_money.get("currencyCode", "")
    return f"{amount} {currency}".strip() if amount is not None else ""


def _lines(line_items: list[dict], backerkit_items: list[dict]) -> list[dict[str, str]]:
    """Line items matched by SKU carry only a variant id: they are named from the BackerKit items
    they were made from (the mapping keeps their order); the rest (Taxes) carry their own title."""
    named = iter(backerkit_items)
    lines = []
    for item in line_items:
        source = next(named, {}) if item.get("variantId") else {}
        lines.append(
            {
                "title": item.get("title") or source.get("name") or "Product",
                "sku": item.get("sku") or source.get("sku") or "",
                "quantity": str(item.get("quantity", "")),
                "price": _amount(item.get("priceSet")) or "Your Shopify price",
            }
        )
    return lines


def summarize(sent: dict | None, order_data: dict | None = None) -> SentSummary:
    if not sent:
        return SentSummary()
    order = sent.get("order") or {}
    address = order.get("shippingAddress") or {}
    return SentSummary(
        lines=_lines(order.get("lineItems") or [], (order_data or {}).get("items") or []),
        shipping=[
            {"title": s.get("title", ""), "price": _amount(s.get("priceSet"))} for s in order.get("shippingLines") or []
        ],
        taxes=[
            {"title": t.get("title", ""), "rate": str(t.get("rate", "")), "price": _amount(t.get("priceSet"))}
            for t in order.get("taxLines") or []
        ],
        transactions=[
            {"kind": t.get("kind", "SALE"), "gateway": t.get("gateway", ""), "amount": _amount(t.get("amountSet"))}
            for t in order.get("transactions") or []
        ],
        tags=list(order.get("tags") or []),
        attributes=list(order.get("customAttributes") or []),
        financial_status=order.get("financialStatus", ""),
        destination=", ".join(v for v in (address.get("provinceCode", ""), address.get("countryCode", "")) if v),
        options=sent.get("options") or {},
        raw=json.dumps(sent, indent=2, sort_keys=True),
    )
