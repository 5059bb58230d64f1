"""shopify.app.toml describes the app as Shopify CLI expects it."""

import tomllib

from django.conf import settings

from integrations.orders.selectors.waves import ALL_ORDERS_SCOPE
from tests.support.processes import ROOT


def test_the_app_configuration_declares_scopes_auth_and_webhooks():
    config = tomllib.loads((ROOT / "shopify.app.toml").read_text())

    assert config["embedded"] is True
    assert config["access_scopes"]["scopes"].split(",") == settings.SHOPIFY_SCOPES
    # Asked for at runtime only by a store with a wave far out (the Waves page, App Bridge Scopes API).
    assert config["access_scopes"]["optional_scopes"] == [ALL_ORDERS_SCOPE]
    assert ALL_ORDERS_SCOPE not in settings.SHOPIFY_SCOPES
    assert all(url.endswith("/auth/callback") for url in config["auth"]["redirect_urls"])
    webhooks = config["webhooks"]
    assert webhooks["api_version"] == "2026-07"
    topics = {t for s in webhooks["subscriptions"] for t in s.get("topics", [])}
    compliance = {t for s in webhooks["subscriptions"] for t in s.get("compliance_topics", [])}
    assert topics == {
        "app/uninstalled",
        "app/scopes_update",
        "fulfillments/create",
        "fulfillments/update",
        "orders/cancelled",
        "bulk_operations/finish",
    }
    assert compliance == {"customers/data_request", "customers/redact", "shop/redact"}
    assert {s["uri"] for s in webhooks["subscriptions"]} == {"/webhooks"}


def test_the_shop_details_query_is_valid_against_the_admin_schema():
    from integrations.shopify.schema import validation_errors
    from integrations.shops.details import SHOP_DETAILS

    assert validation_errors(SHOP_DETAILS) == []
