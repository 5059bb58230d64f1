"""Reads of waves for the pages, the command and the staff console: each wave with its rules,
counts (orders, pushed, held, released, needing attention), latest release (who, when, how many),
release progress, the orders that will be Partially paid, and the 60-day flag."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, Q

from integrations.orders.models import PushRecord, Wave, WaveMember, WaveRelease, WaveSettings

Hold = WaveMember.Hold
# Without read_all_orders Shopify shows apps only the last 60 days of orders (docs/shopify-facts.md).
VISIBLE_DAYS = 60
# Optional scope (shopify.app.toml optional_scopes), asked for only when a wave is that far out.
ALL_ORDERS_SCOPE = "read_all_orders"


@dataclass(frozen=True)
class WaveRow:
    wave: Wave
    orders: int
    pushed: int
    held: int
    releasing: int
    released: int
    needs_attention: int
    partially_paid: int
    last_release: WaveRelease | None
    beyond_visible_days: bool  # planned more than 60 days after its first order was pushed
    rules_text: str
    spanning: int = 0  # orders with items of earlier waves Shopify refused to hold apart: whole with this one


def rules_text(wave: Wave) -> str:
    if wave.rest:
        return "Every order not in another wave"
    parts = []
    if wave.countries:
        parts.append("Ships to " + ", ".join(wave.countries))
    if wave.skus:
        parts.append("Contains " + ", ".join(wave.skus))
    if wave.connection_id:
        parts.append(f"From {wave.connection.store_name}")
    if wave.backer_ids:
        parts.append(f"{len(wave.backer_ids)} listed backers")
    return "; ".join(parts)


def wave_rows(*, shop_id: int) -> list[WaveRow]:
    rows = []
    for wave in Wave.objects.filter(shop_id=shop_id).select_related("connection"):
        members = WaveMember.objects.filter(wave=wave)
        by_hold = Counter(dict(members.values_list("hold_state").annotate(n=Count("id"))))
        figures = members.aggregate(
            pushed=Count("id", filter=Q(record__state=PushRecord.State.PUSHED)),
            partially_paid=Count("id", filter=Q(record__financial_status="PARTIALLY_PAID")
                                 | Q(record__financial_status="", record__expected_financial_status="PARTIALLY_PAID")),
            first=Min("record__pushed_at"),
            spanning=Count("id", filter=~Q(also_in=[])),
            first_seen=Min("record__created_at"),
        )  # fmt: skip
        first = figures["first"] or figures["first_seen"]
        beyond = bool(wave.ship_date and first and wave.ship_date - first.date() > timedelta(days=VISIBLE_DAYS))
        rows.append(
            WaveRow(
                wave=wave,
                orders=sum(by_hold.values()),
                pushed=figures["pushed"],
                held=by_hold[Hold.HELD] + by_hold[Hold.TO_HOLD],
                releasing=by_hold[Hold.TO_RELEASE] + by_hold[Hold.RELEASING],
                released=by_hold[Hold.RELEASED],
                needs_attention=by_hold[Hold.NEEDS_ATTENTION],
                partially_paid=figures["partially_paid"],
                last_release=wave.releases.first(),
                beyond_visible_days=beyond,
                rules_text=rules_text(wave),
                spanning=figures["spanning"],
            )
        )
    return rows


def push_orders_held(*, shop_id: int) -> bool:
    return WaveSettings.objects.filter(shop_id=shop_id, push_orders_held=True).exists()


def member_of(*, record_id: int) -> WaveMember | None:
    """The order detail's wave, hold and release (of an order split by wave: the latest, its rest)."""
    return WaveMember.objects.filter(record_id=record_id, skus=[]).select_related("wave").first()


def releases_of(*, shop_id: int, limit: int = 20) -> list[WaveRelease]:
    """The staff console's audit of releases."""
    return list(WaveRelease.objects.filter(wave__shop_id=shop_id).select_related("wave")[:limit])
