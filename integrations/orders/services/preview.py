"""Preview before pushing (a dry run): what each order would become in Shopify, nothing sent.

The same validation and the same pure mapping as the push, with the shop's real variants, so a
preview that says "Paid" is what the push will do. Nothing is written and no order is created.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from integrations.backerkit.files import EntryError
from integrations.backerkit.orders import InvalidOrder, validate_order
from integrations.orders.mapping import MappedOrder, ShopSettings, map_order
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.client import AdminClient


@dataclass(frozen=True)
class PreviewLine:
    order_id: str
    backer_id: str
    outcome: str  # "PAID" | "PARTIALLY_PAID" | "needs_attention" | "invalid"
    shopify_total: Decimal | None = None
    amount_paid: Decimal | None = None
    reasons: tuple[str, ...] = ()


@dataclass
class PreviewSummary:
    lines: list[PreviewLine] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(line.outcome for line in self.lines)

    @property
    def reasons(self) -> Counter:
        return Counter(reason for line in self.lines for reason in line.reasons if line.outcome != "PAID")


def preview_entries(
    *, entries: Iterable[tuple[int, Any]], settings: ShopSettings, client: AdminClient | None
) -> PreviewSummary:
    summary = PreviewSummary()
    valid = []
    for position, entry in entries:
        if isinstance(entry, EntryError):
            summary.lines.append(PreviewLine(f"#{position}", "", "invalid", reasons=(entry.message,)))
            continue
        try:
            valid.append(validate_order(entry))
        except InvalidOrder as exc:
            summary.lines.append(PreviewLine(exc.order_id, "", "invalid", reasons=(str(exc),)))
    skus = {item.sku for order in valid for item in order.items}
    variants = resolve_variants(client=client, skus=skus) if client is not None else {}
    for order in valid:
        mapped = map_order(order, settings=settings, variants=variants)
        if isinstance(mapped, MappedOrder):
            reasons = (mapped.explanation,) if mapped.expected_financial_status != "PAID" else ()
            summary.lines.append(
                PreviewLine(
                    order.id,
                    order.backer_id,
                    mapped.expected_financial_status,
                    mapped.shopify_total,
                    mapped.amount_paid,
                    reasons,
                )  # fmt: skip
            )
        else:
            summary.lines.append(
                PreviewLine(
                    order.id, order.backer_id, "needs_attention", None, order.amount_paid, tuple(mapped.reasons)
                )
            )
    return summary
