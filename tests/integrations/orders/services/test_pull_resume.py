"""A pull over several BackerKit pages that fails halfway: what was imported stays, the cursor
stands after the last page taken in, and pulling again brings the rest, nothing lost or doubled."""

import pytest

from integrations.backerkit.errors import BackerKitTransient
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services.pull import pull, pull_connection
from tests.support.push_records import plain_shop

API_KEY = "bk_live_pull_pages_0001"


@pytest.fixture
def project_connection(db, backerkit_sim):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, currency="USD")
    shop = plain_shop(domain="pull-store.myshopify.com")
    return BackerKitConnection.objects.create(
        shop=shop, store_name="Skyforge Store", project="skyforge", api_key=API_KEY, currency="USD"
    )


def test_a_pull_interrupted_halfway_resumes_with_nothing_lost_or_doubled(project_connection, backerkit_sim):
    orders = generate_campaign(backers=250, seed=21, id_prefix="pull")  # pages of 100, 100, 50
    backerkit_sim.state.add_orders("skyforge", orders)
    backerkit_sim.state.add_faults(status=503, after=2)  # the third page fails

    interrupted = pull(connection_id=project_connection.id, start_push=False)

    assert isinstance(interrupted.exception, BackerKitTransient) and interrupted.retry_in is not None

    project_connection.refresh_from_db()
    taken = set(PushRecord.objects.values_list("backerkit_order_id", flat=True))
    assert taken == {o["id"] for o in orders[:200]}  # two whole pages, in lock order
    assert project_connection.cursor  # saved after the second page

    pull_connection(connection_id=project_connection.id, start_push=False)

    ids = list(PushRecord.objects.values_list("backerkit_order_id", flat=True))
    assert sorted(ids) == sorted(o["id"] for o in orders)  # each once
    statuses = [r["status"] for r in backerkit_sim.state.requests]
    assert statuses == [200, 200, 503, 200]  # the resumed pull asked for the missing page only


def test_pulling_everything_again_from_the_start_doubles_nothing(project_connection, backerkit_sim):
    orders = generate_campaign(backers=150, seed=22, id_prefix="again")
    backerkit_sim.state.add_orders("skyforge", orders)
    pull_connection(connection_id=project_connection.id, start_push=False)
    BackerKitConnection.objects.filter(id=project_connection.id).update(cursor="")

    pull_connection(connection_id=project_connection.id, start_push=False)

    assert sorted(PushRecord.objects.values_list("backerkit_order_id", flat=True)) == sorted(o["id"] for o in orders)
