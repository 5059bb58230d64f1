"""Non-expiring tokens of public-app installs are migrated to expiring ones (batch command and
lazily on use); Shopify's 2027-01-01 cut-over refuses them: migrated, or disconnected when the
migration is refused, never a crash loop. Custom-app tokens are never migrated."""

from io import StringIO

import pytest
from django.core.management import call_command

from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyUnauthorized
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for, recover_from_unauthorized
from integrations.shops.tokens.migrate import Migration, migrate_legacy_token

SHOP = "legacy-store.myshopify.com"
SHOP_QUERY = "query ShopName { shop { name } }"
SCOPES = ["read_products", "write_orders", "read_orders"]

pytestmark = pytest.mark.django_db


def shop_with(sim, *, kind: str, domain: str = SHOP, **sim_settings) -> Shop:
    sim.create_shop(domain, **sim_settings)
    token = sim.mint_token(domain, kind=kind, scopes=SCOPES)["access_token"]
    return Shop.objects.create(domain=domain, access_token=token, token_kind=kind, scopes=",".join(SCOPES),
                               status=Shop.Status.CONNECTED)  # fmt: skip


def test_a_legacy_token_is_migrated_to_an_expiring_one(shopify_sim):
    shop = shop_with(shopify_sim, kind="legacy")
    old_token = shop.access_token

    assert migrate_legacy_token(shop_id=shop.id) is Migration.MIGRATED

    shop.refresh_from_db()
    assert shop.token_kind == Shop.TokenKind.EXPIRING
    assert shop.access_token != old_token and shop.refresh_token and shop.access_token_expires_at
    assert shopify_sim.graphql(SHOP, shop.access_token, SHOP_QUERY).status_code == 200
    assert shopify_sim.graphql(SHOP, old_token, SHOP_QUERY).status_code == 401  # the old one stopped working


def test_the_batch_command_migrates_every_legacy_store_and_skips_custom_apps(shopify_sim):
    shop_with(shopify_sim, kind="legacy", domain="legacy-one.myshopify.com")
    shop_with(shopify_sim, kind="legacy", domain="legacy-two.myshopify.com")
    custom = shop_with(shopify_sim, kind="custom_app", domain="custom-store.myshopify.com")
    out = StringIO()

    call_command("migrate_legacy_tokens", stdout=out)

    assert "1/2 legacy-one.myshopify.com: migrated" in out.getvalue()
    assert "2/2 legacy-two.myshopify.com: migrated" in out.getvalue()
    assert "2 stores with non-expiring tokens: 2 migrated, 0 refused" in out.getvalue()
    assert set(Shop.objects.values_list("token_kind", flat=True)) == {"expiring", "custom_app"}
    custom_token = Shop.objects.get(id=custom.id).access_token
    assert custom_token == custom.access_token
    assert shopify_sim.graphql("custom-store.myshopify.com", custom_token, SHOP_QUERY).status_code == 200


def test_a_legacy_token_is_migrated_lazily_on_use_after_the_cut_over(shopify_sim):
    shop = shop_with(shopify_sim, kind="legacy", accept_non_expiring=False)

    client = admin_client_for(shop_id=shop.id)

    assert client.execute(SHOP_QUERY).data["shop"]["name"]
    assert Shop.objects.get(id=shop.id).token_kind == Shop.TokenKind.EXPIRING


def test_the_cut_over_refusing_a_legacy_token_migrates_it_and_the_call_is_sent_again(shopify_sim):
    shop = shop_with(shopify_sim, kind="legacy", accept_non_expiring=False)
    with pytest.raises(ShopifyUnauthorized) as refused:
        AdminClient(shop=SHOP, access_token=shop.access_token).execute(SHOP_QUERY)
    assert "Non-expiring access tokens are no longer accepted" in refused.value.message

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is True

    assert admin_client_for(shop_id=shop.id).execute(SHOP_QUERY).data["shop"]["name"]


def test_a_refused_migration_disconnects_once_and_never_loops(shopify_sim):
    shop = shop_with(shopify_sim, kind="legacy", accept_non_expiring=False)
    shopify_sim.revoke(SHOP)  # the old token is no longer migratable

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is False
    requests_after_refusal = shopify_sim.state()["counters"].get("requests", 0)
    # Asked again (another worker, a retry): no new call to Shopify, the same answer.
    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is False
    with pytest.raises(ShopDisconnected):
        admin_client_for(shop_id=shop.id)

    assert shopify_sim.state()["counters"].get("requests", 0) == requests_after_refusal + 1  # the state() call
    shop.refresh_from_db()
    assert shop.status == Shop.Status.DISCONNECTED
    assert shop.disconnect_cause == Shop.DisconnectCause.MIGRATION_REFUSED
    assert "refused to replace it" in shop.disconnected_reason and "Reconnect" in shop.disconnected_reason


def test_a_custom_app_token_refused_disconnects_without_migration(shopify_sim):
    shop = shop_with(shopify_sim, kind="custom_app")

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is False

    shop.refresh_from_db()
    assert shop.status == Shop.Status.DISCONNECTED
    assert shop.token_kind == Shop.TokenKind.CUSTOM_APP
    assert "connect_shop" in shop.disconnected_reason
