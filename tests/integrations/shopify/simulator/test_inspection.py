"""What the simulator holds is inspectable: state.json, a shop's orders, an HTML page, the admin frame."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import shopify
from django.conf import settings

from tests.support.simulator_orders import create_order, order_input, usd

# The test settings' app secret is shorter than PyJWT recommends; it is a test value.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_state_json_lists_shops_masked_tokens_orders_and_counters(shopify_sim, shop_domain, token, variants):
    create_order(
        shopify_sim, shop_domain, token, order_input(variants["GAME"], transactions=[{"amountSet": usd("40.00")}])
    )

    state = shopify_sim.state()

    assert [s["domain"] for s in state["shops"]] == [shop_domain]
    assert all(t["token"].endswith("…") and token not in t["token"] for t in state["tokens"])
    [order] = state["orders"]
    assert order["total"] == "40.00" and order["display_financial_status"] == "PAID"
    assert state["counters"]["order_create_calls"] == 1
    assert state["counters"]["admin_api_requests"] == 1
    assert state["cost_spent"] == 10


def test_a_shops_orders_json_lists_its_orders(shopify_sim, shop_domain, token, variants):
    create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"], tags=["bk"]))

    [order] = shopify_sim.orders(shop_domain)

    assert order["name"] == "#1001" and order["tags"] == ["bk"]


def test_the_home_page_lists_shops_and_orders(shopify_sim, shop_domain, token, variants):
    create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"], sourceIdentifier="bk-42"))

    page = shopify_sim.http.get("/")

    assert page.status_code == 200
    assert shop_domain in page.text and "#1001" in page.text and "bk-42" in page.text


def test_the_admin_page_frames_the_app_with_a_signed_query_and_a_fresh_id_token(shopify_sim, shop_domain):
    page = shopify_sim.http.get(f"/{shop_domain}/admin/apps/{settings.SHOPIFY_API_KEY}")

    assert page.status_code == 200
    src = page.text.split('<iframe id="app-frame" title="app" src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert src.startswith(f"{settings.APP_URL}/?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}
    assert params["embedded"] == "1" and params["shop"] == shop_domain
    shopify.Session.setup(api_key=settings.SHOPIFY_API_KEY, secret=settings.SHOPIFY_API_SECRET)
    assert shopify.Session.validate_params(params)
    claims = jwt.decode(
        params["id_token"], settings.SHOPIFY_API_SECRET, algorithms=["HS256"], audience=settings.SHOPIFY_API_KEY
    )
    assert claims["dest"] == f"https://{shop_domain}"
    assert "shopify-simulator:id-token" in page.text


def test_control_errors_are_json(shopify_sim):
    missing = shopify_sim.http.get("/_simulator/shops/nobody.myshopify.com/orders.json")
    bad = shopify_sim.http.post("/_simulator/shops", json={"domain": "not a domain"})

    assert missing.status_code == 404 and "error" in missing.json()
    assert bad.status_code == 400 and "error" in bad.json()
