"""Stores connected with a custom-app token (an app the merchant created in their admin: its Admin
API token does not expire, by design, and is never migrated). The token is checked with a ``shop``
query before it is saved."""

from django.db import transaction
from django.utils import timezone

from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyError, ShopifyUnauthorized
from integrations.shops.details import SHOP_DETAILS
from integrations.shops.models import Shop
from integrations.shops.tokens.connection import mark_connected


class CustomAppTokenRefused(Exception):
    pass


def connect_custom_app(*, domain: str, access_token: str) -> Shop:
    try:
        data = AdminClient(shop=domain, access_token=access_token).execute(SHOP_DETAILS).data["shop"]
    except ShopifyUnauthorized as exc:
        raise CustomAppTokenRefused(
            f"Shopify refused this token for {domain}: {exc.message}. Copy the Admin API access token of "
            "the store's custom app again."
        ) from exc
    except ShopifyError as exc:
        raise CustomAppTokenRefused(f"The token could not be checked with Shopify: {exc.message}") from exc
    now = timezone.now()
    with transaction.atomic():
        shop, _ = Shop.objects.select_for_update().get_or_create(domain=domain)
        Shop.objects.filter(id=shop.id).update(
            name=data["name"],
            currency=data["currencyCode"],
            access_token=access_token,
            access_token_expires_at=None,
            refresh_token="",
            refresh_token_expires_at=None,
            token_kind=Shop.TokenKind.CUSTOM_APP,
            token_obtained_at=now,
            installed_at=shop.installed_at or now,
            uninstalled_at=None,
            updated_at=now,
        )
        mark_connected(shop_id=shop.id)
    shop.refresh_from_db()
    return shop
