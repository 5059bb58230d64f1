"""The grants of Shopify's token endpoint (``POST https://{shop}/admin/oauth/access_token``).

- authorization code -> expiring offline token (the install and Reconnect flow);
- token exchange of an App Bridge id token -> expiring offline token (managed install), through
  Shopify's ``shopifyapp`` library;
- refresh token -> a new access + refresh token pair, through ``shopifyapp``;
- token exchange of a non-expiring offline token -> expiring offline token (migration). ``shopifyapp``
  exchanges id tokens only, so this grant (and the authorization code) is posted here, with the
  same client and timeouts.

Every call goes through :func:`integrations.shopify.origin.shopify_http_client` (our timeouts, no
redirects, the configured Shopify origin). Outcomes are mapped once: :class:`GrantRefused` when
Shopify answered no (the grant cannot succeed by repeating it), :class:`GrantUnavailable` when it
could not answer (network, 5xx, 429: try later).
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange
https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import shopify_app
from django.conf import settings
from django.utils import timezone

from integrations.shopify.origin import access_token_url, shopify_http_client

OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105 - an OAuth URN
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - an OAuth URN

# shopifyapp result codes that mean "Shopify could not answer now", not "Shopify said no".
_UNAVAILABLE_CODES = {"network_error", "server_error", "rate_limit_exceeded"}


class GrantError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class GrantRefused(GrantError):
    """Shopify refused the grant (invalid_grant, invalid_subject_token, invalid_client...)."""


class GrantUnavailable(GrantError):
    """Shopify's token endpoint could not be reached or did not answer usably. Nothing changed."""


@dataclass(frozen=True)
class OfflineToken:
    access_token: str = field(repr=False)
    scopes: str
    expires_at: datetime | None
    refresh_token: str = field(default="", repr=False)
    refresh_token_expires_at: datetime | None = None

    @property
    def expiring(self) -> bool:
        return self.expires_at is not None


def _app() -> shopify_app.ShopifyApp:
    return shopify_app.ShopifyApp(
        client_id=settings.SHOPIFY_API_KEY,
        client_secret=settings.SHOPIFY_API_SECRET,
        old_client_secret=settings.SHOPIFY_API_SECRET_OLD or None,
    )


def _in(seconds: Any) -> datetime | None:
    return timezone.now() + timedelta(seconds=int(seconds)) if seconds not in (None, "") else None


def _from_oauth_answer(body: dict[str, Any]) -> OfflineToken:
    if not body.get("access_token"):
        raise GrantUnavailable("Shopify's answer holds no access token", code="malformed_answer")
    return OfflineToken(
        access_token=body["access_token"],
        scopes=body.get("scope", ""),
        expires_at=_in(body.get("expires_in")),
        refresh_token=body.get("refresh_token") or "",
        refresh_token_expires_at=_in(body.get("refresh_token_expires_in")),
    )


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _from_library(token: Any) -> OfflineToken:
    return OfflineToken(
        access_token=token.token,
        scopes=token.scope or "",
        expires_at=_parse_iso(token.expires),
        refresh_token=token.refresh_token or "",
        refresh_token_expires_at=_parse_iso(token.refresh_token_expires),
    )


def _post_grant(*, shop: str, body: dict[str, str], what: str) -> OfflineToken:
    try:
        with shopify_http_client() as http:
            response = http.post(access_token_url(shop), json=body, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise GrantUnavailable(f"{what}: Shopify could not be reached ({type(exc).__name__})", code="network") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise GrantUnavailable(f"{what}: Shopify answered {response.status_code}", code=str(response.status_code))
    try:
        answer = response.json()
    except ValueError as exc:
        raise GrantUnavailable(f"{what}: unreadable answer ({response.status_code})", code="unreadable") from exc
    if response.status_code != 200:
        error = str(answer.get("error", response.status_code)) if isinstance(answer, dict) else "error"
        description = answer.get("error_description", "") if isinstance(answer, dict) else ""
        raise GrantRefused(f"{what}: Shopify refused ({error}) {description}".strip(), code=error)
    return _from_oauth_answer(answer)


def redeem_authorization_code(*, shop: str, code: str) -> OfflineToken:
    """The install's authorization code -> an expiring offline token (``expiring=1``)."""
    body = {
        "client_id": settings.SHOPIFY_API_KEY,
        "client_secret": settings.SHOPIFY_API_SECRET,
        "code": code,
        "expiring": "1",
    }
    return _post_grant(shop=shop, body=body, what="authorization code")


def migrate_offline_token(*, shop: str, access_token: str) -> OfflineToken:
    """A non-expiring offline token -> an expiring one (the old token stops working).

    Shopify answers a repeated migration of the same token with the same pair for seven days, so a
    lost answer is recovered by migrating again.
    https://shopify.dev/changelog/more-resilient-token-exchanges-when-migrating-tokens-without-a-user-session
    """
    body = {
        "client_id": settings.SHOPIFY_API_KEY,
        "client_secret": settings.SHOPIFY_API_SECRET,
        "grant_type": TOKEN_EXCHANGE_GRANT,
        "subject_token": access_token,
        "subject_token_type": OFFLINE_TOKEN_TYPE,
        "requested_token_type": OFFLINE_TOKEN_TYPE,
        "expiring": "1",
    }
    return _post_grant(shop=shop, body=body, what="token migration")


def exchange_id_token(*, id_token: str, claims: dict[str, Any]) -> OfflineToken:
    """An already verified App Bridge id token -> an expiring offline token for its shop."""
    with shopify_http_client() as http:
        result = _app().exchange_using_token_exchange(
            "offline",
            id_token={"exchangeable": True, "token": id_token, "claims": claims},
            expiring=True,
            http_client=http,
        )
    if not result.ok or result.access_token is None:
        raise _library_error("token exchange", result.log.code)
    return _from_library(result.access_token)


def refresh_offline_token(*, shop: str, refresh_token: str, refresh_token_expires_at: datetime | None) -> OfflineToken:
    """A refresh token -> a new access + refresh token pair (each refresh rotates both)."""
    store_handle = shop.removesuffix(".myshopify.com")
    with shopify_http_client() as http:
        result = _app().refresh_token_exchanged_access_token(
            {
                "shop": store_handle,
                "refresh_token": refresh_token,
                # We decide when to refresh: an empty expiry makes the library refresh now.
                "expires": "",
                "refresh_token_expires": (
                    refresh_token_expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") if refresh_token_expires_at else ""
                ),
                "access_mode": "offline",
            },
            http_client=http,
        )
    if not result.ok or result.access_token is None:
        raise _library_error("token refresh", result.log.code)
    return _from_library(result.access_token)


def _library_error(what: str, code: str) -> GrantError:
    if code in _UNAVAILABLE_CODES:
        return GrantUnavailable(f"{what}: Shopify could not answer ({code})", code=code)
    return GrantRefused(f"{what}: Shopify refused ({code})", code=code)
