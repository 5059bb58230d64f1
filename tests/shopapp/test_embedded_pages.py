"""The embedded pages load App Bridge first, stay usable without it (offline, tests), carry the
shop's frame-ancestors policy, and show Reconnect when the shop is disconnected."""

import re

import pytest
from django.contrib.staticfiles import finders

from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop
from tests.support.id_tokens import bearer
from tests.support.shops import connected_shop

SHOP = "campaign-store.myshopify.com"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_shop(shopify_sim):
    return connected_shop(shopify_sim, domain=SHOP)


def head_of(page: str) -> str:
    return page.split("<head>", 1)[1].split("</head>", 1)[0]


def test_app_bridge_comes_first_in_the_head(client, sim_shop, settings):
    page = client.get("/", headers=bearer(SHOP)).content.decode()

    first_two = re.findall(r"<(meta|script)[^>]*>", head_of(page))[:2]
    assert first_two == ["meta", "script"]
    assert f'<meta name="shopify-api-key" content="{settings.SHOPIFY_API_KEY}">' in page
    assert head_of(page).index('<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>') < (
        head_of(page).index("<meta charset")
    )


def test_the_page_renders_its_content_and_a_message_without_app_bridge(client, sim_shop):
    page = client.get("/", headers=bearer(SHOP)).content.decode()

    # Server-rendered: the state is in the HTML, not drawn by a script that may not load.
    assert "Connected" in page and SHOP in page
    assert "<noscript>" in page and "needs JavaScript" in page
    assert 'id="app-bridge-missing"' in page and "could not be loaded" in page
    assert finders.find("shopapp/session.js")


def test_pages_carry_the_shops_frame_ancestors_and_none_without_a_shop(client, sim_shop, settings):
    settings.SHOPIFY_ORIGIN_TEMPLATE = "https://{shop}"  # production
    home = client.get("/", headers=bearer(SHOP))
    refused = client.get("/auth/install", {"shop": "evil.com"})

    assert home["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    assert "X-Frame-Options" not in home
    assert refused["Content-Security-Policy"] == "frame-ancestors 'none';"


def test_the_production_policy_does_not_depend_on_how_the_origin_template_is_written(settings):
    from shopapp.frame_protection import frame_ancestors_for

    settings.SHOPIFY_ORIGIN_TEMPLATE = "https://{shop}/"
    assert frame_ancestors_for(SHOP) == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"


def test_against_a_simulator_its_admin_may_frame_the_pages_too(client, sim_shop, shopify_simulator):
    home = client.get("/", headers=bearer(SHOP))

    assert home["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com {shopify_simulator.url};"
    )


def test_a_disconnected_shop_sees_the_reason_and_a_reconnect_button(client, sim_shop):
    reason = "The app no longer has the Shopify access it needs (write_orders). Reconnect to grant it again."
    disconnect_shop(shop_id=sim_shop.id, reason=reason, cause=Shop.DisconnectCause.SCOPES_REDUCED)

    page = client.get("/", headers=bearer(SHOP)).content.decode()

    assert "The app no longer has the Shopify access it needs (write_orders)." in page
    assert "no order is lost" in page
    assert f'href="/auth/install?shop={SHOP}" target="_top">Reconnect</a>' in page


def test_a_shop_disconnected_for_a_refused_token_is_healed_when_opened(client, sim_shop):
    disconnect_shop(shop_id=sim_shop.id, reason="Shopify refused the app's access token. Reconnect to resume pushing.")

    page = client.get("/", headers=bearer(SHOP)).content.decode()

    # The id token of the merchant opening the app is exchanged for a new offline token.
    assert ">Reconnect</a>" not in page
    assert Shop.objects.get(id=sim_shop.id).status == Shop.Status.CONNECTED


def test_session_js_gets_tokens_from_app_bridge_or_the_simulated_admin():
    script = open(finders.find("shopapp/session.js")).read()

    assert "shopify.idToken()" in script or "bridge.idToken()" in script
    assert '"shopify-simulator:id-token"' in script
    assert "Authorization" in script and '"id_token"' in script
