"""Connection: BackerKit projects (checked with BackerKit before saving, API key masked), Test
connection, fetch, remove; and Shopify's connection health."""

from urllib.parse import parse_qs, urlsplit

from integrations.orders.models import BackerKitConnection, PullRun, PushRecord
from tests.support.campaign_files import fixture_order
from tests.support.push_records import State, record

API_KEY = "bk_live_abcdefgh12345678"


def _project(backerkit_sim, currency="USD"):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency=currency)
    backerkit_sim.state.add_orders("skyforge", [fixture_order("paid"), fixture_order("partially_paid")])


def test_connecting_a_project_checks_the_key_queues_a_fetch_and_opens_the_preview(admin, shop_row, backerkit_sim):
    _project(backerkit_sim)

    response = admin.post(
        "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": API_KEY}
    )

    connection = BackerKitConnection.objects.get(shop=shop_row)
    assert (connection.store_name, connection.currency, connection.api_key) == ("Skyforge Store", "USD", API_KEY)
    # The orders are fetched by a task (tests/shopapp/pages/test_pulls_run_as_tasks.py), not in the request.
    assert connection.pull_runs.get().state == PullRun.State.QUEUED
    location = urlsplit(response["Location"])
    assert location.path == "/preview/"
    assert parse_qs(location.query)["notice"] == ["Connected. Fetching orders from BackerKit"]


def test_a_refused_api_key_is_shown_next_to_the_field_and_nothing_is_saved(admin, backerkit_sim):
    _project(backerkit_sim)

    response = admin.post(
        "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": "bk_live_wrong"}
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["api_key"] == ["BackerKit refused this API key. Copy it again from BackerKit."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not BackerKitConnection.objects.exists()


def test_a_project_in_another_currency_is_refused_with_the_reason(admin, backerkit_sim):
    _project(backerkit_sim, currency="EUR")

    response = admin.post(
        "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": API_KEY}
    )

    assert "is in EUR but your Shopify store sells in USD" in response.context["form"].errors["project"][0]


def test_empty_fields_are_flagged_each_next_to_its_field(admin):
    response = admin.post("pages:connection_add", data={"store_name": "", "project": "", "api_key": ""})

    assert set(response.context["form"].errors) == {"store_name", "project", "api_key"}


def test_the_api_key_is_never_shown_again_only_its_last_four_characters(admin, conn):
    page = admin.get("pages:connection").content.decode()

    assert "••••abcd" in page and conn.api_key not in page


def test_test_connection_says_whether_backerkit_accepts_the_key(admin, shop_row, backerkit_sim):
    _project(backerkit_sim)
    good = BackerKitConnection.objects.create(shop=shop_row, store_name="Good", project="skyforge", api_key=API_KEY)
    bad = BackerKitConnection.objects.create(shop=shop_row, store_name="Bad", project="skyforge", api_key="bk_revoked")

    ok = admin.post("pages:connection_test", good.id).context["checks"][good.id]
    refused = admin.post("pages:connection_test", bad.id).context["checks"][bad.id]

    assert ok.ok and ok.message == "Connected to “Skyforge” (USD)."
    assert not refused.ok and "refused this API key" in refused.message


def test_removing_a_connection_that_pushed_keeps_its_history(admin, shop_row, conn):
    record(shop_row, conn, "bk-pushed", State.PUSHED)
    record(shop_row, conn, "bk-waiting", State.PENDING)

    admin.post("pages:connection_remove", conn.id)

    conn.refresh_from_db()
    assert conn.status == "stopped" and conn.api_key == ""
    assert list(PushRecord.objects.values_list("backerkit_order_id", flat=True)) == ["bk-pushed"]


def test_removing_an_unused_connection_deletes_it(admin, conn):
    admin.post("pages:connection_remove", conn.id)

    assert not BackerKitConnection.objects.exists()


def test_another_stores_connection_cannot_be_touched(admin, db):
    from tests.support.push_records import connection, plain_shop

    theirs = connection(plain_shop("someone-else.myshopify.com"))

    assert admin.post("pages:connection_remove", theirs.id).status_code == 404
    assert BackerKitConnection.objects.filter(id=theirs.id).exists()


def test_shopify_health_says_connected_and_that_the_token_is_renewed(admin):
    page = admin.get("pages:connection").content.decode()

    assert "Connected" in page and "renewed automatically" in page
    assert 'data-testid="reconnect"' not in page
