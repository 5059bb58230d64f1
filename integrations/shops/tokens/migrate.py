"""Migrating a public app's non-expiring offline token to an expiring one (token exchange with the
old token as subject). Shopify refuses non-expiring tokens of public apps from 2027-01-01; custom
(merchant-created) app tokens are not affected and are never migrated.
https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens
"""

import enum
import logging

from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop, mark_connected, store_token
from integrations.shops.tokens.grants import GrantRefused, GrantUnavailable, migrate_offline_token
from integrations.shops.tokens.locks import shop_token_lock

logger = logging.getLogger(__name__)


# A shop disconnected because its old token was refused is connected again by the new one.
_HEALED_BY_NEW_TOKEN = {Shop.DisconnectCause.TOKEN_REFUSED, Shop.DisconnectCause.MIGRATION_REFUSED}


class Migration(enum.Enum):
    MIGRATED = "migrated"
    NOT_NEEDED = "not_needed"
    REFUSED = "refused"  # the shop is now disconnected, with the reason
    UNAVAILABLE = "unavailable"  # Shopify could not answer: the old token stays, try again later


def migration_reason(detail: str) -> str:
    return (
        "Shopify no longer accepts the app's old non-expiring access token and refused to replace it "
        f"({detail}). Reconnect to resume pushing."
    )


def migrate_legacy_token(*, shop_id: int) -> Migration:
    with shop_token_lock(shop_id=shop_id):
        shop = Shop.objects.get(id=shop_id)
        if shop.token_kind != Shop.TokenKind.LEGACY or not shop.access_token:
            return Migration.NOT_NEEDED
        if shop.status == Shop.Status.UNINSTALLED:
            return Migration.NOT_NEEDED
        return migrate_while_locked(shop)


def migrate_while_locked(shop: Shop) -> Migration:
    try:
        token = migrate_offline_token(shop=shop.domain, access_token=shop.access_token)
    except GrantRefused as exc:
        disconnect_shop(shop_id=shop.id, reason=migration_reason(exc.code or exc.message),
                        cause=Shop.DisconnectCause.MIGRATION_REFUSED)  # fmt: skip
        return Migration.REFUSED
    except GrantUnavailable as exc:
        logger.warning("token.migration_unavailable", extra={"shop_id": shop.id, "error": exc.message})
        return Migration.UNAVAILABLE
    store_token(shop_id=shop.id, token=token, kind=Shop.TokenKind.EXPIRING)
    logger.info("token.migrated", extra={"shop_id": shop.id})
    if shop.status == Shop.Status.DISCONNECTED and shop.disconnect_cause in _HEALED_BY_NEW_TOKEN:
        mark_connected(shop_id=shop.id)
    return Migration.MIGRATED


def legacy_shop_ids() -> list[int]:
    return list(
        Shop.objects.filter(token_kind=Shop.TokenKind.LEGACY)
        .exclude(status=Shop.Status.UNINSTALLED)
        .exclude(access_token="")
        .order_by("id")
        .values_list("id", flat=True)
    )
