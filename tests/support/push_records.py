"""Push records built straight in the database, for page and console tests that need orders in
every state without running a push."""

from decimal import Decimal

from django.utils import timezone

from integrations.orders.models import BackerKitConnection, PushAttempt, PushRecord
from integrations.shops.models import Shop

State = PushRecord.State


def plain_shop(domain: str = "pages-store.myshopify.com", **fields) -> Shop:
    """A connected shop row (no simulator: for pages that never call Shopify)."""
    defaults = {
        "name": domain.split(".")[0],
        "currency": "USD",
        "status": Shop.Status.CONNECTED,
        "access_token": "shpat_test",
        "scopes": "read_products,write_orders,read_orders",
    }
    return Shop.objects.create(domain=domain, **{**defaults, **fields})


def connection(shop: Shop, *, store_name: str = "Skyforge Store", **fields) -> BackerKitConnection:
    defaults = {"project": "skyforge", "api_key": "bk_live_1234567890abcd", "currency": "USD"}
    return BackerKitConnection.objects.create(shop=shop, store_name=store_name, **{**defaults, **fields})


def record(shop: Shop, conn: BackerKitConnection, order_id: str, state: str = State.PENDING, **fields) -> PushRecord:
    defaults = {
        "backer_id": f"backer-{order_id}",
        "currency": "USD",
        "amount_paid": Decimal("90.00"),
        "order_data": {"id": order_id, "email": "ada@example.com"},
    }
    if state == State.PUSHED:
        defaults.update(
            shopify_order_id="gid://shopify/Order/1001",
            shopify_order_name="#1001",
            financial_status="PAID",
            shopify_total=Decimal("85.00"),
            pushed_at=timezone.now(),
            explanation="The backer paid 90.00 USD, which covers the Shopify total of 85.00 USD.",
        )
    if state in (State.FAILED, State.NEEDS_ATTENTION):
        defaults["last_error"] = "SKU EXP-FROST is not in your Shopify store."
    return PushRecord.objects.create(
        shop=shop, connection=conn, backerkit_order_id=order_id, state=state, **{**defaults, **fields}
    )


def attempt(rec: PushRecord, outcome: str = PushAttempt.Outcome.CREATED, detail: str = "") -> PushAttempt:
    return PushAttempt.objects.create(record=rec, outcome=outcome, detail=detail, started_at=timezone.now())


def parked_record(shop: Shop, state: str) -> PushRecord:
    """A record in ``state`` that no lane may claim for an hour: a test can see the shop's work paused
    or resumed (by its state) without a push running."""
    return record(
        shop, connection(shop), "parked-1", state=state, not_before=timezone.now() + timezone.timedelta(hours=1)
    )
