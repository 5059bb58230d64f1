"""Fetch on the connection page: BackerKit's new locked orders are taken in (not pushed), the
merchant is told how many; a BackerKit failure is said on the connection page, nothing changed."""

from urllib.parse import parse_qs, urlsplit

from integrations.orders.models import BackerKitConnection, PushRecord
from tests.support.campaign_files import fixture_order

API_KEY = "bk_live_fetch_12345678"


def _connected(backerkit_sim, shop_row) -> BackerKitConnection:
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders("skyforge", [fixture_order("paid"), fixture_order("partially_paid")])
    return BackerKitConnection.objects.create(
        shop=shop_row, store_name="Skyforge Store", project="skyforge", api_key=API_KEY, currency="USD"
    )


def _redirect(response) -> tuple[str, dict]:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


def test_fetch_takes_in_new_orders_without_pushing_and_says_how_many(admin, shop_row, backerkit_sim):
    connection = _connected(backerkit_sim, shop_row)

    first = _redirect(admin.post("pages:connection_fetch", connection.id))
    backerkit_sim.state.add_orders("skyforge", [fixture_order("no_tax")])
    second = _redirect(admin.post("pages:connection_fetch", connection.id))
    third = _redirect(admin.post("pages:connection_fetch", connection.id))

    assert first == ("/preview/", {**first[1], "notice": "2 new orders fetched from BackerKit"})
    assert second[1]["notice"] == "1 new order fetched from BackerKit"
    assert third[1]["notice"] == "0 new orders fetched from BackerKit"
    assert set(PushRecord.objects.filter(shop=shop_row).values_list("state", flat=True)) == {PushRecord.State.PENDING}
    assert PushRecord.objects.filter(shop=shop_row).count() == 3


def test_a_backerkit_failure_is_said_on_the_connection_page_and_nothing_is_taken_in(admin, shop_row, backerkit_sim):
    connection = _connected(backerkit_sim, shop_row)
    backerkit_sim.state.add_faults(status=503)

    path, query = _redirect(admin.post("pages:connection_fetch", connection.id))

    assert path == "/connection/"
    assert "BackerKit" in query["error"]
    assert not PushRecord.objects.exists()
    assert [r["status"] for r in backerkit_sim.state.requests] == [503]


def test_a_stopped_connection_is_not_fetched(admin, shop_row, backerkit_sim):
    connection = _connected(backerkit_sim, shop_row)
    BackerKitConnection.objects.filter(id=connection.id).update(status=BackerKitConnection.Status.STOPPED)

    path, query = _redirect(admin.post("pages:connection_fetch", connection.id))

    assert path == "/connection/"
    assert query["error"] == "This connection is stopped. Add it again with a valid API key."
    assert backerkit_sim.state.requests == []
