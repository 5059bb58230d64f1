"""How the exact ``orderCreate`` variables of an order are shown to the merchant: items, shipping,
taxes, payment, tags and attributes first; the raw JSON (with the customer's address) behind a
disclosure. Pure: a dict in, a display structure out."""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass
class SentSummary:
    lines: list[dict[str, Any]] = field(default_factory=list)
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
    def gap_lines(self) -> int:
        return sum(1 for line in self.lines if line.get("raises"))

    @property
    def empty(self) -> bool:
        return not self.raw


def _amount(money: dict | None) -> str:
    shop_money = (money or {}).get("shopMoney") or {}
    amount, currency = shop_money.get("amount"), shop_money.get("currencyCode", "")
    return f"{amount} {currency}".strip() if amount is not None else ""


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _lines(
    line_items: list[dict], backerkit_items: list[dict], variant_prices: dict[str, str], currency: str
) -> list[dict[str, Any]]:
    """Line items matched by SKU carry only a variant id: they are named from the BackerKit items
    they were made from (the mapping keeps their order); the rest (Taxes) carry their own title.
    Each item line shows the campaign's price, the Shopify price it was sent at and the difference;
    ``raises`` marks the lines that make the Shopify total higher than what the backer paid for."""
    named = iter(backerkit_items)
    lines = []
    for item in line_items:
        source = next(named, {}) if item.get("variantId") else {}
        sku = item.get("sku") or source.get("sku") or ""
        quantity = item.get("quantity", "")
        campaign = _decimal(source.get("campaign_price"))
        shopify = _decimal(variant_prices.get(sku)) if source else None
        difference = (shopify - campaign) * int(quantity or 1) if shopify is not None and campaign is not None else None
        if not source:  # a line priced by us (Taxes): its own price on both sides
            price = _amount(item.get("priceSet"))
            campaign_text = shopify_text = price
        else:
            campaign_text = f"{campaign} {currency}" if campaign is not None else "—"
            shopify_text = f"{shopify} {currency}" if shopify is not None else "Your Shopify price"
        lines.append(
            {
                "title": item.get("title") or source.get("name") or "Product",
                "sku": sku,
                "quantity": str(quantity),
                "campaign_price": campaign_text,
                "shopify_price": shopify_text,
                "difference": "" if difference is None else f"{difference:+} {currency}",
                "raises": difference is not None and difference > 0,
            }
        )
    return lines


def summarize(
    sent: dict | None, order_data: dict | None = None, variant_prices: dict[str, str] | None = None
) -> SentSummary:
    if not sent:
        return SentSummary()
    order = sent.get("order") or {}
    currency = order.get("currency") or (order_data or {}).get("currency") or ""
    address = order.get("shippingAddress") or {}
    return SentSummary(
        lines=_lines(
            order.get("lineItems") or [], (order_data or {}).get("items") or [], variant_prices or {}, currency
        ),
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
