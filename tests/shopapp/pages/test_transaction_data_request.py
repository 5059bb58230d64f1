"""Partially paid orders and fulfilment services: the preview and home count them, say what
"outstanding" means and what fulfilment connectors do with such orders, and offer the way out: a
prefilled request to a Success rep to turn transaction data off, which the rep's console shows
and which setting transaction data off closes."""

from django.urls import reverse

from shopapp.models import TransactionDataRequest
from shopapp.staff import services
from tests.support.push_records import State, record


def test_home_counts_partially_paid_orders_and_a_prefilled_request_reaches_the_reps_console(
    admin, shop_row, conn, client, django_user_model, settings
):
    settings.STAFF_REQUIRE_TOTP = False  # this rep has no authenticator enrolled (staff/test_staff_login_protection.py)
    for n in range(3):
        record(shop_row, conn, f"bk-{n}", State.PUSHED, financial_status="PARTIALLY_PAID")

    page = admin.get("home").content.decode()
    assert "3 orders Partially paid: check your fulfilment service" in page
    assert "is not money the backer owes" in page and "ShipStation requires Paid" in page
    assert f"Please turn transaction data off for {shop_row.domain}" in page  # prefilled

    response = admin.post(
        "pages:request_transaction_data_off",
        data={"back": "home", "message": f"Please turn transaction data off for {shop_row.domain}. ShipStation."},
    )
    assert admin.follow(response).context["notice"] == "Request sent to your Success rep"
    assert 'data-testid="transaction-request-sent"' in admin.get("home").content.decode()

    rep = django_user_model.objects.create_user(username="rep", email="rep@backerkit.com", password="x", is_staff=True)
    client.force_login(rep)
    console = client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    assert 'data-testid="staff-transaction-requests"' in console and "ShipStation." in console

    services.set_transaction_data(
        shop_id=shop_row.id, enabled=False, reason="Merchant asked", by_email="rep@backerkit.com"
    )
    request = TransactionDataRequest.objects.get()
    assert request.closed_at is not None and request.closed_by == "rep@backerkit.com"
    assert (
        'data-testid="staff-transaction-requests"'
        not in client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    )
    assert 'data-testid="fulfilment"' not in admin.get("home").content.decode()  # transaction data is off now


def test_asking_twice_keeps_one_open_request(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PUSHED, financial_status="PARTIALLY_PAID")
    for message in ("first", "second"):
        admin.post("pages:request_transaction_data_off", data={"back": "preview", "message": message})

    assert list(TransactionDataRequest.objects.values_list("message", flat=True)) == ["second"]


def test_an_empty_message_is_refused_with_a_reason(admin, shop_row):
    response = admin.post("pages:request_transaction_data_off", data={"back": "home", "message": "  "})

    assert admin.follow(response).context["error"] == "Write a message for your Success rep."
    assert not TransactionDataRequest.objects.exists()
