"""Outside the admin's frame: without a session token, `/` and `/orders/?shop=...` answer a page in
the app's look that says what happened and links to the app inside the shop's admin; and
`/favicon.ico` is an icon, not a 404."""

from django.test import Client

SHOP = "outside-store.myshopify.com"


def test_the_home_without_a_token_says_what_happened_in_the_apps_look(db):
    response = Client().get("/")

    page = response.content.decode()
    assert response.status_code == 401
    assert "<style>" in page and ".Card" in page  # the app's stylesheet, inlined
    assert 'name="viewport"' in page
    assert "Your Shopify session could not be verified" in page and "runs inside your Shopify admin" in page


def test_a_page_without_a_token_but_with_its_shop_links_to_the_app_in_that_shops_admin(db, settings):
    settings.SHOPIFY_ADMIN_URL_TEMPLATE = "https://admin.shopify.com/store/{store}/apps/{api_key}"
    client = Client()

    bounce = client.get("/orders/", {"shop": SHOP})
    assert bounce.status_code == 302
    page = client.get(bounce["Location"]).content.decode()

    assert "<style>" in page and 'data-testid="outside-frame"' in page
    assert f'href="https://admin.shopify.com/store/outside-store/apps/{settings.SHOPIFY_API_KEY}"' in page
    assert 'target="_top"' in page


def test_a_refused_token_page_links_to_the_admin_of_the_shop_it_names(db, settings):
    settings.SHOPIFY_ADMIN_URL_TEMPLATE = "https://admin.shopify.com/store/{store}/apps/{api_key}"

    response = Client().get("/orders/", {"shop": SHOP}, headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert "https://admin.shopify.com/store/outside-store/apps/" in response.content.decode()


def test_the_favicon_is_an_icon(db):
    response = Client().get("/favicon.ico")

    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
