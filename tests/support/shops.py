"""Shops for tests: a Shop row connected to the Shopify simulator with a real token it minted."""

from integrations.shops.models import Shop


def connected_shop(sim, *, domain: str = "campaign-store.myshopify.com", currency: str = "USD", plan: str = "plus",
                   **shop_settings) -> Shop:  # fmt: skip
    sim.create_shop(domain=domain, currency=currency, plan=plan)
    token = sim.mint_token(domain, kind="expiring", scopes=["read_products", "write_orders", "read_orders"])
    return Shop.objects.create(
        domain=domain,
        name=domain.split(".")[0],
        currency=currency,
        status=Shop.Status.CONNECTED,
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        token_kind=Shop.TokenKind.EXPIRING,
        scopes="read_products,write_orders,read_orders",
        **shop_settings,
    )
