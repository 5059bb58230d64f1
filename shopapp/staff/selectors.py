"""Reads for the Success reps' console: stores with their push counts, in a bounded number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from integrations.orders.models import PushRecord
from integrations.orders.selectors.paging import PageWindow
from integrations.shops.models import Shop
from shopapp.models import SettingChange

State = PushRecord.State
STORES_PER_PAGE = 50


@dataclass(frozen=True)
class TokenState:
    label: str
    tone: str  # success | warning | critical | info
    detail: str


def token_state(shop: Shop, *, now: datetime | None = None) -> TokenState:
    now = now or timezone.now()
    if shop.status == Shop.Status.UNINSTALLED:
        return TokenState(
            "Uninstalled",
            "info",
            f"Uninstalled {shop.uninstalled_at:%Y-%m-%d}" if shop.uninstalled_at else "The app was uninstalled.",
        )
    if not shop.access_token:
        return TokenState("No token", "critical", shop.disconnected_reason or "The store must reconnect.")
    if shop.status == Shop.Status.DISCONNECTED:
        return TokenState("Refused", "critical", shop.disconnected_reason or "Shopify refused the token.")
    if shop.token_kind == Shop.TokenKind.LEGACY:
        return TokenState("Non-expiring (to migrate)", "warning", "Public apps must use expiring tokens by 2027-01-01.")
    if shop.token_kind == Shop.TokenKind.CUSTOM_APP:
        return TokenState("Custom app token", "success", "Does not expire.")
    if shop.refresh_token_expires_at and shop.refresh_token_expires_at < now:
        return TokenState("Refresh token expired", "critical", "The store must reconnect.")
    if shop.access_token_expires_at:
        verb = "expired" if shop.access_token_expires_at < now else "expires"
        return TokenState(
            "Expiring token",
            "success",
            f"Access token {verb} {shop.access_token_expires_at:%Y-%m-%d %H:%M} UTC; refreshed automatically.",
        )
    return TokenState("Expiring token", "success", "Refreshed automatically.")


@dataclass(frozen=True)
class StoreRow:
    shop: Shop
    counts: dict[str, int]
    connections: int
    token: TokenState

    @property
    def attention(self) -> int:
        return self.counts.get(State.NEEDS_ATTENTION, 0) + self.counts.get(State.FAILED, 0)

    @property
    def waiting(self) -> int:
        return self.counts.get(State.PENDING, 0) + self.counts.get(State.PAUSED, 0)


def store_rows(*, query: str = "", page: int = 1) -> tuple[list[StoreRow], PageWindow]:
    """A page of stores (domain or name contains ``query``) and where it is among the matching
    stores: 3 queries."""
    shops = Shop.objects.all().order_by("domain")
    if query:
        shops = shops.filter(Q(domain__icontains=query) | Q(name__icontains=query))
    window = PageWindow.clamp(page=page, total=shops.count(), per_page=STORES_PER_PAGE)
    start = window.offset
    shops = list(shops.annotate(n_connections=Count("backerkit_connections"))[start : start + STORES_PER_PAGE])
    counts: dict[int, dict[str, int]] = {shop.id: {} for shop in shops}
    rows = PushRecord.objects.filter(shop_id__in=counts).values("shop_id", "state").annotate(n=Count("id"))
    for row in rows:
        counts[row["shop_id"]][row["state"]] = row["n"]
    now = timezone.now()
    return [StoreRow(shop, counts[shop.id], shop.n_connections, token_state(shop, now=now)) for shop in shops], window


def recent_problems(*, shop_id: int, limit: int = 25) -> list[PushRecord]:
    return list(
        PushRecord.objects.filter(shop_id=shop_id, state__in=[State.FAILED, State.NEEDS_ATTENTION])
        .only("id", "backerkit_order_id", "backer_id", "state", "last_error", "attempts", "invalid_input", "shop_id")
        .order_by("-id")[:limit]
    )


def audit_log(*, shop_id: int, limit: int = 50) -> list[SettingChange]:
    return list(SettingChange.objects.filter(shop_id=shop_id).select_related("staff_user")[:limit])


def store(*, shop_id: int) -> Shop | None:
    return Shop.objects.filter(id=shop_id).first()
