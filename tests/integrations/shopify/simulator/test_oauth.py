"""OAuth on a simulated shop: code grant signed as Shopify signs it, token exchange, migration,
refresh rotation, expiry, and the non-expiring cut-over."""

import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import shopify
from django.conf import settings

from tests.support.processes import wait_for
from tests.support.simulator_orders import SHOP

# The test settings' app secret is shorter than PyJWT recommends; it is a test value.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SHOP_QUERY = "{ shop { name } }"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


def _authorize(sim, **extra):
    return sim.http.get(
        f"/{SHOP}/admin/oauth/authorize",
        params={
            "client_id": settings.SHOPIFY_API_KEY,
            "scope": "read_products,write_orders",
            "redirect_uri": f"{settings.APP_URL}/auth/callback",
            "state": "nonce-123",
            **extra,
        },
    )


def _credentials() -> dict[str, str]:
    return {"client_id": settings.SHOPIFY_API_KEY, "client_secret": settings.SHOPIFY_API_SECRET}


def _callback_params(sim) -> dict[str, str]:
    response = _authorize(sim)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{settings.APP_URL}/auth/callback"
    return dict(parse_qsl(location.query))


def _token_request(sim, **body):
    return sim.http.post(f"/{SHOP}/admin/oauth/access_token", json={**_credentials(), **body})


def _works(sim, token: str) -> bool:
    return sim.graphql(SHOP, token, SHOP_QUERY).status_code == 200


def test_authorize_redirects_with_an_hmac_shopify_api_accepts(shopify_sim):
    params = _callback_params(shopify_sim)

    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["shop"] == SHOP and params["state"] == "nonce-123"
    shopify.Session.setup(api_key=settings.SHOPIFY_API_KEY, secret=settings.SHOPIFY_API_SECRET)
    assert shopify.Session.validate_params(params)
    assert not shopify.Session.validate_params({**params, "shop": "other.myshopify.com"})


def test_authorize_refuses_an_unknown_client_id(shopify_sim):
    assert _authorize(shopify_sim, client_id="someone-else").status_code == 400


def test_authorize_with_prompt_shows_an_approval_page_that_leads_to_the_redirect(shopify_sim):
    page = _authorize(shopify_sim, prompt="1")

    assert page.status_code == 200 and 'id="approve"' in page.text
    assert "write_orders" in page.text


def test_code_grant_returns_an_expiring_token_pair_that_works(shopify_sim):
    code = _callback_params(shopify_sim)["code"]

    answer = _token_request(shopify_sim, code=code, expiring="1").json()

    assert answer["access_token"].startswith("shpat_") and answer["refresh_token"].startswith("shprt_")
    assert answer["expires_in"] == 3600 and answer["refresh_token_expires_in"] > 0
    assert answer["scope"] == "read_products,write_orders"
    assert _works(shopify_sim, answer["access_token"])


def test_code_grant_accepts_a_form_body(shopify_sim):
    code = _callback_params(shopify_sim)["code"]

    response = shopify_sim.http.post(f"/{SHOP}/admin/oauth/access_token", data={**_credentials(), "code": code})

    assert response.status_code == 200 and "refresh_token" not in response.json()


def test_authorization_codes_are_single_use(shopify_sim):
    code = _callback_params(shopify_sim)["code"]
    assert _token_request(shopify_sim, code=code).status_code == 200

    again = _token_request(shopify_sim, code=code)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_invalid_client(shopify_sim):
    code = _callback_params(shopify_sim)["code"]

    response = _token_request(shopify_sim, code=code, client_secret="wrong")

    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_token_exchange_turns_an_id_token_into_an_offline_token(shopify_sim, shop_domain):
    id_token = shopify_sim.mint_id_token(shop_domain)

    answer = _token_request(
        shopify_sim,
        grant_type=TOKEN_EXCHANGE,
        subject_token=id_token,
        subject_token_type=ID_TOKEN_TYPE,
        requested_token_type=OFFLINE_TYPE,
        expiring="1",
    ).json()

    assert answer["expires_in"] == 3600 and "refresh_token" in answer
    assert _works(shopify_sim, answer["access_token"])


def test_token_exchange_refuses_an_id_token_for_another_app(shopify_sim, shop_domain):
    id_token = shopify_sim.mint_id_token(shop_domain, aud="another-app")

    response = _token_request(
        shopify_sim,
        grant_type=TOKEN_EXCHANGE,
        subject_token=id_token,
        subject_token_type=ID_TOKEN_TYPE,
        requested_token_type=OFFLINE_TYPE,
    )

    assert response.status_code == 400 and response.json()["error"] == "invalid_subject_token"


def test_migrating_a_non_expiring_token_retires_it(shopify_sim, shop_domain):
    legacy = shopify_sim.mint_token(shop_domain, kind="legacy")["access_token"]
    assert _works(shopify_sim, legacy)

    answer = _token_request(
        shopify_sim,
        grant_type=TOKEN_EXCHANGE,
        subject_token=legacy,
        subject_token_type=OFFLINE_TYPE,
        requested_token_type=OFFLINE_TYPE,
        expiring="1",
    ).json()

    assert _works(shopify_sim, answer["access_token"]) and "refresh_token" in answer
    assert shopify_sim.graphql(shop_domain, legacy, SHOP_QUERY).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_works_until_the_new_access_token_is_used(shopify_sim, shop_domain):
    first = shopify_sim.mint_token(shop_domain)

    second = _token_request(shopify_sim, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    # The answer may have been lost: the old refresh token still works...
    retry = _token_request(shopify_sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert retry.status_code == 200
    # ...until a token it produced is used.
    assert _works(shopify_sim, second["access_token"])

    stale = _token_request(shopify_sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    assert _token_request(shopify_sim, grant_type="refresh_token", refresh_token=second["refresh_token"]).is_success


def test_expiring_access_tokens_stop_working_when_they_expire(shopify_sim, shop_domain):
    shopify_sim.update_shop(shop_domain, access_token_ttl_seconds=1)
    answer = _token_request(
        shopify_sim,
        grant_type=TOKEN_EXCHANGE,
        subject_token=shopify_sim.mint_id_token(shop_domain),
        subject_token_type=ID_TOKEN_TYPE,
        requested_token_type=OFFLINE_TYPE,
        expiring="1",
    ).json()
    issued = time.monotonic()
    assert answer["expires_in"] == 1 and _works(shopify_sim, answer["access_token"])

    wait_for(lambda: not _works(shopify_sim, answer["access_token"]), timeout=3, what="token expiry")

    assert time.monotonic() - issued >= 0.9
    expired = shopify_sim.graphql(shop_domain, answer["access_token"], SHOP_QUERY)
    assert expired.status_code == 401
    assert expired.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_non_expiring_tokens_are_refused_after_the_cut_over_but_custom_app_tokens_work(shopify_sim, shop_domain):
    legacy = shopify_sim.mint_token(shop_domain, kind="legacy")["access_token"]
    custom = shopify_sim.mint_token(shop_domain, kind="custom_app")["access_token"]
    expiring = shopify_sim.mint_token(shop_domain)["access_token"]

    shopify_sim.update_shop(shop_domain, accept_non_expiring=False)

    refused = shopify_sim.graphql(shop_domain, legacy, SHOP_QUERY)
    assert refused.status_code == 401
    assert refused.json() == {"errors": "[API] Non-expiring access tokens are no longer accepted for the Admin API"}
    assert _works(shopify_sim, custom) and _works(shopify_sim, expiring)
