"""Only the embedded pages may be framed, and only by the shop's own admin: everything else (Django
admin, staff pages, install pages, errors) sends ``frame-ancestors 'none'`` and ``X-Frame-Options:
DENY`` whatever ``?shop=`` says. Embedded pages are never stored by a cache (they show addresses)."""

import pytest
from django.contrib.auth import get_user_model

from tests.support.id_tokens import bearer, id_token
from tests.support.push_records import plain_shop
from tests.support.static_storage import _plain_static_storage  # noqa: F401

SHOP = "framed-store.myshopify.com"
STOREFRONT = "evil-store.myshopify.com"

NOT_FRAMEABLE = "frame-ancestors 'none';"


@pytest.fixture
def shop(db, settings):
    settings.SHOPIFY_ORIGIN_TEMPLATE = "https://{shop}"  # production
    return plain_shop(SHOP)


def assert_not_frameable(response):
    assert response["Content-Security-Policy"] == NOT_FRAMEABLE, response.get("Content-Security-Policy")
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/login/",
        "/staff/login/",
        "/staff/stores/999999/",  # a staff error page (redirect to login, or 404)
        "/auth/install",  # an install error page
        "/auth/callback",  # a refused callback
        "/healthz",
    ],
)
def test_pages_outside_the_admin_are_never_frameable_whatever_the_shop_parameter(client, shop, path):
    response = client.get(path, {"shop": STOREFRONT})

    assert_not_frameable(response)


def test_a_staff_error_page_is_not_frameable(client, shop, settings):
    settings.STAFF_REQUIRE_TOTP = False  # a rep without an authenticator device
    staff = get_user_model().objects.create_user(username="rep", password="x" * 20, is_staff=True)
    client.force_login(staff)

    missing = client.get("/staff/stores/999999/orders/1/", {"shop": STOREFRONT})

    assert missing.status_code == 404
    assert_not_frameable(missing)


def test_an_embedded_page_is_framed_by_its_shops_admin_only(client, shop):
    home = client.get("/", {"shop": STOREFRONT}, headers=bearer(SHOP))

    assert home.status_code == 200
    assert home["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    assert "X-Frame-Options" not in home


def test_the_bounce_and_breakout_pages_may_be_framed_by_the_shops_admin(client, shop):
    bounce = client.get("/auth/session-token", {"shop": SHOP, "shopify-reload": "/"})
    breakout = client.get("/auth/install", {"shop": SHOP, "embedded": "1"})

    for response in (bounce, breakout):
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"


def test_a_crafted_shop_parameter_is_refused_not_a_500(client, shop):
    response = client.get("/auth/session-token", {"shop": f"{SHOP}\n/", "shopify-reload": "/"})

    assert response.status_code == 400
    assert_not_frameable(response)


@pytest.mark.parametrize("path", ["/", "/orders/", "/preview/"])
def test_embedded_pages_are_not_stored_by_caches(client, shop, path):
    response = client.get(path, {"shop": SHOP, "id_token": id_token(SHOP)})

    assert response.status_code == 200, path
    assert "no-store" in response["Cache-Control"]
