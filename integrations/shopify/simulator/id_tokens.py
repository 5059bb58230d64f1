"""App Bridge id tokens (session tokens), minted as the Shopify admin mints them.

HS256 JWTs signed with the app's client secret, valid for one minute, with ``iss`` the shop's admin
URL, ``dest`` the shop URL and ``aud`` the app's client id.
https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
Overrides exist so tests can produce the bad tokens an app must refuse (wrong audience, expired,
signed with another secret, not yet valid).
"""

import secrets
import time
import uuid
from typing import Any

import jwt

ID_TOKEN_LIFETIME_SECONDS = 60


def mint_id_token(
    *,
    api_key: str,
    api_secret: str,
    shop: str,
    user_id: int | str = 1,
    lifetime_seconds: float = ID_TOKEN_LIFETIME_SECONDS,
    issued_offset_seconds: float = 0,
    secret: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> str:
    """An id token for ``shop``; ``issued_offset_seconds`` < 0 back-dates it (e.g. -120: expired)."""
    issued = int(time.time() + issued_offset_seconds)
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": str(user_id),
        "exp": issued + int(lifetime_seconds),
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "sid": secrets.token_hex(16),
    }
    claims.update(overrides or {})
    return jwt.encode(claims, secret or api_secret, algorithm="HS256")


def decode_id_token(token: str, *, api_key: str, api_secret: str, leeway: float = 5) -> dict[str, Any]:
    """The claims of a token the simulator accepts for token exchange (raises jwt.InvalidTokenError)."""
    return jwt.decode(
        token,
        api_secret,
        algorithms=["HS256"],
        audience=api_key,
        leeway=leeway,
        options={"require": ["iss", "dest", "aud", "exp", "nbf"]},
    )
