"""Orders: counts, progress, the filterable paginated list, an order's detail, retry and push."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from integrations.orders.models import PushAttempt, PushRecord, Wave, WaveMember
from integrations.shops.models import Shop
from tests.support.id_tokens import bearer
from tests.support.push_records import attempt, connection, plain_shop, record

State = PushRecord.State


def test_a_fetch_without_an_id_token_is_refused_and_a_page_load_is_bounced_to_get_one(client, shop_row):
    fetch = client.post(reverse("pages:push"))
    load = client.get(reverse("pages:orders"), {"shop": shop_row.domain})

    assert fetch.status_code == 401 and fetch["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert load.status_code == 302 and "shopify-reload" in load["Location"]


def test_an_id_token_signed_with_another_secret_is_refused(client, shop_row):
    response = client.get(reverse("pages:orders"), headers=bearer(shop_row.domain, secret="not-the-app-secret"))

    assert response.status_code == 401


def test_the_list_shows_only_this_stores_orders_with_status_payment_and_reason(admin, shop_row, conn):
    record(shop_row, conn, "bk-pushed", State.PUSHED, shopify_order_name="#1042")
    record(shop_row, conn, "bk-frost", State.NEEDS_ATTENTION, last_error="SKU EXP-FROST is not in your Shopify store.")
    other = plain_shop("someone-else.myshopify.com")
    record(other, connection(other), "bk-not-mine", State.PUSHED)

    page = admin.get("pages:orders").content.decode()

    assert "bk-pushed" in page and "#1042" in page and "Paid" in page
    assert "SKU EXP-FROST is not in your Shopify store." in page
    assert "bk-not-mine" not in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "failed"}, {"bk-failed"}),
        ({"financial_status": "PARTIALLY_PAID"}, {"bk-partial"}),
        ({"q": "backer-bk-paid"}, {"bk-paid"}),
        ({"q": "bk-failed"}, {"bk-failed"}),
        ({"q": "#2002"}, {"bk-partial"}),
        ({"q": "2002"}, {"bk-partial"}),
    ],
)
def test_the_list_filters_by_state_payment_status_and_exact_ids(admin, shop_row, conn, params, expected):
    record(shop_row, conn, "bk-paid", State.PUSHED, shopify_order_name="#2001")
    record(shop_row, conn, "bk-partial", State.PUSHED, financial_status="PARTIALLY_PAID", shopify_order_name="#2002")
    record(shop_row, conn, "bk-failed", State.FAILED)

    rows = admin.get("pages:orders", **params).context["page"].rows

    assert {r.backerkit_order_id for r in rows} == expected


def test_the_list_pages_fifty_newest_first_in_a_fixed_number_of_queries(
    admin, shop_row, conn, django_assert_max_num_queries
):
    PushRecord.objects.bulk_create(
        [
            PushRecord(
                shop=shop_row,
                connection=conn,
                backerkit_order_id=f"bk-{n:03d}",
                state=State.PUSHED,
                financial_status="PAID",
                currency="USD",
            )
            for n in range(120)
        ]
    )

    with django_assert_max_num_queries(12):
        response = admin.get("pages:orders", page="3")

    page = response.context["page"]
    assert (page.number, page.total, len(page.rows)) == (3, 120, 20)
    assert page.rows[0].backerkit_order_id == "bk-019"
    assert "41–60" not in response.content.decode() and "101–120 of 120" in response.content.decode()


def test_a_page_beyond_the_last_shows_the_last_page(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PUSHED)

    assert admin.get("pages:orders", page="99").context["page"].number == 1


def test_an_orders_detail_shows_what_was_sent_the_shopify_order_and_every_attempt(admin, shop_row, conn):
    sent = {
        "order": {
            "lineItems": [
                {
                    "variantId": "gid://shopify/ProductVariant/1",
                    "sku": "GAME-CORE",
                    "quantity": 1,
                    "title": "Skyforge: Core Game",
                }
            ],
            "shippingLines": [
                {"title": "Shipping", "priceSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}}}
            ],
            "transactions": [
                {"gateway": "BackerKit", "amountSet": {"shopMoney": {"amount": "90.44", "currencyCode": "USD"}}}
            ],
            "tags": ["482913", "Skyforge Store"],
            "customAttributes": [{"key": "Total Paid by Backer", "value": "90.44 USD"}],
            "shippingAddress": {"countryCode": "US", "provinceCode": "CA", "address1": "12 Main Street"},
        },
        "options": {"inventoryBehaviour": "BYPASS"},
    }
    rec = record(
        shop_row,
        conn,
        "bk-paid",
        State.PUSHED,
        sent_input=sent,
        shopify_order_id="gid://shopify/Order/777",
        shopify_order_name="#1077",
    )
    attempt(rec, PushAttempt.Outcome.TRANSIENT, "Shopify answered 502")
    attempt(rec, PushAttempt.Outcome.CREATED)

    page = admin.get("pages:order", rec.id).content.decode()

    assert f"https://{shop_row.domain}/admin/orders/777" in page and "#1077" in page
    assert "covers the Shopify total" in page
    assert "GAME-CORE" in page and "Total Paid by Backer" in page and "482913, Skyforge Store" in page
    assert "Temporary Shopify error" in page and "Created in Shopify" in page
    assert 'variant="breadcrumb"' in page  # App Bridge's back action on a sub-page


def test_a_failed_orders_detail_says_why_and_offers_retry(admin, shop_row, conn):
    rec = record(
        shop_row, conn, "bk-frost", State.NEEDS_ATTENTION, last_error="SKU EXP-FROST is not in your Shopify store."
    )

    page = admin.get("pages:order", rec.id).content.decode()

    assert "What needs your attention" in page and "SKU EXP-FROST" in page
    assert 'data-testid="retry-one"' in page


def test_another_stores_order_is_not_found(admin, shop_row):
    other = plain_shop("someone-else.myshopify.com")
    theirs = record(other, connection(other), "bk-theirs", State.PUSHED)

    assert admin.get("pages:order", theirs.id).status_code == 404


def test_retrying_one_order_queues_it_and_comes_back_with_a_fresh_page(admin, shop_row, conn):
    rec = record(shop_row, conn, "bk-frost", State.NEEDS_ATTENTION, attempts=1)

    response = admin.post("pages:retry", data={"record": rec.id, "back": "order"})

    rec.refresh_from_db()
    assert rec.state == State.PENDING and rec.attempts == 0
    query = parse_qs(urlsplit(response["Location"]).query)
    assert urlsplit(response["Location"]).path == reverse("pages:order", args=[rec.id])
    assert query["notice"] == ["1 order queued to push again"] and "id_token" not in query
    assert admin.follow(response).status_code == 200


def test_retry_all_queues_failed_and_needs_attention_but_never_invalid_orders(admin, shop_row, conn):
    record(shop_row, conn, "bk-f", State.FAILED)
    record(shop_row, conn, "bk-a", State.NEEDS_ATTENTION)
    record(shop_row, conn, "bk-i", State.FAILED, invalid_input=True)
    other = plain_shop("someone-else.myshopify.com")
    record(other, connection(other), "bk-theirs", State.FAILED)

    admin.post("pages:retry", data={"all": "1"})

    states = dict(PushRecord.objects.values_list("backerkit_order_id", "state"))
    assert states == {"bk-f": "pending", "bk-a": "pending", "bk-i": "failed", "bk-theirs": "failed"}


def test_retrying_another_stores_order_changes_nothing(admin, shop_row):
    other = plain_shop("someone-else.myshopify.com")
    theirs = record(other, connection(other), "bk-theirs", State.FAILED)

    admin.post("pages:retry", data={"record": theirs.id})

    theirs.refresh_from_db()
    assert theirs.state == State.FAILED


def test_push_sends_the_waiting_orders_including_paused_ones(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PENDING)
    record(shop_row, conn, "bk-2", State.PAUSED)

    response = admin.post("pages:push")

    assert parse_qs(urlsplit(response["Location"]).query)["notice"] == ["Pushing 2 orders"]
    assert set(PushRecord.objects.values_list("state", flat=True)) == {State.PENDING}


def test_a_disconnected_store_sees_reconnect_instead_of_a_push(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause="scopes_reduced",
        disconnected_reason="The app's access was reduced.",
    )
    record(shop_row, conn, "bk-1", State.PAUSED)

    response = admin.post("pages:push")
    page = admin.follow(response).content.decode()

    assert "Shopify is disconnected" in page and 'data-testid="reconnect"' in page
    assert f"/auth/install?shop={shop_row.domain}" in page
    assert PushRecord.objects.get().state == State.PAUSED


def test_progress_reports_what_is_left_and_an_eta(admin, shop_row, conn):
    for n in range(6):
        record(shop_row, conn, f"bk-wait-{n}", State.PENDING)
    for n in range(3):  # pushed since the push started
        attempt(record(shop_row, conn, f"bk-done-{n}", State.PUSHED))

    data = admin.get("pages:progress").json()

    assert data["running"] is True and data["remaining"] == 6 and data["finished"] == 3
    assert data["total"] == 9 and data["percent"] == 33
    assert data["eta_seconds"] is not None and data["eta_text"]


def test_forms_posted_from_the_admins_iframe_need_the_id_token_not_djangos_csrf_cookie(shop_row, conn):
    from django.test import Client

    from tests.support.id_tokens import id_token

    browser = Client(enforce_csrf_checks=True)  # the admin's iframe: no CSRF cookie (third-party)
    rec = record(shop_row, conn, "bk-f", State.FAILED)

    with_token = browser.post(reverse("pages:retry"), {"record": rec.id, "id_token": id_token(shop_row.domain)})
    without = browser.post(reverse("pages:retry"), {"record": rec.id})

    assert with_token.status_code == 302 and without.status_code == 401


def test_links_keep_the_authenticated_shop_never_the_querys(admin, shop_row):
    page = admin.client.get(
        reverse("pages:orders"), {"shop": "someone-else.myshopify.com"}, headers=bearer(shop_row.domain)
    ).content.decode()

    assert "someone-else" not in page and f"shop={shop_row.domain}" in page


def test_embedded_pages_may_be_framed_by_the_shops_admin_only(admin, shop_row):
    response = admin.get("pages:orders")

    assert (
        response["Content-Security-Policy"] == f"frame-ancestors https://{shop_row.domain} https://admin.shopify.com;"
    )


def test_a_waves_orders_stay_the_waves_on_the_next_page_and_under_each_state_tab(admin, shop_row, conn):
    wave = Wave.objects.create(shop=shop_row, name="Wave 1")
    for n in range(55):
        WaveMember.objects.create(record=record(shop_row, conn, f"bk-w{n}", State.PUSHED), wave=wave, country="US")
    record(shop_row, conn, "bk-not-in-the-wave", State.PUSHED)

    first = admin.get("pages:orders", wave=str(wave.id)).content.decode()
    nxt = parse_qs(urlsplit(re.search(r'href="([^"]+)" rel="next"', first)[1].replace("&amp;", "&")).query)
    second = admin.get("pages:orders", **{k: v[0] for k, v in nxt.items() if k != "shop"}).content.decode()

    assert nxt["wave"] == [str(wave.id)] and nxt["page"] == ["2"]
    assert "51–55 of 55" in second and "bk-not-in-the-wave" not in second
    assert f"wave={wave.id}&amp;state=needs_attention" in first  # a state tab keeps the wave
