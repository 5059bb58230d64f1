"""The authorization-code install through the Shopify simulator over real HTTP: /auth/install ->
Shopify's authorize page -> /auth/callback -> an expiring offline token -> into the admin."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from integrations.shopify.simulator.oauth import sign_query
from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop
from shopapp.install.oauth import verify_callback
from shopapp.models import OAuthState
from tests.support.push_records import State, parked_record

SHOP = "campaign-store.myshopify.com"

pytestmark = pytest.mark.django_db


def start_install(client, shop: str = SHOP):
    response = client.get("/auth/install", {"shop": shop})
    assert response.status_code == 302, response.content
    return response["Location"]


def shopify_approves(authorize_url: str) -> str:
    """The merchant approves in the (simulated) admin; Shopify redirects to our callback."""
    answer = httpx.get(authorize_url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback_params(callback_url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}


def call_back(client, params: dict[str, str]):
    return client.get(f"/auth/callback?{urlencode(params)}")


def test_install_refuses_anything_but_a_myshopify_domain(client):
    for shop in ("evil.com", "campaign-store", "campaign-store.myshopify.com.evil.com", "", "https://x.myshopify.com"):
        response = client.get("/auth/install", {"shop": shop})
        assert response.status_code == 400, shop


def test_install_redirects_to_shopify_with_a_single_use_state(client, shopify_sim, settings):
    location = start_install(client)

    url = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert location.startswith(shopify_sim.origin(SHOP) + "/admin/oauth/authorize?")
    assert query["client_id"] == settings.SHOPIFY_API_KEY
    assert query["scope"] == ",".join(settings.SHOPIFY_SCOPES)
    assert query["redirect_uri"] == f"{settings.APP_URL}/auth/callback"
    state = OAuthState.objects.get()
    assert state.shop_domain == SHOP
    assert query["state"] not in state.nonce_digest  # only a digest is stored
    assert client.cookies["shopify_oauth_state"].value == query["state"]


def test_install_inside_the_admin_iframe_breaks_out_to_the_top_window(client):
    response = client.get("/auth/install", {"shop": SHOP, "embedded": "1"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "window.top.location.href" in page
    assert 'target="_top"' in page
    assert "http://testserver/auth/install?shop=campaign-store.myshopify.com" in page
    assert not OAuthState.objects.exists()  # the state is created at the top level, with its cookie


def test_full_install_stores_an_expiring_offline_token_and_lands_in_the_admin(client, shopify_sim, settings):
    shopify_sim.create_shop(SHOP, name="Skyforge Games", currency="EUR")
    settings.SHOPIFY_ADMIN_URL_TEMPLATE = shopify_sim.url + "/{shop}/admin/apps/{api_key}"

    response = call_back(client, callback_params(shopify_approves(start_install(client))))

    assert response.status_code == 302
    assert response["Location"] == f"{shopify_sim.url}/{SHOP}/admin/apps/{settings.SHOPIFY_API_KEY}"
    shop = Shop.objects.get(domain=SHOP)
    assert shop.status == Shop.Status.CONNECTED
    assert shop.token_kind == Shop.TokenKind.EXPIRING
    assert shop.access_token.startswith("shpat_") and shop.refresh_token.startswith("shprt_")
    assert 3500 < (shop.access_token_expires_at - shop.token_obtained_at).total_seconds() <= 3600
    assert (shop.name, shop.currency) == ("Skyforge Games", "EUR")
    assert shop.scope_set == set(settings.SHOPIFY_SCOPES)
    assert shopify_sim.graphql(SHOP, shop.access_token, "{ shop { name } }").status_code == 200
    assert not OAuthState.objects.exists()


def test_production_lands_in_the_shopify_admin(client, shopify_sim, settings):
    response = call_back(client, callback_params(shopify_approves(start_install(client))))

    assert response["Location"] == f"https://admin.shopify.com/store/campaign-store/apps/{settings.SHOPIFY_API_KEY}"


def test_a_tampered_callback_is_refused(client, shopify_sim):
    params = callback_params(shopify_approves(start_install(client)))
    tampered = dict(params, shop="other-store.myshopify.com")

    response = call_back(client, tampered)

    assert response.status_code == 400
    assert b"not signed by Shopify" in response.content
    assert not Shop.objects.exists()


def test_a_callback_with_a_forged_hmac_is_refused(client, shopify_sim):
    params = callback_params(shopify_approves(start_install(client)))
    params["hmac"] = sign_query(params, "not-the-app-secret")

    assert call_back(client, params).status_code == 400
    assert not Shop.objects.exists()


def test_a_replayed_state_is_refused(client, shopify_sim):
    params = callback_params(shopify_approves(start_install(client)))
    assert call_back(client, params).status_code == 302
    client.cookies["shopify_oauth_state"] = params["state"]  # even with the cookie back

    replay = call_back(client, params)

    assert replay.status_code == 400
    assert b"already used" in replay.content


def test_a_callback_from_another_browser_is_refused(client, shopify_sim, settings):
    params = callback_params(shopify_approves(start_install(client)))
    client.cookies.clear()

    response = call_back(client, params)

    assert response.status_code == 400
    assert b"state mismatch" in response.content


def test_an_old_callback_is_refused(client, shopify_sim, settings):
    params = callback_params(shopify_approves(start_install(client)))
    params["timestamp"] = str(int(time.time()) - 2 * 3600)
    params["hmac"] = sign_query(params, settings.SHOPIFY_API_SECRET)

    response = call_back(client, params)

    assert response.status_code == 400
    assert b"too old" in response.content


def test_callback_accepts_the_previous_secret_during_rotation(client, shopify_sim, settings):
    params = callback_params(shopify_approves(start_install(client)))
    settings.SHOPIFY_API_SECRET_OLD = settings.SHOPIFY_API_SECRET
    settings.SHOPIFY_API_SECRET = "the-new-secret-after-rotation"  # the simulator still signs with the old one

    assert verify_callback(params=params, cookie_state=params["state"]) == SHOP


def test_reconnect_after_a_disconnect_connects_and_resumes_paused_work(
    client, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    call_back(client, callback_params(shopify_approves(start_install(client))))
    shop = Shop.objects.get(domain=SHOP)
    disconnect_shop(shop_id=shop.id, reason="Shopify refused the app's access token. Reconnect to resume pushing.")
    paused = parked_record(shop, State.PAUSED)

    with django_capture_on_commit_callbacks(execute=True):
        response = call_back(client, callback_params(shopify_approves(start_install(client))))

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONNECTED
    assert shop.disconnected_reason == "" and shop.disconnected_at is None
    paused.refresh_from_db()
    assert paused.state == State.PENDING


def test_install_with_too_few_scopes_records_the_missing_ones(client, shopify_sim, settings):
    location = start_install(client).replace("write_orders%2C", "")  # the merchant edits the URL

    call_back(client, callback_params(shopify_approves(location)))

    shop = Shop.objects.get(domain=SHOP)
    assert shop.status == Shop.Status.DISCONNECTED
    assert "write_orders" in shop.disconnected_reason and "Reconnect" in shop.disconnected_reason
