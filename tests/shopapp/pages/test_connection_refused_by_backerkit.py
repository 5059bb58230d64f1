"""A connection BackerKit refused mid-pull: the merchant sees why on the connection page and on the
home page, and a connection test that passes (the key works again) resumes it."""

from integrations.orders.models import BackerKitConnection
from integrations.orders.services.pull import pull
from tests.support.campaign_files import fixture_order

API_KEY = "bk_live_abcdefgh12345678"


def _refused_connection(shop_row, backerkit_sim) -> BackerKitConnection:
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders("skyforge", [fixture_order("paid")])
    conn = BackerKitConnection.objects.create(shop=shop_row, store_name="Skyforge Store", project="skyforge",
                                              api_key=API_KEY, currency="USD")  # fmt: skip
    backerkit_sim.state.add_faults(status=403)
    pull(connection_id=conn.id, start_push=False)
    conn.refresh_from_db()
    assert conn.status == BackerKitConnection.Status.REFUSED
    return conn


def test_the_home_page_and_the_connection_page_say_backerkit_refused_the_key(admin, shop_row, backerkit_sim):
    conn = _refused_connection(shop_row, backerkit_sim)

    home = admin.get("home").content.decode()
    page = admin.get("pages:connection").content.decode()

    assert "BackerKit refused the API key (403)" in home and 'data-testid="connection-stopped-reason"' in home
    assert "BackerKit refused the API key (403)" in page
    assert f"/connection/{conn.id}/test" in page or "Test connection" in page


def test_a_connection_test_that_passes_resumes_a_refused_connection(admin, shop_row, backerkit_sim):
    conn = _refused_connection(shop_row, backerkit_sim)

    check = admin.post("pages:connection_test", conn.id).context["checks"][conn.id]

    conn.refresh_from_db()
    assert check.ok and "resumes" in check.message
    assert conn.status == BackerKitConnection.Status.ACTIVE and conn.stopped_reason == ""
    home = admin.get("home").content.decode()
    assert "refused the API key" not in home
