"""The Success reps' console: staff accounts only, never a merchant's id token; per-store health,
the audited transaction-data switch, bulk retry, pause/resume, logged access to personal data."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from integrations.orders.models import PushRecord, Wave, WaveRelease
from shopapp.models import SettingChange
from tests.support.id_tokens import bearer
from tests.support.push_records import record
from tests.support.staff import STAFF_PASSWORD

State = PushRecord.State


def test_the_console_sends_anonymous_visitors_to_the_staff_login(client, shop_row):
    response = client.get(reverse("staff:store", args=[shop_row.id]))

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_a_merchants_id_token_never_opens_the_console(client, shop_row):
    response = client.get(reverse("staff:stores"), headers=bearer(shop_row.domain))
    with_query = client.get(reverse("staff:stores"), {"id_token": bearer(shop_row.domain)["Authorization"][7:]})

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert with_query.status_code == 302


def test_a_non_staff_account_cannot_log_in(client, db):
    get_user_model().objects.create_user(username="merchant", password=STAFF_PASSWORD, is_staff=False)

    response = client.post(reverse("staff:login"), {"username": "merchant", "password": STAFF_PASSWORD})

    assert response.status_code == 200
    assert "not a BackerKit staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_log_in_with_their_django_account(client, staff_user):
    response = client.post(reverse("staff:login"), {"username": "rep", "password": STAFF_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_console_pages_refuse_to_be_framed(staff_client, shop_row):
    response = staff_client.get(reverse("staff:store", args=[shop_row.id]))

    assert response["Content-Security-Policy"] == "frame-ancestors 'none';"
    assert response["X-Frame-Options"] == "DENY"


def test_a_weak_password_is_refused_when_staff_change_theirs(staff_client):
    response = staff_client.post(
        reverse("staff:password"),
        {"old_password": STAFF_PASSWORD, "new_password1": "password", "new_password2": "password"},
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode() or "too short" in response.content.decode()


def test_the_store_page_shows_health_token_connections_counts_and_failures(staff_client, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PUSHED)
    record(shop_row, conn, "bk-2", State.FAILED, last_error="Shopify refused the order: invalid province")
    record(shop_row, conn, "bk-3", State.NEEDS_ATTENTION)

    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()

    assert "Connected" in page and "Expiring token" in page
    assert "Skyforge Store" in page and "••••abcd" in page and "bk_live_1234567890abcd" not in page
    assert "invalid province" in page and "bk-3" in page


def test_the_stores_list_counts_each_store_in_a_fixed_number_of_queries(
    staff_client, shop_row, conn, django_assert_max_num_queries
):
    from tests.support.push_records import connection, plain_shop

    for n in range(5):
        other = plain_shop(f"store-{n}.myshopify.com")
        record(other, connection(other), f"o-{n}", State.PUSHED)
    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("staff:stores")).content.decode()
    assert "store-4.myshopify.com" in page


def test_the_switch_needs_a_reason_shown_next_to_the_field(staff_client, shop_row):
    response = staff_client.post(
        reverse("staff:transaction_data", args=[shop_row.id]), {"enabled": "off", "reason": ""}
    )

    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    shop_row.refresh_from_db()
    assert shop_row.include_transaction_data is True


def test_flipping_the_switch_is_audited_and_listed_on_the_store_page(staff_client, shop_row, staff_user):
    response = staff_client.post(
        reverse("staff:transaction_data", args=[shop_row.id]),
        {"enabled": "off", "reason": "Creator raised Shopify prices"},
    )

    assert response.status_code == 302
    change = SettingChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by, change.staff_user) == (
        "on",
        "off",
        "rep@backerkit.com",
        staff_user,
    )
    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    assert "Creator raised Shopify prices" in page and "on → off" in page


def test_bulk_retry_requeues_failed_and_needs_attention_orders_but_not_invalid_ones(staff_client, shop_row, conn):
    failed = record(shop_row, conn, "bk-f", State.FAILED, attempts=8)
    attention = record(shop_row, conn, "bk-a", State.NEEDS_ATTENTION)
    invalid = record(shop_row, conn, "bk-i", State.FAILED, invalid_input=True)

    staff_client.post(reverse("staff:retry", args=[shop_row.id]))

    states = dict(PushRecord.objects.values_list("backerkit_order_id", "state"))
    assert states == {"bk-f": "pending", "bk-a": "pending", "bk-i": "failed"}
    for requeued in (failed, attention):
        requeued.refresh_from_db()
        assert (requeued.attempts, requeued.last_error, requeued.not_before) == (0, "", None)
    invalid.refresh_from_db()
    assert invalid.last_error == "SKU EXP-FROST is not in your Shopify store."  # untouched


def test_pausing_a_store_keeps_waiting_orders_and_resuming_queues_them(staff_client, shop_row, conn):
    waiting = record(shop_row, conn, "bk-w", State.PENDING)

    staff_client.post(reverse("staff:pause", args=[shop_row.id]), {"paused": "pause", "reason": "Creator asked"})
    shop_row.refresh_from_db()
    waiting.refresh_from_db()
    assert shop_row.pushes_paused is True and waiting.state == State.PAUSED

    staff_client.post(reverse("staff:pause", args=[shop_row.id]), {"paused": "resume", "reason": "Go ahead"})
    shop_row.refresh_from_db()
    waiting.refresh_from_db()
    assert shop_row.pushes_paused is False and waiting.state == State.PENDING
    assert list(SettingChange.objects.order_by("changed_at").values_list("setting", "new_value")) == [
        ("pushes_paused", "on"),
        ("pushes_paused", "off"),
    ]


def test_viewing_a_customers_personal_data_is_logged_and_hidden_until_asked(
    staff_client, shop_row, conn, staff_user, caplog
):
    rec = record(shop_row, conn, "bk-p", State.PUSHED)
    url = reverse("staff:order", args=[shop_row.id, rec.id])

    hidden = staff_client.get(url).content.decode()
    assert "ada@example.com" not in hidden

    with caplog.at_level(logging.INFO, logger="shopapp.staff.services"):
        shown = staff_client.post(url, {"reveal": "customer"}).content.decode()
    assert "ada@example.com" in shown
    event = next(r for r in caplog.records if r.getMessage() == "staff.personal_data_viewed")
    assert event.staff_user_id == staff_user.id and event.record_id == rec.id and event.shop_id == shop_row.id
    assert "ada@example.com" not in str(event.__dict__)


@pytest.mark.parametrize("name", ["staff:store", "staff:retry"])
def test_an_unknown_store_is_a_404(staff_client, db, name):
    method = staff_client.post if name == "staff:retry" else staff_client.get
    assert method(reverse(name, args=[999999])).status_code == 404


def test_the_console_shows_a_stores_waves_and_who_released_them(staff_client, shop_row):
    wave = Wave.objects.create(shop=shop_row, name="Europe", countries=["DE"], state=Wave.State.RELEASED)
    WaveRelease.objects.create(wave=wave, requested_by="merchant (Shopify user 7)", countries=[], targeted=12)

    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()

    assert "Europe" in page and "Ships to DE" in page
    assert "12 orders · by merchant (Shopify user 7)" in page
