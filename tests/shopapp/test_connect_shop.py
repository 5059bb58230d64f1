"""``manage.py connect_shop SHOP --token TOKEN``: a custom-app token is checked with Shopify first."""

import pytest
from django.core.management import CommandError, call_command

from integrations.shops.models import Shop

SHOP = "merchant-store.myshopify.com"

pytestmark = pytest.mark.django_db


def test_a_working_custom_app_token_connects_the_store(shopify_sim):
    shopify_sim.create_shop(SHOP, name="Merchant Store", currency="CAD")
    token = shopify_sim.mint_token(SHOP, kind="custom_app")["access_token"]

    call_command("connect_shop", SHOP, "--token", token)

    shop = Shop.objects.get(domain=SHOP)
    assert shop.status == Shop.Status.CONNECTED
    assert shop.token_kind == Shop.TokenKind.CUSTOM_APP
    assert shop.access_token == token and shop.refresh_token == "" and shop.access_token_expires_at is None
    assert (shop.name, shop.currency) == ("Merchant Store", "CAD")


def test_a_refused_token_is_not_saved(shopify_sim):
    shopify_sim.create_shop(SHOP)

    with pytest.raises(CommandError, match="Shopify refused this token"):
        call_command("connect_shop", SHOP, "--token", "shpat_not-a-real-token")

    assert not Shop.objects.exists()


def test_a_store_address_that_is_not_myshopify_is_refused(shopify_sim):
    with pytest.raises(CommandError, match="not a store domain"):
        call_command("connect_shop", "evil.com", "--token", "shpat_x")
