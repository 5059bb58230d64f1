"""Managed installation: Shopify installs the app with the scopes of shopify.app.toml, and the app
exchanges the first App Bridge id token for an expiring offline token. The same exchange heals a
shop whose token stopped working (uninstalled and reinstalled, revoked) the next time it is opened.
https://shopify.dev/docs/apps/build/authentication-authorization/app-installation
"""

import logging

from integrations.shops.details import record_shop_details
from integrations.shops.models import Shop
from integrations.shops.tokens.connection import connect_with_token
from integrations.shops.tokens.grants import GrantRefused, GrantUnavailable, exchange_id_token
from shopapp.session_tokens import SessionToken

logger = logging.getLogger(__name__)


class ManagedInstallFailed(Exception):
    def __init__(self, message: str, *, invalid_id_token: bool = False):
        super().__init__(message)
        self.message = message
        self.invalid_id_token = invalid_id_token


def needs_offline_token(shop: Shop | None) -> bool:
    """No usable token: new, uninstalled, or disconnected because its token was refused. A shop
    disconnected only for missing scopes keeps its token: a new one would lack them too."""
    if shop is None or shop.status == Shop.Status.UNINSTALLED or not shop.access_token:
        return True
    return shop.status == Shop.Status.DISCONNECTED and shop.disconnect_cause != Shop.DisconnectCause.SCOPES_REDUCED


def ensure_offline_token(*, session: SessionToken) -> Shop:
    shop = Shop.objects.filter(domain=session.shop_domain).first()
    if not needs_offline_token(shop):
        return shop
    if shop is not None and shop.token_kind == Shop.TokenKind.CUSTOM_APP and shop.status != Shop.Status.UNINSTALLED:
        return shop  # a custom-app store is connected by its own token (connect_shop), not ours
    try:
        token = exchange_id_token(id_token=session.raw, claims=session.claims)
    except GrantRefused as exc:
        logger.warning("install.token_exchange_refused", extra={"shop": session.shop_domain, "code": exc.code})
        if exc.code == "invalid_subject_token":
            raise ManagedInstallFailed(exc.message, invalid_id_token=True) from exc
        if shop is not None:
            return shop  # the page shows the shop's state and the Reconnect button
        raise ManagedInstallFailed("Shopify did not complete the installation. Reload the app to try again.") from exc
    except GrantUnavailable as exc:
        logger.warning("install.token_exchange_unavailable", extra={"shop": session.shop_domain, "code": exc.code})
        if shop is not None:
            return shop
        raise ManagedInstallFailed("Shopify could not be reached to finish the installation. Reload the app.") from exc
    logger.info("install.token_exchanged", extra={"shop": session.shop_domain, "new": shop is None})
    connected = connect_with_token(domain=session.shop_domain, token=token)
    if not connected.currency:
        record_shop_details(shop_id=connected.id)
        connected.refresh_from_db()
    return connected
