"""A shop on the Shopify simulator with every scope the app asks for (order editing and fulfilment
orders included), its catalog seeded, and orders pushed: the starting point of the tests of changes
after the push."""

from django.conf import settings

from integrations.shops.models import Shop
from tests.support.campaign_files import CATALOG, fixture_order


def changes_shop(sim, *, domain: str = "changes-store.myshopify.com", plan: str = "plus") -> Shop:
    sim.create_shop(domain=domain, currency="USD", plan=plan, scopes=settings.SHOPIFY_SCOPES)
    token = sim.mint_token(domain, kind="expiring", scopes=settings.SHOPIFY_SCOPES)
    sim.seed_products(domain, CATALOG)
    return Shop.objects.create(
        domain=domain, name=domain.split(".")[0], currency="USD", status=Shop.Status.CONNECTED,
        access_token=token["access_token"], refresh_token=token.get("refresh_token", ""),
        token_kind=Shop.TokenKind.EXPIRING, scopes=",".join(settings.SHOPIFY_SCOPES),
    )  # fmt: skip


def order(order_id: str, **changes) -> dict:
    """The "paid" fixture (GAME-CORE + DICE-METAL, paid in full) as order ``order_id``."""
    return fixture_order("paid", id=order_id, backer_id=f"backer-{order_id}", **changes)


def moved(order_id: str, city: str = "Shelbyville", **changes) -> dict:
    data = order(order_id, **changes)
    return {**data, "shipping_address": {**data["shipping_address"], "city": city}}


def with_items(order_id: str, items: list[tuple[str, int, str]], **changes) -> dict:
    return order(order_id, items=[{"sku": sku, "name": sku, "quantity": qty, "campaign_price": price}
                                  for sku, qty, price in items], **changes)  # fmt: skip


def sim_order(sim, domain: str, order_id: str) -> dict:
    """The Shopify order of a BackerKit order, as the simulator's orders.json lists it."""
    return next(o for o in sim.orders(domain) if o["source_identifier"] == order_id)
