"""Embedded requests are authenticated by App Bridge session tokens: bad tokens get a 401 App Bridge
retries, a page load without one is bounced to get one, and a shop without a usable offline token
gets one by token exchange with the simulator (managed installation)."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop
from tests.support.id_tokens import bearer, id_token
from tests.support.push_records import State, parked_record
from tests.support.shops import connected_shop

SHOP = "campaign-store.myshopify.com"
RETRY = "X-Shopify-Retry-Invalid-Session-Request"

pytestmark = pytest.mark.django_db


def signed(claims: dict, secret: str) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def claims_for(domain: str, settings, **overrides) -> dict:
    now = int(time.time())
    return {"iss": f"https://{domain}/admin", "dest": f"https://{domain}", "aud": settings.SHOPIFY_API_KEY, "sub": "1",
            "exp": now + 60, "nbf": now, "iat": now, "jti": "j", "sid": "s", **overrides}  # fmt: skip


@pytest.fixture
def sim_shop(shopify_sim):
    return connected_shop(shopify_sim, domain=SHOP)


def test_a_valid_session_token_opens_the_shop_home(client, sim_shop):
    response = client.get("/", headers=bearer(SHOP))

    assert response.status_code == 200
    assert sim_shop.domain in response.content.decode()


def test_the_first_page_load_authenticates_by_the_id_token_in_the_query(client, sim_shop):
    assert client.get("/", {"shop": SHOP, "id_token": id_token(SHOP)}).status_code == 200


@pytest.mark.parametrize(
    "case",
    ["forged", "expired", "wrong_audience", "issuer_of_another_shop", "not_a_shop", "not_yet_valid", "garbage"],
)
def test_a_bad_session_token_is_a_401_app_bridge_retries(client, sim_shop, settings, case):
    secret = settings.SHOPIFY_API_SECRET
    now = int(time.time())
    token = {
        "forged": lambda: signed(claims_for(SHOP, settings), "an-attacker-secret-of-32-bytes-or-more"),
        "expired": lambda: id_token(SHOP, issued_offset_seconds=-120),
        "wrong_audience": lambda: id_token(SHOP, overrides={"aud": "another-app"}),
        "issuer_of_another_shop": lambda: signed(
            claims_for(SHOP, settings, iss="https://other.myshopify.com/admin"), secret
        ),  # fmt: skip
        "not_a_shop": lambda: signed(claims_for("evil.com", settings), secret),
        "not_yet_valid": lambda: signed(claims_for(SHOP, settings, nbf=now + 60), secret),
        "garbage": lambda: "not-a-jwt",
    }[case]()

    response = client.get("/", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response[RETRY] == "1"
    assert b"could not be verified" in response.content


def test_a_bad_token_posted_by_a_form_is_a_401(client, sim_shop):
    response = client.post("/", {"id_token": id_token(SHOP, overrides={"aud": "another-app"})})

    assert response.status_code == 401
    assert response[RETRY] == "1"


def test_a_token_issued_a_few_seconds_ahead_is_accepted(client, sim_shop):
    assert client.get("/", headers=bearer(SHOP, issued_offset_seconds=5)).status_code == 200


def test_the_previous_secret_is_accepted_during_rotation(client, sim_shop, settings):
    token = id_token(SHOP)  # signed with the current secret...
    settings.SHOPIFY_API_SECRET_OLD = settings.SHOPIFY_API_SECRET
    settings.SHOPIFY_API_SECRET = "the-new-secret-after-the-rotation-32b"  # ...which is now the old one

    assert client.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_page_load_without_a_token_is_bounced_to_fetch_one(client, sim_shop):
    response = client.get("/", {"shop": SHOP, "host": "aG9zdA"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert location.path == "/auth/session-token"
    assert query["shop"] == SHOP
    assert query["shopify-reload"] == f"/?shop={SHOP}&host=aG9zdA"


def test_a_page_reloaded_with_its_expired_token_is_bounced(client, sim_shop):
    response = client.get("/", {"shop": SHOP, "id_token": id_token(SHOP, issued_offset_seconds=-120)})

    assert response.status_code == 302
    assert "id_token" not in parse_qs(urlsplit(response["Location"]).query)["shopify-reload"][0]


def test_the_bounce_page_loads_app_bridge_and_names_the_page_to_reload(client):
    response = client.get("/auth/session-token", {"shop": SHOP, "shopify-reload": "/?shop=" + SHOP})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index('name="shopify-api-key"') < page.index("app-bridge.js") < page.index("<title>")
    assert 'data-shopify-reload="/?shop=campaign-store.myshopify.com"' in page
    assert response["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_bounce_page_reloads_only_pages_of_this_app(client, target):
    assert client.get("/auth/session-token", {"shop": SHOP, "shopify-reload": target}).status_code == 400


def test_a_request_without_token_or_shop_is_refused(client):
    response = client.get("/")

    assert response.status_code == 401
    assert response["Content-Security-Policy"] == "frame-ancestors 'none';"


def test_managed_install_exchanges_the_first_id_token_for_an_expiring_offline_token(client, shopify_sim):
    shopify_sim.create_shop(SHOP, name="Skyforge Games", currency="EUR")

    response = client.get("/", headers=bearer(SHOP))

    assert response.status_code == 200
    sim_shop = Shop.objects.get(domain=SHOP)
    assert sim_shop.status == Shop.Status.CONNECTED
    assert sim_shop.token_kind == Shop.TokenKind.EXPIRING
    assert sim_shop.refresh_token.startswith("shprt_") and sim_shop.access_token_expires_at is not None
    assert (sim_shop.name, sim_shop.currency) == ("Skyforge Games", "EUR")
    assert sim_shop.push_road == Shop.PushRoad.AUTO  # bulk operations join in for large pushes (issue 16)
    assert shopify_sim.graphql(SHOP, sim_shop.access_token, "{ shop { name } }").status_code == 200


def test_a_shop_whose_token_was_refused_gets_a_new_one_when_it_is_opened(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    paused = parked_record(sim_shop, State.PAUSED)
    old_token = sim_shop.access_token
    shopify_sim.revoke(SHOP)
    disconnect_shop(shop_id=sim_shop.id, reason="Shopify refused the app's access token. Reconnect to resume pushing.")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/", headers=bearer(SHOP)).status_code == 200

    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.CONNECTED and sim_shop.access_token != old_token
    paused.refresh_from_db()
    assert paused.state == State.PENDING


def test_an_uninstalled_shop_reopened_from_the_admin_is_installed_again(client, sim_shop, shopify_sim):
    Shop.objects.filter(id=sim_shop.id).update(status=Shop.Status.UNINSTALLED, access_token="", refresh_token="")

    assert client.get("/", headers=bearer(SHOP)).status_code == 200

    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.CONNECTED and sim_shop.access_token


def test_a_shop_shopify_will_not_give_a_token_gets_a_message_not_a_500(client, shopify_sim):
    # The shop does not exist at the simulator: the token exchange is refused.
    response = client.get("/", headers=bearer("unknown-store.myshopify.com"))

    assert response.status_code == 502
    assert b"did not complete the installation" in response.content
    assert not Shop.objects.exists()
