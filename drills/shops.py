"""A shop for a drill: created in the Shopify simulator (Plus plan, the sample catalogue), then
installed through the web as a merchant would, which stores its expiring token."""

from typing import Any

from django.utils import timezone

from drills.stack import DrillError, Stack
from drills.web import install_through_web
from integrations.backerkit.simulator.campaign import sample_catalog
from integrations.shops.models import Shop


def open_shop(stack: Stack, domain: str, *, plan: str = "plus", **sim_settings: Any) -> Shop:
    stack.expectation.shop_domain = domain
    stack.sim.create_shop(domain, plan=plan, currency="USD", products=sample_catalog(), **sim_settings)
    install_through_web(web_url=stack.web_url, shop=domain)
    shop = Shop.objects.filter(domain=domain).first()
    if shop is None or not shop.is_connected or shop.currency != "USD":
        raise DrillError(f"the install of {domain} did not leave a connected USD shop: {shop and shop.status}")
    return shop


def give_legacy_token(stack: Stack, shop: Shop) -> None:
    """Turn the shop into one installed before expiring tokens: a non-expiring offline token and
    no refresh token. The token of the install is revoked: only the legacy one can work."""
    legacy = stack.sim.mint_token(shop.domain, kind="legacy")["access_token"]
    stack.sim.revoke(shop.domain, token=shop.access_token)
    Shop.objects.filter(id=shop.id).update(
        access_token=legacy, token_kind=Shop.TokenKind.LEGACY, refresh_token="", access_token_expires_at=None,
        refresh_token_expires_at=None, token_obtained_at=timezone.now() - timezone.timedelta(days=700),
    )  # fmt: skip
