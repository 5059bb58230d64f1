"""Preview before pushing (a dry run): what each order would become in Shopify, nothing sent.

The same validation and the same pure mapping as the push, with the shop's real variants, so a
preview that says "Paid" is what the push will do. Nothing is written and no order is created.

``preview_waiting`` reads what is already pulled and stored, one page at a time: a request maps at
most ``PREVIEW_PAGE_SIZE`` orders (one variant query for their SKUs, cached per shop), whatever the
size of the campaign, so a preview never holds a web worker for long.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from integrations.backerkit.files import EntryError
from integrations.backerkit.orders import BackerKitOrder, InvalidOrder, validate_order
from integrations.orders.mapping import MappedOrder, ShopSettings, Variant, map_order, variant_skus
from integrations.orders.models import PushRecord
from integrations.orders.selectors.paging import PageWindow
from integrations.orders.selectors.preview import waiting_count, waiting_records
from integrations.orders.services.lanes import mapping_settings
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyError
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

PREVIEW_PAGE_SIZE = 50


@dataclass(frozen=True)
class PriceGap:
    """An item Shopify prices above the campaign: the cause of an order's outstanding amount."""

    sku: str
    shopify_price: Decimal
    campaign_price: Decimal
    quantity: int

    @property
    def difference(self) -> Decimal:
        return (self.shopify_price - self.campaign_price) * self.quantity


@dataclass(frozen=True)
class PreviewLine:
    order_id: str
    backer_id: str
    outcome: str  # "PAID" | "PARTIALLY_PAID" | "needs_attention" | "invalid"
    shopify_total: Decimal | None = None
    amount_paid: Decimal | None = None
    reasons: tuple[str, ...] = ()
    price_gaps: tuple[PriceGap, ...] = ()  # for an order not fully paid: the items priced higher
    missing_skus: tuple[str, ...] = ()  # for an order that needs attention: SKUs Shopify lacks


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
    variants = resolve_variants(client=client, skus=variant_skus(valid)) if client is not None else {}
    for order in valid:
        try:
            mapped = map_order(order, settings=settings, variants=variants)
        except Exception:  # one order's boundary: it is one line of the preview, never a broken page
            error_id = uuid.uuid4().hex[:8]
            logger.exception("preview.order_failed", extra={"order_id": order.id, "error_id": error_id})
            reason = f"This order could not be previewed (error {error_id})."
            summary.lines.append(
                PreviewLine(order.id, order.backer_id, "needs_attention", None, order.amount_paid, (reason,))
            )
            continue
        if isinstance(mapped, MappedOrder):
            paid = mapped.expected_financial_status == "PAID"
            summary.lines.append(
                PreviewLine(
                    order.id,
                    order.backer_id,
                    mapped.expected_financial_status,
                    mapped.shopify_total,
                    mapped.amount_paid,
                    () if paid else (mapped.explanation,),
                    price_gaps=() if paid else _price_gaps(order, variants),
                )
            )
        else:
            summary.lines.append(
                PreviewLine(
                    order.id,
                    order.backer_id,
                    "needs_attention",
                    None,
                    order.amount_paid,
                    tuple(mapped.reasons),
                    missing_skus=tuple(sorted({item.sku for item in order.items if item.sku not in variants})),
                )
            )
    return summary


def _price_gaps(order: BackerKitOrder, variants: dict[str, Variant]) -> tuple[PriceGap, ...]:
    return tuple(
        PriceGap(item.sku, variants[item.sku].price, item.campaign_price, item.quantity)
        for item in order.items
        if item.sku in variants and variants[item.sku].price > item.campaign_price
    )


class PreviewProblem:
    """Why a page of the preview could not be made (the pages word it)."""

    DISCONNECTED = "disconnected"
    SHOPIFY_UNAVAILABLE = "shopify_unavailable"


@dataclass
class WaitingPreview:
    summary: PreviewSummary
    window: PageWindow  # the page of waiting orders shown; ``window.total`` is every waiting order
    problem: str = ""

    @property
    def waiting(self) -> int:
        return self.window.total

    @property
    def shown(self) -> int:
        return len(self.summary.lines)

    @property
    def first_index(self) -> int:
        return self.window.first_index(self.shown)

    @property
    def last_index(self) -> int:
        return self.window.last_index(self.shown)


def preview_waiting(*, shop: Shop, page: int = 1, per_page: int = PREVIEW_PAGE_SIZE) -> WaitingPreview:
    """What one page of the waiting orders would become in Shopify, with the shop's real variants
    and settings, oldest first (the ones a push sends first)."""
    window = PageWindow.clamp(page=page, total=waiting_count(shop_id=shop.id), per_page=per_page)
    records = waiting_records(shop_id=shop.id, offset=window.offset, limit=per_page)
    summary = PreviewSummary()
    if not records:
        return WaitingPreview(summary, window)
    try:
        client = admin_client_for(shop_id=shop.id)
    except ShopDisconnected:
        return WaitingPreview(summary, window, PreviewProblem.DISCONNECTED)
    by_connection: dict[int, list[PushRecord]] = {}
    for record in records:
        by_connection.setdefault(record.connection_id, []).append(record)
    try:
        for group in by_connection.values():
            settings = mapping_settings(shop=shop, connection=group[0].connection)
            entries = ((position, record.order_data or {}) for position, record in enumerate(group, start=1))
            summary.lines.extend(preview_entries(entries=entries, settings=settings, client=client).lines)
    except ShopifyError as exc:
        logger.warning("preview.failed", extra={"shop_id": shop.id, "error": type(exc).__name__})
        return WaitingPreview(PreviewSummary(), window, PreviewProblem.SHOPIFY_UNAVAILABLE)
    return WaitingPreview(summary, window)
