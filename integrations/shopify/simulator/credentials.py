"""Access tokens, refresh tokens and authorization codes: issuing, checking, rotating, revoking.

Expiring offline tokens (``expiring=1``) come with a refresh token; each refresh returns a new pair,
and the refresh token used keeps working until the access token it produced is first used (or its
successor refresh token is), so a worker that lost the answer can retry.
https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh
Public apps' non-expiring tokens can be refused per shop to reproduce the 2027-01-01 cut-over
(custom-app tokens are unaffected):
https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens
"""

import secrets
from dataclasses import dataclass
from typing import Any

from integrations.shopify.simulator.models import AccessToken, AuthorizationCode, RefreshToken, Shop
from integrations.shopify.simulator.state import SimulatorState

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105
NON_EXPIRING_REFUSED = "[API] Non-expiring access tokens are no longer accepted for the Admin API"
CODE_TTL_SECONDS = 600.0
CUSTOM_APP_CLIENT = "custom-app"


def normalize_scopes(scopes: "str | list[str] | tuple[str, ...] | None") -> tuple[str, ...]:
    if scopes is None:
        return ()
    items = scopes.split(",") if isinstance(scopes, str) else scopes
    return tuple(sorted({s.strip() for s in items if s and s.strip()}))


def has_scope(granted: tuple[str, ...], required: str) -> bool:
    """``write_x`` implies ``read_x``, as on Shopify (https://shopify.dev/docs/api/usage/access-scopes)."""
    if required in granted:
        return True
    return required.startswith("read_") and f"write_{required.removeprefix('read_')}" in granted


@dataclass(frozen=True)
class AuthResult:
    token: AccessToken | None
    error: str | None = None


def issue_code(state: SimulatorState, shop: Shop, scopes: tuple[str, ...]) -> AuthorizationCode:
    with state.lock:
        code = AuthorizationCode(
            value=secrets.token_hex(16),
            shop=shop.domain,
            client_id=state.config.api_key,
            scopes=scopes,
            expires_at=state.monotonic() + CODE_TTL_SECONDS,
        )
        state.codes[code.value] = code
        return code


def redeem_code(state: SimulatorState, shop: Shop, value: str) -> AuthorizationCode | None:
    """The code if it is valid for ``shop``; a code works once, even when the exchange fails later."""
    with state.lock:
        code = state.codes.pop(value, None)
        if code is None or code.shop != shop.domain or code.expires_at < state.monotonic():
            return None
        return code


def issue_offline_token(
    state: SimulatorState,
    shop: Shop,
    *,
    scopes: tuple[str, ...],
    expiring: bool,
    kind: str | None = None,
    client_id: str | None = None,
    access_ttl: float | None = None,
    replaces_refresh: str | None = None,
    predecessor_refresh: str | None = None,
) -> dict[str, Any]:
    """Mint an offline token (and its refresh token when expiring); the OAuth JSON answer."""
    with state.lock:
        now = state.monotonic()
        ttl = shop.access_token_ttl_seconds if access_ttl is None else float(access_ttl)
        token = AccessToken(
            value=f"shpat_{secrets.token_hex(16)}",
            shop=shop.domain,
            client_id=client_id or state.config.api_key,
            kind=kind or ("expiring" if expiring else "legacy"),
            scopes=scopes,
            issued_at=now,
            expires_at=now + ttl if expiring else None,
            replaces_refresh=replaces_refresh,
        )
        state.access_tokens[token.value] = token
        answer: dict[str, Any] = {"access_token": token.value, "scope": ",".join(scopes)}
        if expiring:
            refresh = RefreshToken(
                value=f"shprt_{secrets.token_hex(16)}",
                shop=shop.domain,
                client_id=token.client_id,
                scopes=scopes,
                expires_at=now + shop.refresh_token_ttl_seconds,
                predecessor=predecessor_refresh,
            )
            state.refresh_tokens[refresh.value] = refresh
            answer |= {
                "expires_in": int(ttl),
                "refresh_token": refresh.value,
                "refresh_token_expires_in": int(shop.refresh_token_ttl_seconds),
            }
        return answer


def refresh(state: SimulatorState, shop: Shop, value: str) -> dict[str, Any] | None:
    """Rotate: a new access token and a new refresh token, or None for an unusable refresh token."""
    with state.lock:
        current = state.refresh_tokens.get(value)
        if (
            current is None
            or current.shop != shop.domain
            or current.revoked_reason
            or current.expires_at < state.monotonic()
        ):
            return None
        # Using the successor proves the app stored the new pair: the predecessor retires.
        if current.predecessor and current.predecessor in state.refresh_tokens:
            state.refresh_tokens[current.predecessor].revoked_reason = "superseded"
        return issue_offline_token(
            state,
            shop,
            scopes=current.scopes,
            expiring=True,
            replaces_refresh=current.value,
            predecessor_refresh=current.value,
        )


def authenticate(state: SimulatorState, shop: Shop, value: str | None) -> AuthResult:
    """The token behind an ``X-Shopify-Access-Token`` header, or why it is refused (a 401)."""
    with state.lock:
        token = state.access_tokens.get(value or "")
        if token is None or token.shop != shop.domain or token.revoked_reason:
            return AuthResult(None, INVALID_TOKEN)
        if token.expires_at is not None and token.expires_at <= state.monotonic():
            return AuthResult(None, INVALID_TOKEN)
        if token.kind == "legacy" and not shop.accept_non_expiring:
            return AuthResult(None, NON_EXPIRING_REFUSED)
        if not token.used:
            token.used = True
            retired = state.refresh_tokens.get(token.replaces_refresh or "")
            if retired is not None and not retired.revoked_reason:
                retired.revoked_reason = "superseded"
        return AuthResult(token)


def revoke_shop_tokens(state: SimulatorState, domain: str, *, reason: str, token: str | None = None) -> int:
    """Revoke one token, or every access and refresh token of a shop; how many were revoked."""
    revoked = 0
    with state.lock:
        for record in list(state.access_tokens.values()) + list(state.refresh_tokens.values()):
            if record.shop != domain or record.revoked_reason:
                continue
            if token is not None and record.value != token:
                continue
            record.revoked_reason = reason
            revoked += 1
    return revoked
