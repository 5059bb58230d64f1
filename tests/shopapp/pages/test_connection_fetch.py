"""Fetch on the connection page for a stopped connection: nothing is asked of BackerKit. (A fetch
that runs is queued as a task and shown with its progress: test_pulls_run_as_tasks.py.)"""

from urllib.parse import parse_qs, urlsplit

from integrations.orders.models import BackerKitConnection
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


def test_a_stopped_connection_is_not_fetched(admin, shop_row, backerkit_sim):
    connection = _connected(backerkit_sim, shop_row)
    BackerKitConnection.objects.filter(id=connection.id).update(status=BackerKitConnection.Status.STOPPED)

    path, query = _redirect(admin.post("pages:connection_fetch", connection.id))

    assert path == "/connection/"
    assert query["error"] == "This connection is stopped. Add it again with a valid API key."
    assert backerkit_sim.state.requests == []
