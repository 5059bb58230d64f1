"""OAuth on a simulated shop: the install approval, and every grant of ``/admin/oauth/access_token``.

- Authorization-code grant: ``/admin/oauth/authorize`` "approves" the install and redirects to the
  app's ``redirect_uri`` with ``code, shop, state, timestamp, host, hmac``, the hmac signed exactly as
  Shopify signs it (hex HMAC-SHA256 of the sorted query without ``hmac``, keyed by the app secret).
  https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
- Token exchange: id token (or, to migrate, a non-expiring offline token) -> offline token.
  https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange
- Refresh grant: rotates both tokens.
  https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
Errors use OAuth's shape ``{"error", "error_description"}``: ``invalid_client`` (401) for wrong
credentials, ``invalid_request`` (400) for missing parameters, ``invalid_grant`` (400) for an unusable
code or refresh token, ``invalid_subject_token`` (400) for a bad id token, the code Shopify's own
libraries look for (shopify-api-js ``tokenExchange`` maps it to ``InvalidJwtError``).
"""

import base64
import hashlib
import hmac
import html
import time
from urllib.parse import urlencode

import jwt

from integrations.shopify.simulator import credentials
from integrations.shopify.simulator.id_tokens import decode_id_token
from integrations.shopify.simulator.models import Shop
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - an OAuth URN, not a secret
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105 - an OAuth URN, not a secret
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105 - an OAuth URN, not a secret
ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"  # noqa: S105 - an OAuth URN, not a secret


def sign_query(params: dict[str, str], secret: str) -> str:
    """Shopify's OAuth hmac: the same encoding as ShopifyAPI's ``Session.calculate_hmac``."""
    pairs = []
    for key, value in params.items():
        if key in ("hmac", "signature"):
            continue
        safe_key = key.replace("%", "%25").replace("=", "%3D")
        pairs.append(f"{safe_key}={value.replace('%', '%25')}".replace("&", "%26"))
    message = "&".join(sorted(pairs))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def host_param(shop: Shop) -> str:
    """``host``: base64 of the shop's admin address, unpadded, as App Bridge receives it."""
    raw = f"admin.shopify.com/store/{shop.store_handle}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response.json({"error": error, "error_description": description}, status=status)


def authorize(state: SimulatorState, domain: str, request: Request) -> Response:
    config = state.config
    client_id = request.arg("client_id")
    redirect_uri = request.arg("redirect_uri") or ""
    if client_id != config.api_key:
        return Response.html("<h1>Oauth error invalid_request: The client_id is invalid</h1>", status=400)
    if not redirect_uri.startswith(config.app_url.rstrip("/") + "/"):
        return Response.html("<h1>Oauth error invalid_request: The redirect_uri is not whitelisted</h1>", status=400)
    scopes = credentials.normalize_scopes(request.arg("scope", ""))
    shop = state.get_shop(domain) or state.upsert_shop(domain)
    if request.arg("prompt") == "1":
        return _approval_page(shop, request, scopes)
    with state.lock:
        shop.installed = True
        shop.granted_scopes = scopes
    code = credentials.issue_code(state, shop, scopes)
    params = {
        "code": code.value,
        "host": host_param(shop),
        "shop": shop.domain,
        "state": request.arg("state", ""),
        "timestamp": str(int(time.time())),
    }
    params["hmac"] = sign_query(params, config.api_secret)
    separator = "&" if "?" in redirect_uri else "?"
    return Response.redirect(f"{redirect_uri}{separator}{urlencode(params)}")


def _approval_page(shop: Shop, request: Request, scopes: tuple[str, ...]) -> Response:
    query = {key: values[0] for key, values in request.query.items() if key != "prompt"}
    approve = f"{request.path}?{urlencode(query)}"
    items = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes) or "<li>(no scopes)</li>"
    return Response.html(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>Install app</title></head>
<body style="font-family: system-ui; max-width: 40rem; margin: 3rem auto">
<h1>Install app on {html.escape(shop.name)}</h1>
<p>{html.escape(shop.domain)} (Shopify simulator) grants the app:</p><ul>{items}</ul>
<p><a id="approve" href="{html.escape(approve)}">Install</a></p></body></html>"""
    )


def access_token(state: SimulatorState, domain: str, request: Request) -> Response:
    config = state.config
    try:
        body = request.form_or_json()
    except ValueError:
        return oauth_error("invalid_request", "The request body is not valid JSON or form data.")
    if body.get("client_id") != config.api_key or not hmac.compare_digest(
        body.get("client_secret", ""), config.api_secret
    ):
        return oauth_error("invalid_client", "Client authentication failed.", status=401)
    shop = state.get_shop(domain)
    if shop is None:
        return oauth_error("invalid_request", f"Unknown shop {domain}.")
    grant_type = body.get("grant_type", "authorization_code" if "code" in body else "")
    expiring = body.get("expiring") in ("1", "true", "True")
    if grant_type == "authorization_code":
        code = credentials.redeem_code(state, shop, body.get("code", ""))
        if code is None:
            return oauth_error("invalid_grant", "The authorization code was not found or was already used.")
        return Response.json(credentials.issue_offline_token(state, shop, scopes=code.scopes, expiring=expiring))
    if grant_type == TOKEN_EXCHANGE:
        return _token_exchange(state, shop, body, expiring=expiring)
    if grant_type == "refresh_token":
        answer = credentials.refresh(state, shop, body.get("refresh_token", ""))
        if answer is None:
            return oauth_error("invalid_grant", "The refresh token is invalid, expired or revoked.")
        return Response.json(answer)
    return oauth_error("invalid_request", f"Unsupported grant_type {grant_type!r}.")


def _token_exchange(state: SimulatorState, shop: Shop, body: dict[str, str], *, expiring: bool) -> Response:
    requested = body.get("requested_token_type", "")
    if requested == ONLINE_TOKEN_TYPE:
        return oauth_error("invalid_request", "Online access tokens are not simulated.")
    if requested != OFFLINE_TOKEN_TYPE:
        return oauth_error("invalid_request", "requested_token_type must be the offline access token type.")
    subject = body.get("subject_token", "")
    subject_type = body.get("subject_token_type", "")
    if subject_type == ID_TOKEN_TYPE:
        try:
            claims = decode_id_token(subject, api_key=state.config.api_key, api_secret=state.config.api_secret)
        except jwt.InvalidTokenError as exc:
            return oauth_error("invalid_subject_token", f"The id token is invalid: {exc}")
        if claims.get("dest") != f"https://{shop.domain}":
            return oauth_error("invalid_subject_token", "The id token was issued for another shop.")
        with state.lock:
            # Managed installation: the admin installed the app with the scopes it declares.
            shop.installed = True
            shop.granted_scopes = shop.granted_scopes or state.config.default_scopes
            scopes = shop.granted_scopes
        return Response.json(credentials.issue_offline_token(state, shop, scopes=scopes, expiring=expiring))
    if subject_type == OFFLINE_TOKEN_TYPE:
        # Migration of a non-expiring token: it stops working as soon as the expiring one exists.
        # https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens
        with state.lock:
            old = state.access_tokens.get(subject)
            if old is None or old.shop != shop.domain or old.revoked_reason or old.kind != "legacy":
                return oauth_error("invalid_subject_token", "The offline access token is invalid or not migratable.")
            old.revoked_reason = "migrated"
            answer = credentials.issue_offline_token(state, shop, scopes=old.scopes, expiring=True)
        return Response.json(answer)
    return oauth_error("invalid_request", "Unsupported subject_token_type.")
