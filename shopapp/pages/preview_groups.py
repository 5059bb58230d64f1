"""The preview's reasons grouped by cause, each with its count and every order of it: a SKU that
Shopify prices above the campaign, a SKU Shopify does not have, an address Shopify cannot take,
anything else. Pure: the preview's lines in, groups out (largest first)."""

from dataclasses import dataclass, field

from integrations.orders.services.preview import PreviewLine
from shopapp.pages.wording import financial_label, plural


@dataclass
class ReasonGroup:
    kind: str  # "price" | "unknown_sku" | "address" | "payment" | "invalid" | "other"
    title: str
    consequence: str = ""
    action: str = ""
    orders: list[tuple[str, int | None]] = field(default_factory=list)  # (order id, record id)

    @property
    def count(self) -> int:
        return len(self.orders)


ADDRESS_WORDS = ("region", "address", "state or province")
ADDRESS_ACTION = "Correct the backer's address in BackerKit: it comes in with the next fetch."


def group_reasons(rows: list[tuple[PreviewLine, int | None]], *, currency: str) -> list[ReasonGroup]:
    groups: dict[tuple, ReasonGroup] = {}

    def add(key: tuple, order: tuple[str, int | None], **fields) -> ReasonGroup:
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReasonGroup(**fields)
        if order not in group.orders:
            group.orders.append(order)
        return group

    for line, record_id in rows:
        order = (line.order_id, record_id)
        if line.outcome == "invalid":
            add(("invalid",), order, kind="invalid", title="BackerKit sent data this app cannot use",
                action="Correct these orders in BackerKit: they come in again with the next fetch.")  # fmt: skip
        elif line.outcome == "needs_attention":
            for sku in line.missing_skus:
                add(("unknown_sku", sku), order, kind="unknown_sku", title=f"SKU {sku} is not in your Shopify store",
                    action=f"Add SKU {sku} to a product in Shopify; these orders then go with the push.")  # fmt: skip
            for reason in line.reasons:
                if reason.startswith("SKU ") and reason.endswith("is not in your Shopify store."):
                    continue
                if any(word in reason for word in ADDRESS_WORDS):
                    add(("address", reason), order, kind="address", title=reason, action=ADDRESS_ACTION)
                else:
                    add(("other", reason), order, kind="other", title=reason)
        elif line.outcome != "PAID":
            status = financial_label(line.outcome)
            if not line.price_gaps:
                add(("payment", line.outcome), order, kind="payment",
                    title=f"The backer paid less than the order's Shopify total ({status})")  # fmt: skip
            for gap in line.price_gaps:
                unit = gap.shopify_price - gap.campaign_price
                add(
                    ("price", gap.sku, gap.shopify_price, gap.campaign_price, line.outcome),
                    order,
                    kind="price",
                    title=f"SKU {gap.sku}: Shopify {gap.shopify_price} {currency}, "
                    f"campaign {gap.campaign_price} {currency}",
                    consequence=f"{status}, {unit} {currency} outstanding per item",
                )
    for group in groups.values():
        if group.kind == "price":
            group.consequence = f"{plural(group.count, 'order')} {group.consequence}"
    return sorted(groups.values(), key=lambda group: -group.count)
