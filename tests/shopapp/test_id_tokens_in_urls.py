"""Id tokens outside headers: never in a ``Location`` the app sends, used once when they travel in a
URL (a token in an address is written by browsers' histories, proxies and Referers), and never
accepted without an expiry. One function reads the token from a request."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import RequestFactory
from django.urls import reverse

from shopapp.session_tokens import token_from_request
from tests.support.id_tokens import bearer, id_token
from tests.support.push_records import connection, plain_shop
from tests.support.static_storage import _plain_static_storage  # noqa: F401

SHOP = "url-store.myshopify.com"
RETRY = "X-Shopify-Retry-Invalid-Session-Request"

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return plain_shop(SHOP)


def test_a_token_without_exp_is_refused(client, shop, settings):
    now = int(time.time())
    claims = {"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": settings.SHOPIFY_API_KEY,
              "sub": "1", "nbf": now, "iat": now, "jti": "no-exp", "sid": "s"}  # fmt: skip
    token = jwt.encode(claims, settings.SHOPIFY_API_SECRET, algorithm="HS256")

    response = client.get("/", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response[RETRY] == "1"


def test_a_token_in_a_url_opens_the_page_once(client, shop):
    token = id_token(SHOP)

    first = client.get("/", {"shop": SHOP, "id_token": token})
    again = client.get("/", {"shop": SHOP, "id_token": token})

    assert first.status_code == 200
    # the reload of a used address is sent for a fresh token, as an expired one is
    assert again.status_code == 302
    reload_path = parse_qs(urlsplit(again["Location"]).query)["shopify-reload"][0]
    assert urlsplit(again["Location"]).path == reverse("install:session_token")
    assert "id_token" not in reload_path


def test_a_used_url_token_bounced_once_is_then_refused_not_bounced_again(client, shop):
    token = id_token(SHOP)
    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 200
    bounced = client.get("/", {"shop": SHOP, "id_token": token})
    reload_path = parse_qs(urlsplit(bounced["Location"]).query)["shopify-reload"][0]

    # the bounce page came back with the same (used) token: refuse, never loop
    looped = client.get(f"{reload_path}&id_token={token}")

    assert looped.status_code == 401


def test_a_token_in_a_url_cannot_be_replayed_in_another_url(client, shop):
    token = id_token(SHOP)
    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 200

    replayed = client.get(f"{reverse('pages:progress')}?id_token={token}")

    assert replayed.status_code == 401


def test_a_token_in_a_header_may_be_used_again(client, shop):
    headers = bearer(SHOP)  # App Bridge may hand the same token to several fetches within its minute

    assert [client.get(reverse("pages:progress"), headers=headers).status_code for _ in range(3)] == [200, 200, 200]


def test_url_tokens_are_remembered_in_the_database_without_redis(client, shop, settings):
    settings.REDIS_URL = ""  # the embedded default
    token = id_token(SHOP)

    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 200
    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 302


def test_a_form_post_redirects_without_the_token_in_the_location(client, shop):
    conn = connection(shop)

    response = client.post(
        reverse("pages:connection_remove", args=[conn.id]), {"shop": SHOP, "id_token": id_token(SHOP)}
    )

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert "id_token" not in parse_qs(location.query)
    assert parse_qs(location.query)["shop"] == [SHOP]
    # the next page load fetches a fresh token through the bounce page
    follow = client.get(location.path, parse_qs(location.query))
    assert follow.status_code == 302 and urlsplit(follow["Location"]).path == reverse("install:session_token")


def test_one_function_reads_the_token_header_first_then_body_then_query():
    factory = RequestFactory()
    header = factory.get("/?id_token=q", headers={"Authorization": "Bearer h"})
    basic = factory.get("/?id_token=q", headers={"Authorization": "Basic xyz"})
    form = factory.post("/?id_token=q", {"id_token": "b"})
    query = factory.get("/?id_token=q")

    assert [token_from_request(r) for r in (header, basic, form, query)] == ["h", "", "b", "q"]


def test_the_bounce_keeps_only_a_host_that_names_the_shops_admin(client, shop):
    import base64

    good = base64.urlsafe_b64encode(f"admin.shopify.com/store/{SHOP.split('.')[0]}".encode()).decode().rstrip("=")
    evil = base64.urlsafe_b64encode(b"evil.example/store/url-store").decode().rstrip("=")

    kept = client.get("/", {"shop": SHOP, "host": good})
    dropped = client.get("/", {"shop": SHOP, "host": evil})

    assert parse_qs(urlsplit(kept["Location"]).query)["host"] == [good]
    assert "host" not in parse_qs(urlsplit(dropped["Location"]).query)


def test_while_redis_cannot_be_reached_url_tokens_are_remembered_in_the_database(client, shop, settings, caplog):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    token = id_token(SHOP)

    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 200
    assert client.get("/", {"shop": SHOP, "id_token": token}).status_code == 302
    assert "session_token.replay_store_unavailable" in [r.getMessage() for r in caplog.records]
