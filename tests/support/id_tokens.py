"""App Bridge id tokens for the Django test client, signed exactly as the admin signs them (the
simulator's own minting code: HS256 with the app secret, aud = API key, iss https://SHOP/admin,
dest https://SHOP), without needing a running simulator."""

from django.conf import settings

from integrations.shopify.simulator.id_tokens import mint_id_token


def id_token(shop: str, **overrides) -> str:
    return mint_id_token(
        api_key=settings.SHOPIFY_API_KEY, api_secret=settings.SHOPIFY_API_SECRET, shop=shop, **overrides
    )


def bearer(shop: str, **overrides) -> dict[str, str]:
    """Headers for ``client.get(url, headers=bearer(shop))`` as App Bridge's fetch sends them."""
    return {"Authorization": f"Bearer {id_token(shop, **overrides)}"}
